import type { Millis } from './duration.ts';
import type {
  AffinitySpec,
  CheckType,
  ConstraintSpec,
  ContainerConfigSpec,
  Driver,
  HealthCheck,
  JobType,
  KubernetesPodSpec,
  LifecycleSpec,
  NetworkSpec,
  ParameterizedSpec,
  PeriodicSpec,
  SpreadSpec,
} from './nomad-job-spec.ts';

/**
 * A job with Nomad's defaults filled in and durations in milliseconds: what the planner and the
 * pod renderer work from. Made by canonicalJob() from a NomadJobSpec.
 */
export interface Job {
  readonly name: string;
  readonly namespace: string;
  readonly type: JobType;
  readonly priority: number;
  readonly region: string;
  readonly datacenters: readonly string[];
  readonly constraints: readonly ConstraintSpec[];
  readonly affinities: readonly AffinitySpec[];
  readonly spreads: readonly SpreadSpec[];
  readonly meta: Readonly<Record<string, string>>;
  readonly periodic: PeriodicSpec | undefined;
  readonly parameterized: ParameterizedSpec | undefined;
  readonly stop: boolean;
  readonly taskGroups: readonly TaskGroup[];
}

/** A canary step with its count resolved against the group's count. */
export interface CanaryStep {
  readonly canaries: number;
  /** How long the step's healthy canaries run before the next step (0: no wait). */
  readonly pause: Millis;
  /** The next step waits for NomadDeployment spec.approveCanaryStep to reach this step. */
  readonly approval: boolean;
}

/** Nomad's update strategy of one group, after the job-level block was merged into it. */
export interface UpdateStrategy {
  readonly maxParallel: number;
  readonly healthCheck: HealthCheck;
  readonly minHealthyTime: Millis;
  readonly healthyDeadline: Millis;
  /** 0 disables the progress deadline. */
  readonly progressDeadline: Millis;
  readonly autoRevert: boolean;
  readonly autoPromote: boolean;
  /** With canary steps, the last step's count. */
  readonly canary: number;
  /** Empty: Nomad's single canary phase. */
  readonly canarySteps: readonly CanaryStep[];
  readonly stagger: Millis;
}

export interface RestartPolicy {
  readonly attempts: number;
  readonly interval: Millis;
  readonly delay: Millis;
  readonly mode: 'fail' | 'delay';
}

export interface ReschedulePolicy {
  readonly attempts: number;
  readonly interval: Millis;
  readonly delay: Millis;
  readonly delayFunction: 'constant' | 'exponential' | 'fibonacci';
  readonly maxDelay: Millis;
  readonly unlimited: boolean;
}

export interface Check {
  readonly name: string;
  readonly type: CheckType;
  readonly port: string | undefined;
  readonly path: string | undefined;
  readonly method: string;
  readonly protocol: 'http' | 'https';
  readonly command: string | undefined;
  readonly args: readonly string[];
  readonly task: string | undefined;
  readonly grpcService: string | undefined;
  readonly interval: Millis;
  readonly timeout: Millis;
}

export interface Service {
  readonly name: string;
  readonly port: string | undefined;
  readonly provider: 'nomad' | 'consul';
  readonly tags: readonly string[];
  readonly checks: readonly Check[];
}

export interface Resources {
  readonly cpu: number;
  readonly cores: number;
  readonly memoryMB: number;
  readonly memoryMaxMB: number;
}

export interface Task {
  readonly name: string;
  readonly driver: Driver;
  readonly config: ContainerConfigSpec & { readonly image: string };
  readonly env: Readonly<Record<string, string>>;
  readonly resources: Resources;
  readonly services: readonly Service[];
  readonly meta: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  readonly killTimeout: Millis;
  readonly killSignal: string | undefined;
  readonly shutdownDelay: Millis;
  readonly leader: boolean;
  readonly lifecycle: LifecycleSpec | undefined;
  readonly restart: RestartPolicy;
  /** A dispatched job's payload file, relative to the task's local/ directory. */
  readonly dispatchPayload?: { readonly file: string };
}

export interface TaskGroup {
  readonly name: string;
  readonly count: number;
  /** Undefined: no deployment for this group (no update block for its type, or max_parallel 0). */
  readonly update: UpdateStrategy | undefined;
  readonly constraints: readonly ConstraintSpec[];
  readonly affinities: readonly AffinitySpec[];
  readonly spreads: readonly SpreadSpec[];
  readonly meta: Readonly<Record<string, string>>;
  readonly restart: RestartPolicy;
  /** Undefined for system and sysbatch jobs, which are not rescheduled. */
  readonly reschedule: ReschedulePolicy | undefined;
  readonly ephemeralDiskMB: number;
  readonly networks: readonly NetworkSpec[];
  readonly services: readonly Service[];
  readonly shutdownDelay: Millis;
  readonly tasks: readonly Task[];
  readonly kubernetes: KubernetesPodSpec;
}
