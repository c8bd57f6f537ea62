/**
 * A job version's specification in Nomad's API shape (api.Job's user-written part): Nomad's
 * defaults filled in as Caravan's canonicalJob fills them, durations in nanoseconds.
 *
 * The output must read back through `caravan convert`'s API JSON path (register.ts) to the same
 * canonical job, so `nomad job inspect` then `nomad job run` changes nothing. That decides a few
 * choices where Nomad would print a default Caravan's spec does not carry (an unset network mode,
 * affinity weight or lifecycle sidecar): the value as written, or null, rather than the default.
 */
import { mergedUpdateStrategy } from '../../model/defaults.ts';
import type { Check, Job, ReschedulePolicy, RestartPolicy, Service, Task, TaskGroup, UpdateStrategy } from '../../model/job.ts';
import type { AffinitySpec, ConstraintSpec, NetworkSpec, NomadJobSpec, SpreadSpec, TaskGroupSpec } from '../../model/nomad-job-spec.ts';
import type {
  NomadAffinity,
  NomadConstraint,
  NomadNetworkResource,
  NomadParameterizedJobConfig,
  NomadPeriodicConfig,
  NomadReschedulePolicy,
  NomadRestartPolicy,
  NomadService,
  NomadServiceCheck,
  NomadSpread,
  NomadTask,
  NomadTaskGroup,
  NomadUpdateStrategy,
} from './types.ts';
import { msToNanos } from './wire.ts';

const orNull = <T>(items: readonly T[] | undefined): T[] | null => (items && items.length > 0 ? [...items] : null);
const mapOrNull = (map: Readonly<Record<string, string>> | undefined): Record<string, string> | null =>
  map && Object.keys(map).length > 0 ? { ...map } : null;

/** Nomad's `=` is the operator of a constraint that names none. */
export function nomadConstraint(c: ConstraintSpec): NomadConstraint {
  return { LTarget: c.attribute ?? '', RTarget: c.value ?? '', Operand: c.operator ?? '=' };
}

function nomadAffinity(a: AffinitySpec): NomadAffinity {
  return { ...nomadConstraint(a), Weight: a.weight ?? null };
}

function nomadSpread(s: SpreadSpec): NomadSpread {
  return {
    Attribute: s.attribute,
    Weight: s.weight ?? null,
    SpreadTarget: orNull((s.targets ?? []).map((t) => ({ Value: t.value, Percent: t.percent ?? 0 }))),
  };
}

/** A whole update strategy (a group's), as Nomad keeps it after merging the job's into it. */
export function nomadUpdate(u: Omit<UpdateStrategy, 'canarySteps'>): NomadUpdateStrategy {
  return {
    Stagger: msToNanos(u.stagger),
    MaxParallel: u.maxParallel,
    HealthCheck: u.healthCheck,
    MinHealthyTime: msToNanos(u.minHealthyTime),
    HealthyDeadline: msToNanos(u.healthyDeadline),
    ProgressDeadline: msToNanos(u.progressDeadline),
    Canary: u.canary,
    AutoRevert: u.autoRevert,
    AutoPromote: u.autoPromote,
  };
}

/**
 * The job-level update block as Nomad stores it: only Stagger and MaxParallel, and only when the
 * job-level max_parallel is above 0 (the groups carry their merged strategies).
 */
function jobUpdate(job: Job, spec: NomadJobSpec): NomadUpdateStrategy | null {
  const merged = mergedUpdateStrategy(job.type, spec.update, undefined);
  return merged && merged.maxParallel > 0 ? { Stagger: msToNanos(merged.stagger), MaxParallel: merged.maxParallel } : null;
}

function restartPolicy(r: RestartPolicy): NomadRestartPolicy {
  return { Interval: msToNanos(r.interval), Attempts: r.attempts, Delay: msToNanos(r.delay), Mode: r.mode };
}

function reschedulePolicy(r: ReschedulePolicy | undefined): NomadReschedulePolicy | null {
  if (!r) return null;
  return {
    Attempts: r.attempts,
    Interval: msToNanos(r.interval),
    Delay: msToNanos(r.delay),
    DelayFunction: r.delayFunction,
    MaxDelay: msToNanos(r.maxDelay),
    Unlimited: r.unlimited,
  };
}

/** Static ports are Nomad's reserved ports; the others are dynamic (the scheduler picks the host port). */
function network(n: NetworkSpec): NomadNetworkResource {
  const ports = n.ports ?? [];
  const port = (p: (typeof ports)[number]) => ({ Label: p.label, Value: p.static ?? 0, To: p.to ?? 0, HostNetwork: 'default' });
  return {
    Mode: n.mode ?? '',
    ReservedPorts: orNull(ports.filter((p) => p.static !== undefined).map(port)),
    DynamicPorts: orNull(ports.filter((p) => p.static === undefined).map(port)),
  };
}

