/**
 * A NomadJob's spec as a user writes it (kubectl apply, Argo CD): Nomad's job specification in
 * Kubernetes style, with camelCase fields and durations as Go duration strings. Optional fields
 * are optional here. `canonicalJob` (defaults.ts) fills in Nomad's defaults.
 */

export type JobType = 'service' | 'batch' | 'system' | 'sysbatch';
export const jobTypes: readonly JobType[] = ['service', 'batch', 'system', 'sysbatch'];

export type HealthCheck = 'checks' | 'task_states' | 'manual';
export const healthChecks: readonly HealthCheck[] = ['checks', 'task_states', 'manual'];

/** The drivers whose tasks are containers; anything else cannot run on Kubernetes as is. */
export type Driver = 'docker' | 'podman' | 'containerd';
export const supportedDrivers: readonly Driver[] = ['docker', 'podman', 'containerd'];

/**
 * One step of a multi-step canary (beyond Nomad: its issue #11822). `count` or `percent` (of the
 * group's count, rounded up) says how many canaries run at this step; once they are all healthy
 * the step waits `pause`, or for approval, before the next one.
 */
export interface CanaryStepSpec {
  count?: number;
  percent?: number;
  pause?: string;
  approval?: boolean;
}

export interface UpdateSpec {
  maxParallel?: number;
  healthCheck?: HealthCheck;
  minHealthyTime?: string;
  healthyDeadline?: string;
  progressDeadline?: string;
  autoRevert?: boolean;
  autoPromote?: boolean;
  canary?: number;
  canarySteps?: CanaryStepSpec[];
  stagger?: string;
}

export interface ConstraintSpec {
  attribute?: string;
  operator?: string;
  value?: string;
}

export interface AffinitySpec extends ConstraintSpec {
  weight?: number;
}

export interface SpreadSpec {
  attribute: string;
  weight?: number;
  targets?: { value: string; percent?: number }[];
}

export interface RestartSpec {
  attempts?: number;
  interval?: string;
  delay?: string;
  mode?: 'fail' | 'delay';
}

export interface RescheduleSpec {
  attempts?: number;
  interval?: string;
  delay?: string;
  delayFunction?: 'constant' | 'exponential' | 'fibonacci';
  maxDelay?: string;
  unlimited?: boolean;
}

export interface PortSpec {
  label: string;
  /** A fixed host port (Nomad `static`). */
  static?: number;
  /** The port the task listens on inside its container (Nomad `to`). */
  to?: number;
}

export interface NetworkSpec {
  mode?: 'bridge' | 'host';
  ports?: PortSpec[];
}

export type CheckType = 'http' | 'tcp' | 'grpc' | 'script';

export interface CheckSpec {
  name?: string;
  type: CheckType;
  port?: string;
  path?: string;
  method?: string;
  protocol?: 'http' | 'https';
  command?: string;
  args?: string[];
  task?: string;
  grpcService?: string;
  interval?: string;
  timeout?: string;
}

export interface ServiceSpec {
  name?: string;
  port?: string;
  provider?: 'nomad' | 'consul';
  tags?: string[];
  checks?: CheckSpec[];
}

export interface ResourcesSpec {
  /** CPU in MHz, as Nomad counts it. */
  cpu?: number;
  cores?: number;
  memoryMB?: number;
  memoryMaxMB?: number;
}

/** A docker-like driver's `config` block; free-form in the schema, checked by validate.ts. */
export interface ContainerConfigSpec {
  image?: string;
  command?: string;
  args?: string[];
  entrypoint?: string[];
  ports?: string[];
  workDir?: string;
  [other: string]: unknown;
}

export interface LifecycleSpec {
  hook: 'prestart' | 'poststart' | 'poststop';
  sidecar?: boolean;
}

export interface TaskSpec {
  name: string;
  driver: string;
  config?: ContainerConfigSpec;
  env?: Record<string, string>;
  resources?: ResourcesSpec;
  services?: ServiceSpec[];
  meta?: Record<string, string>;
  user?: string;
  killTimeout?: string;
  killSignal?: string;
  shutdownDelay?: string;
  leader?: boolean;
  lifecycle?: LifecycleSpec;
  restart?: RestartSpec;
  /** Where a dispatched job's payload is written, relative to the task's `local/` directory. */
  dispatchPayload?: { file: string };
  /** Nomad blocks Caravan cannot honour; accepted by the schema only to be refused by name. */
  [unsupported: string]: unknown;
}

export interface EphemeralDiskSpec {
  sizeMB?: number;
  sticky?: boolean;
  migrate?: boolean;
}

/** What a Kubernetes user needs on the Pods of a task group. */
export interface KubernetesPodSpec {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  serviceAccountName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  priorityClassName?: string;
}

export interface TaskGroupSpec {
  name: string;
  count?: number;
  update?: UpdateSpec;
  constraints?: ConstraintSpec[];
  affinities?: AffinitySpec[];
  spreads?: SpreadSpec[];
  meta?: Record<string, string>;
  restart?: RestartSpec;
  reschedule?: RescheduleSpec;
  ephemeralDisk?: EphemeralDiskSpec;
  networks?: NetworkSpec[];
  services?: ServiceSpec[];
  shutdownDelay?: string;
  tasks: TaskSpec[];
  kubernetes?: KubernetesPodSpec;
  [unsupported: string]: unknown;
}

export interface PeriodicSpec {
  crons: string[];
  prohibitOverlap?: boolean;
  timeZone?: string;
  enabled?: boolean;
}

export interface ParameterizedSpec {
  payload?: 'optional' | 'required' | 'forbidden';
  metaRequired?: string[];
  metaOptional?: string[];
}

export interface NomadJobSpec {
  type?: JobType;
  priority?: number;
  region?: string;
  datacenters?: string[];
  constraints?: ConstraintSpec[];
  affinities?: AffinitySpec[];
  spreads?: SpreadSpec[];
  meta?: Record<string, string>;
  update?: UpdateSpec;
  periodic?: PeriodicSpec;
  parameterized?: ParameterizedSpec;
  stop?: boolean;
  taskGroups: TaskGroupSpec[];
  [unsupported: string]: unknown;
}
