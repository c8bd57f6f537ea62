import { parseDuration, type Millis } from './duration.ts';
import type { CanaryStep, Check, Job, ReschedulePolicy, Resources, RestartPolicy, Service, Task, TaskGroup, UpdateStrategy } from './job.ts';
import type {
  CanaryStepSpec,
  CheckSpec,
  Driver,
  JobType,
  NomadJobSpec,
  RescheduleSpec,
  RestartSpec,
  ServiceSpec,
  TaskGroupSpec,
  TaskSpec,
  UpdateSpec,
} from './nomad-job-spec.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;

/** Nomad's `update` defaults (structs.DefaultUpdateStrategy). */
export const defaultUpdateStrategy: UpdateStrategy = {
  maxParallel: 1,
  healthCheck: 'checks',
  minHealthyTime: 10 * s,
  healthyDeadline: 5 * m,
  progressDeadline: 10 * m,
  autoRevert: false,
  autoPromote: false,
  canary: 0,
  canarySteps: [],
  stagger: 30 * s,
};

/** Restart defaults by job type: service and system jobs vs batch and sysbatch jobs. */
export const defaultRestartPolicy: Record<JobType, RestartPolicy> = {
  service: { attempts: 2, interval: 30 * m, delay: 15 * s, mode: 'fail' },
  system: { attempts: 2, interval: 30 * m, delay: 15 * s, mode: 'fail' },
  batch: { attempts: 3, interval: 24 * h, delay: 15 * s, mode: 'fail' },
  sysbatch: { attempts: 3, interval: 24 * h, delay: 15 * s, mode: 'fail' },
};

/** Reschedule defaults by job type; system and sysbatch allocations are never rescheduled. */
export const defaultReschedulePolicy: Record<JobType, ReschedulePolicy | undefined> = {
  service: { attempts: 0, interval: 0, delay: 30 * s, delayFunction: 'exponential', maxDelay: 1 * h, unlimited: true },
  batch: { attempts: 1, interval: 24 * h, delay: 5 * s, delayFunction: 'constant', maxDelay: 0, unlimited: false },
  system: undefined,
  sysbatch: undefined,
};

export const defaultResources: Resources = { cpu: 100, cores: 0, memoryMB: 300, memoryMaxMB: 0 };
export const defaultKillTimeout: Millis = 5 * s;
export const defaultEphemeralDiskMB = 300;
export const defaultCheckInterval: Millis = 10 * s;
export const defaultCheckTimeout: Millis = 2 * s;

/** A duration the schema already checked; a malformed one falls back rather than throwing. */
function ms(text: string | undefined, fallback: Millis): Millis {
  if (text === undefined) return fallback;
  return parseDuration(text) ?? fallback;
}

/** A merged update block whose canary steps are not yet resolved against a count. */
type MergedUpdate = Omit<UpdateStrategy, 'canarySteps'> & { readonly canarySteps: readonly CanaryStepSpec[] };

const unmergedDefaults: MergedUpdate = { ...defaultUpdateStrategy, canarySteps: [] };

/** Overlays the fields `spec` sets on `base` (Nomad merges update blocks field by field). */
function updateFrom(base: MergedUpdate, spec: UpdateSpec): MergedUpdate {
  return {
    maxParallel: spec.maxParallel ?? base.maxParallel,
    healthCheck: spec.healthCheck ?? base.healthCheck,
    minHealthyTime: ms(spec.minHealthyTime, base.minHealthyTime),
    healthyDeadline: ms(spec.healthyDeadline, base.healthyDeadline),
    progressDeadline: ms(spec.progressDeadline, base.progressDeadline),
    autoRevert: spec.autoRevert ?? base.autoRevert,
    autoPromote: spec.autoPromote ?? base.autoPromote,
    canary: spec.canary ?? base.canary,
    // A block that sets canary steps replaces the steps it inherits, as a whole.
    canarySteps: spec.canarySteps ?? base.canarySteps,
    stagger: ms(spec.stagger, base.stagger),
  };
}

/** A step's canaries: its count, or its percent of the group's count rounded up (at least 1). */
export function stepCanaries(step: CanaryStepSpec, count: number): number {
  if (step.count !== undefined) return step.count;
  return Math.max(1, Math.ceil((count * (step.percent ?? 0)) / 100));
}

function resolve(merged: MergedUpdate, count: number): UpdateStrategy {
  const canarySteps: CanaryStep[] = merged.canarySteps.map((step) => ({
    canaries: stepCanaries(step, count),
    pause: ms(step.pause, 0),
    approval: step.approval ?? false,
  }));
  return { ...merged, canarySteps, canary: canarySteps.length > 0 ? canarySteps.at(-1)!.canaries : merged.canary };
}

/**
 * A group's update strategy, the way Nomad's API layer builds it:
 * 1. a service or system job without a job-level block gets the default strategy;
 * 2. the job-level block is completed with defaults;
 * 3. the group starts from the job-level strategy and overlays the fields it sets itself.
 * Batch jobs have none (validation refuses an update block on them). Canary steps given as a
 * percentage are resolved against the group's `count`.
 */
export function mergedUpdateStrategy(
  type: JobType,
  jobUpdate: UpdateSpec | undefined,
  groupUpdate: UpdateSpec | undefined,
  count = 1,
): UpdateStrategy | undefined {
  if (type === 'batch' || type === 'sysbatch') return undefined;
  const jobLevel = updateFrom(unmergedDefaults, jobUpdate ?? {});
  return resolve(groupUpdate ? updateFrom(jobLevel, groupUpdate) : jobLevel, count);
}