function check(c: Check): NomadServiceCheck {
  return {
    Name: c.name,
    Type: c.type,
    Command: c.command ?? '',
    Args: orNull(c.args),
    Path: c.path ?? '',
    Protocol: c.protocol,
    PortLabel: c.port ?? '',
    Interval: msToNanos(c.interval),
    Timeout: msToNanos(c.timeout),
    Method: c.method,
    GRPCService: c.grpcService ?? '',
    TaskName: c.task ?? '',
  };
}

function service(s: Service): NomadService {
  return { Name: s.name, Tags: orNull(s.tags), PortLabel: s.port ?? '', Provider: s.provider, Checks: orNull(s.checks.map(check)) };
}

/** The driver config under Nomad's key names (the spec spells `work_dir` as workDir). */
function driverConfig(config: Task['config']): Record<string, unknown> {
  const { workDir, ...rest } = config;
  return { ...rest, ...(workDir !== undefined ? { work_dir: workDir } : {}) };
}

function task(t: Task): NomadTask {
  return {
    Name: t.name,
    Driver: t.driver,
    User: t.user ?? '',
    Lifecycle: t.lifecycle ? { Hook: t.lifecycle.hook, Sidecar: t.lifecycle.sidecar ?? false } : null,
    Config: driverConfig(t.config),
    Env: mapOrNull(t.env),
    Services: orNull(t.services.map(service)),
    Resources: { CPU: t.resources.cpu, Cores: t.resources.cores, MemoryMB: t.resources.memoryMB, MemoryMaxMB: t.resources.memoryMaxMB },
    RestartPolicy: restartPolicy(t.restart),
    Meta: mapOrNull(t.meta),
    KillTimeout: msToNanos(t.killTimeout),
    Leader: t.leader,
    ShutdownDelay: msToNanos(t.shutdownDelay),
    KillSignal: t.killSignal ?? '',
    DispatchPayload: t.dispatchPayload ? { File: t.dispatchPayload.file } : null,
  };
}

function taskGroup(job: Job, spec: NomadJobSpec, g: TaskGroup, gs: TaskGroupSpec | undefined): NomadTaskGroup {
  // The merged strategy, also when max_parallel 0 turns deployments off (the canonical group then
  // has none), so the block reads back the same.
  const update = mergedUpdateStrategy(job.type, spec.update, gs?.update, g.count);
  return {
    Name: g.name,
    Count: g.count,
    Constraints: orNull(g.constraints.map(nomadConstraint)),
    Affinities: orNull(g.affinities.map(nomadAffinity)),
    Spreads: orNull(g.spreads.map(nomadSpread)),
    Tasks: g.tasks.map(task),
    RestartPolicy: restartPolicy(g.restart),
    ReschedulePolicy: reschedulePolicy(g.reschedule),
    EphemeralDisk: { Sticky: gs?.ephemeralDisk?.sticky ?? false, Migrate: gs?.ephemeralDisk?.migrate ?? false, SizeMB: g.ephemeralDiskMB },
    Update: update ? nomadUpdate(update) : null,
    Networks: orNull(g.networks.map(network)),
    Meta: mapOrNull(g.meta),
    Services: orNull(g.services.map(service)),
    ShutdownDelay: g.shutdownDelay > 0 ? msToNanos(g.shutdownDelay) : null,
  };
}

function periodic(job: Job): NomadPeriodicConfig | null {
  const p = job.periodic;
  if (!p) return null;
  // One cron reads best as Nomad's single Spec (older clients look only there); several go in Specs.
  const single = p.crons.length === 1;
  return {
    Enabled: p.enabled ?? true,
    Spec: single ? p.crons[0]! : '',
    Specs: single ? [] : [...p.crons],
    SpecType: 'cron',
    ProhibitOverlap: p.prohibitOverlap ?? false,
    TimeZone: p.timeZone ?? 'UTC',
  };
}

function parameterized(job: Job): NomadParameterizedJobConfig | null {
  const p = job.parameterized;
  if (!p) return null;
  return { Payload: p.payload ?? 'optional', MetaRequired: orNull(p.metaRequired), MetaOptional: orNull(p.metaOptional) };
}

/** The user-written part of api.Job, from a version's spec and its canonical job. */
export function nomadJobSpec(job: Job, spec: NomadJobSpec) {
  return {
    Region: job.region,
    Namespace: job.namespace,
    ID: job.name,
    Name: job.name,
    Type: job.type,
    Priority: job.priority,
    AllAtOnce: false,
    Datacenters: [...job.datacenters],
    // Caravan has no node pools; Nomad names the pool every job is in by default.
    NodePool: 'default',
    Constraints: orNull(job.constraints.map(nomadConstraint)),
    Affinities: orNull(job.affinities.map(nomadAffinity)),
    Spreads: orNull(job.spreads.map(nomadSpread)),
    TaskGroups: job.taskGroups.map((g) =>
      taskGroup(
        job,
        spec,
        g,
        spec.taskGroups.find((s) => s.name === g.name),
      ),
    ),
    Update: jobUpdate(job, spec),
    Periodic: periodic(job),
    ParameterizedJob: parameterized(job),
    Meta: mapOrNull(job.meta),
    Stop: job.stop,
  };
}