/** The strategy a group deploys with: max_parallel 0 means none (no deployment, all changes at once). */
export function groupUpdateStrategy(
  type: JobType,
  jobUpdate: UpdateSpec | undefined,
  groupUpdate: UpdateSpec | undefined,
  count = 1,
): UpdateStrategy | undefined {
  const merged = mergedUpdateStrategy(type, jobUpdate, groupUpdate, count);
  return merged && merged.maxParallel !== 0 ? merged : undefined;
}

function restartFrom(base: RestartPolicy, spec: RestartSpec | undefined): RestartPolicy {
  if (!spec) return base;
  return {
    attempts: spec.attempts ?? base.attempts,
    interval: ms(spec.interval, base.interval),
    delay: ms(spec.delay, base.delay),
    mode: spec.mode ?? base.mode,
  };
}

function rescheduleFrom(base: ReschedulePolicy | undefined, spec: RescheduleSpec | undefined): ReschedulePolicy | undefined {
  if (!base) return undefined;
  if (!spec) return base;
  return {
    attempts: spec.attempts ?? base.attempts,
    interval: ms(spec.interval, base.interval),
    delay: ms(spec.delay, base.delay),
    delayFunction: spec.delayFunction ?? base.delayFunction,
    maxDelay: ms(spec.maxDelay, base.maxDelay),
    unlimited: spec.unlimited ?? base.unlimited,
  };
}

function check(spec: CheckSpec, serviceName: string, index: number): Check {
  return {
    name: spec.name ?? `service: "${serviceName}" check${index === 0 ? '' : `-${index}`}`,
    type: spec.type,
    port: spec.port,
    path: spec.path,
    method: spec.method ?? 'GET',
    protocol: spec.protocol ?? 'http',
    command: spec.command,
    args: spec.args ?? [],
    task: spec.task,
    grpcService: spec.grpcService,
    interval: ms(spec.interval, defaultCheckInterval),
    timeout: ms(spec.timeout, defaultCheckTimeout),
  };
}

/** Nomad names an unnamed service `<job>-<group>[-<task>]`. */
function service(spec: ServiceSpec, defaultName: string): Service {
  const name = spec.name ?? defaultName;
  return {
    name,
    port: spec.port,
    provider: spec.provider ?? 'nomad',
    tags: spec.tags ?? [],
    checks: (spec.checks ?? []).map((c, i) => check(c, name, i)),
  };
}

function task(spec: TaskSpec, groupRestart: RestartPolicy, serviceBase: string): Task {
  return {
    name: spec.name,
    driver: spec.driver as Driver,
    config: { ...spec.config, image: spec.config?.image ?? '' },
    env: spec.env ?? {},
    resources: { ...defaultResources, ...spec.resources },
    services: (spec.services ?? []).map((sv) => service(sv, `${serviceBase}-${spec.name}`)),
    meta: spec.meta ?? {},
    user: spec.user,
    killTimeout: ms(spec.killTimeout, defaultKillTimeout),
    killSignal: spec.killSignal,
    shutdownDelay: ms(spec.shutdownDelay, 0),
    leader: spec.leader ?? false,
    lifecycle: spec.lifecycle,
    restart: restartFrom(groupRestart, spec.restart),
    ...(spec.dispatchPayload ? { dispatchPayload: { file: spec.dispatchPayload.file } } : {}),
  };
}

function taskGroup(spec: TaskGroupSpec, job: NomadJobSpec & { type: JobType }, jobName: string): TaskGroup {
  const restart = restartFrom(defaultRestartPolicy[job.type], spec.restart);
  const serviceBase = `${jobName}-${spec.name}`;
  return {
    name: spec.name,
    count: spec.count ?? 1,
    update: groupUpdateStrategy(job.type, job.update, spec.update, spec.count ?? 1),
    constraints: spec.constraints ?? [],
    affinities: spec.affinities ?? [],
    spreads: spec.spreads ?? [],
    meta: spec.meta ?? {},
    restart,
    reschedule: rescheduleFrom(defaultReschedulePolicy[job.type], spec.reschedule),
    ephemeralDiskMB: spec.ephemeralDisk?.sizeMB ?? defaultEphemeralDiskMB,
    networks: spec.networks ?? [],
    services: (spec.services ?? []).map((sv) => service(sv, serviceBase)),
    shutdownDelay: ms(spec.shutdownDelay, 0),
    tasks: spec.tasks.map((t) => task(t, restart, serviceBase)),
    kubernetes: spec.kubernetes ?? {},
  };
}

/**
 * Fills in Nomad's defaults. Expects a spec that validateNomadJobSpec() accepted; durations it
 * cannot read fall back to their defaults rather than throwing.
 */
export function canonicalJob(name: string, namespace: string, spec: NomadJobSpec): Job {
  const type: JobType = spec.type ?? 'service';
  const withType = { ...spec, type };
  return {
    name,
    namespace,
    type,
    priority: spec.priority ?? 50,
    region: spec.region ?? 'global',
    datacenters: spec.datacenters && spec.datacenters.length > 0 ? spec.datacenters : ['*'],
    constraints: spec.constraints ?? [],
    affinities: spec.affinities ?? [],
    spreads: spec.spreads ?? [],
    meta: spec.meta ?? {},
    periodic: spec.periodic,
    parameterized: spec.parameterized,
    stop: spec.stop ?? false,
    taskGroups: spec.taskGroups.map((g) => taskGroup(g, withType, name)),
  };
}
