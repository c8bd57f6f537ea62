import { canonicalJob, groupUpdateStrategy, mergedUpdateStrategy } from './defaults.ts';
import { cronProblem, timeZoneProblem } from './periodic-schedule.ts';
import { placementProblems } from './placement.ts';
import { checksByTask } from './probes.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { Job, UpdateStrategy } from './job.ts';
import {
  jobTypes,
  supportedDrivers,
  type CheckSpec,
  type Driver,
  type JobType,
  type NomadJobSpec,
  type TaskGroupSpec,
  type TaskSpec,
  type UpdateSpec,
} from './nomad-job-spec.ts';
import { unsupportedFieldMessage, unsupportedGroupFields, unsupportedJobFields, unsupportedTaskFields, type UnsupportedField } from './unsupported-fields.ts';

/** One problem with a spec: where (a kubectl-style path under spec) and what, in words for users. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export type ParsedJob =
  | { readonly ok: true; readonly job: Job; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly FieldError[]; readonly warnings: readonly string[] };

/** Nomad's default maximum of all groups' counts together (job_max_count). */
export const maxTotalCount = 50_000;
/** Job and group names end up in Pod names and label values, which Kubernetes limits to 63. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Checks a NomadJob spec the way Nomad's Job.Validate and the register endpoint do (their exact
 * messages where they have one), plus what Caravan itself cannot run. Returns the canonical job
 * (defaults filled in) when there is no error. Pure: no I/O.
 */
export function parseNomadJob(name: string, namespace: string, spec: NomadJobSpec): ParsedJob {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const error = (path: string, message: string) => errors.push({ path, message });

  checkJobName(name, error);
  refuseUnsupported(spec, 'spec', unsupportedJobFields, error);
  const type = spec.type ?? 'service';
  checkJobType(spec, type, error);
  checkPeriodicAndParameterized(spec, type, error);
  if (type === 'system' && (spec.affinities ?? []).length > 0) error('spec.affinities', 'System jobs may not have an affinity block');
  if (type === 'system' && (spec.spreads ?? []).length > 0) error('spec.spreads', 'System jobs may not have a spread block');
  if (spec.update) validateDurations(spec.update, 'spec.update', error);
  checkJobPlacement(spec, type, error);
  if ([...(spec.spreads ?? []), ...(spec.taskGroups ?? []).flatMap((g) => g.spreads ?? [])].some((sp) => (sp.targets ?? []).length > 0)) {
    warnings.push("spread targets (percentages) are not enforced: kube-scheduler spreads allocations evenly over the attribute's values");
  }
  checkGroups(spec, type, error, warnings);
  if (autoPromotesSomeCanaryGroups(spec, type)) warnings.push('auto_promote must be true for all groups to enable automatic promotion');

  if (errors.length > 0) return { ok: false, errors, warnings };
  const job = canonicalJob(name, namespace, spec);
  warnings.push(...probeWarnings(job));
  return { ok: true, job, warnings };
}

function checkJobName(name: string, error: ErrorSink): void {
  if (!dnsLabel.test(name))
    error(
      'metadata.name',
      `job name ${JSON.stringify(name)} must be a DNS label (lowercase letters, digits and '-', at most 63 characters): it names the job's Pods and labels`,
    );
}

/** The job's type, priority, and the update block a batch job may not have. */
function checkJobType(spec: NomadJobSpec, type: JobType, error: ErrorSink): void {
  if (!jobTypes.includes(type)) error('spec.type', `Invalid job type: ${JSON.stringify(type)}`);
  const priority = spec.priority ?? 50;
  if (!Number.isInteger(priority) || priority < 1 || priority > 100) error('spec.priority', 'job priority must be between [1, 100]');
  if ((spec.type === 'batch' || spec.type === 'sysbatch') && spec.update) error('spec.update', `Job type "${spec.type}" does not allow update block`);
}

function checkPeriodicAndParameterized(spec: NomadJobSpec, type: JobType, error: ErrorSink): void {
  if (spec.periodic && type !== 'batch' && type !== 'sysbatch') error('spec.periodic', 'Periodic can only be used with "batch" or "sysbatch" scheduler');
  if (spec.periodic && spec.periodic.crons.length === 0) error('spec.periodic.crons', 'Must specify at least one cron expression');
  // With enabled false Nomad validates neither the block nor the type rule (§1.1); the crons are checked anyway, as they will run once enabled.
  spec.periodic?.crons.forEach((cron, i) => {
    const problem = cronProblem(cron);
    if (problem) error(`spec.periodic.crons[${i}]`, `Invalid cron spec ${JSON.stringify(cron)}: ${problem}`);
  });
  const zoneProblem = spec.periodic?.timeZone ? timeZoneProblem(spec.periodic.timeZone) : undefined;
  if (zoneProblem) error('spec.periodic.timeZone', `Invalid time zone ${JSON.stringify(spec.periodic!.timeZone)}: ${zoneProblem}`);
  if (spec.parameterized && type !== 'batch' && type !== 'sysbatch')
    error('spec.parameterized', 'Parameterized job can only be used with "batch" or "sysbatch" scheduler');
}

/** The job-level constraints and affinities, and datacenters (a pattern selects no Kubernetes node). */
function checkJobPlacement(spec: NomadJobSpec, type: JobType, error: ErrorSink): void {
  for (const problem of placementProblems(spec.constraints ?? [], spec.affinities ?? [], type === 'system' || type === 'sysbatch'))
    error(`spec.${problem.kind === 'constraint' ? 'constraints' : 'affinities'}[${problem.index}]`, problem.reason);
  for (const dc of spec.datacenters ?? []) {
    if (dc !== '*' && /[*?[]/.test(dc))
      error('spec.datacenters', `datacenter pattern ${JSON.stringify(dc)} cannot select nodes on Kubernetes; list the datacenters, or use "*"`);
  }
}

/** Each group (its name unique and a DNS label, then validateGroup), and the total count against job_max_count. */
function checkGroups(spec: NomadJobSpec, type: JobType, error: ErrorSink, warnings: string[]): void {
  const groups = spec.taskGroups ?? [];
  if (groups.length === 0) error('spec.taskGroups', 'Missing job task groups');
  const seen = new Map<string, number>();
  let total = 0;
  groups.forEach((group, i) => {
    const path = `spec.taskGroups[${i}]`;
    checkGroupName(group, i, path, seen, error);
    total += Math.max(0, group.count ?? 1);
    validateGroup(group, path, type, spec.update, error, warnings);
  });
  if (total > maxTotalCount) error('spec.taskGroups', `total count was greater than configured job_max_count: ${total} > ${maxTotalCount}`);
}

/** Group `i`'s name: present, not one an earlier group has (`seen`, updated here), a DNS label. */
function checkGroupName(group: TaskGroupSpec, i: number, path: string, seen: Map<string, number>, error: ErrorSink): void {
  if (!group.name) {
    error(path, `Job task group ${i + 1} missing name`);
    return;
  }
  const before = seen.get(group.name);
  if (before !== undefined) error(`${path}.name`, `Job task group ${i + 1} redefines '${group.name}' from group ${before + 1}`);
  else seen.set(group.name, i);
  if (!dnsLabel.test(group.name))
    error(`${path}.name`, `task group name ${JSON.stringify(group.name)} must be a DNS label (lowercase letters, digits and '-'): it names the group's Pods`);
}

/** Nomad promotes automatically only when every group with canaries auto-promotes. */
function autoPromotesSomeCanaryGroups(spec: NomadJobSpec, type: JobType): boolean {
  const groups = spec.taskGroups ?? [];
  const canaryGroups = groups.filter((g) => (groupUpdateStrategy(type, spec.update, g.update, g.count ?? 1)?.canary ?? 0) > 0);
  const autoPromoting = canaryGroups.filter((g) => groupUpdateStrategy(type, spec.update, g.update, g.count ?? 1)?.autoPromote);
  return autoPromoting.length > 0 && autoPromoting.length < canaryGroups.length;
}

/** Kubernetes runs one readiness probe per container: a task with more checks is decided by its first. */
function probeWarnings(job: Job): string[] {
  return job.taskGroups.flatMap((group) =>
    [...checksByTask(group)].flatMap(([task, checks]) =>
      checks.length > 1
        ? [
            `task "${task}" in group "${group.name}" has ${checks.length} checks; Kubernetes runs one readiness probe per container, so only the first (${JSON.stringify(checks[0]!.check.name)}) decides its health`,
          ]
        : [],
    ),
  );
}

type ErrorSink = (path: string, message: string) => void;

function refuseUnsupported(obj: object, path: string, table: Readonly<Record<string, UnsupportedField>>, error: ErrorSink): void {
  for (const [field, { reason }] of Object.entries(table)) {
    if (Object.hasOwn(obj, field) && (obj as Record<string, unknown>)[field] !== undefined) error(`${path}.${field}`, unsupportedFieldMessage(field, reason));
  }
}

function validateDurations(update: UpdateSpec, path: string, error: ErrorSink): void {
  for (const key of ['minHealthyTime', 'healthyDeadline', 'progressDeadline', 'stagger'] as const) {
    const text = update[key];
    if (text !== undefined && parseDuration(text) === undefined)
      error(`${path}.${key}`, `${JSON.stringify(text)} is not a duration; write it like "10s", "5m" or "1h30m"`);
  }
}

/** Canary steps (beyond Nomad): each a count or a percent, never shrinking, instead of `canary`. */
function validateCanarySteps(update: UpdateSpec, path: string, error: ErrorSink): void {
  const steps = update.canarySteps ?? [];
  if (steps.length === 0) error(`${path}.canarySteps`, 'canarySteps needs at least one step; leave it out for a single canary phase');
  if ((update.canary ?? 0) > 0) error(`${path}.canary`, 'canary and canarySteps cannot be used together: the last canary step sets the number of canaries');
  let previous = 0;
  steps.forEach((step, i) => {
    const at = `${path}.canarySteps[${i}]`;
    if ((step.count === undefined) === (step.percent === undefined)) error(at, 'a canary step needs either count or percent');
    if (step.count !== undefined && step.count < 1) error(`${at}.count`, `a canary step's count must be at least 1, got ${step.count}`);
    if (step.percent !== undefined && (step.percent < 1 || step.percent > 100))
      error(`${at}.percent`, `a canary step's percent must be from 1 to 100, got ${step.percent}`);
    if (step.pause !== undefined && parseDuration(step.pause) === undefined)
      error(`${at}.pause`, `${JSON.stringify(step.pause)} is not a duration; write it like "10s", "5m" or "1h30m"`);
    if (step.count !== undefined && step.count < previous) error(`${at}.count`, `canary steps cannot shrink: ${step.count} after ${previous}`);
    previous = step.count ?? previous;
  });
}

/** Nomad's UpdateStrategy.Validate, on the group's merged strategy. */
export function updateStrategyErrors(u: UpdateStrategy): string[] {
  const out: string[] = [];
  if (u.maxParallel < 0) out.push(`Max parallel can not be less than zero: ${u.maxParallel} < 0`);
  if (u.canary < 0) out.push(`Canary count can not be less than zero: ${u.canary} < 0`);
  if (u.canary === 0 && u.autoPromote) out.push('Auto Promote requires a Canary count greater than zero');
  if (u.minHealthyTime < 0) out.push(`Minimum healthy time may not be less than zero: ${formatDuration(u.minHealthyTime)}`);
  if (u.healthyDeadline <= 0) out.push(`Healthy deadline must be greater than zero: ${formatDuration(u.healthyDeadline)}`);
  if (u.progressDeadline < 0) out.push(`Progress deadline must be zero or greater: ${formatDuration(u.progressDeadline)}`);
  if (u.minHealthyTime >= u.healthyDeadline)
    out.push(`Minimum healthy time must be less than healthy deadline: ${formatDuration(u.minHealthyTime)} > ${formatDuration(u.healthyDeadline)}`);
  if (u.progressDeadline !== 0 && u.healthyDeadline >= u.progressDeadline)
    out.push(`Healthy deadline must be less than progress deadline: ${formatDuration(u.healthyDeadline)} > ${formatDuration(u.progressDeadline)}`);
  if (u.stagger <= 0) out.push(`Stagger must be greater than zero: ${formatDuration(u.stagger)}`);
  return out;
}

function validateGroup(group: TaskGroupSpec, path: string, type: JobType, jobUpdate: UpdateSpec | undefined, error: ErrorSink, warnings: string[]): void {
  refuseUnsupported(group, path, unsupportedGroupFields, error);
  const count = group.count ?? 1;
  if (count < 0) error(`${path}.count`, "Task group count can't be negative");
  if (type === 'system' && count > 1) error(`${path}.count`, `Job task group ${group.name} has count ${count}. Count cannot exceed 1 with system scheduler`);
  // Nomad's per-node schedulers place one allocation on each eligible node: no spreading, no preferences, no rescheduling elsewhere.
  if (type === 'system' && (group.affinities ?? []).length > 0) error(`${path}.affinities`, 'System jobs may not have an affinity block');
  if (type === 'system' && (group.spreads ?? []).length > 0) error(`${path}.spreads`, 'System jobs may not have a spread block');
  if ((type === 'system' || type === 'sysbatch') && group.reschedule)
    error(`${path}.reschedule`, 'System or sysbatch jobs should not have a reschedule policy');
  if ((type === 'batch' || type === 'sysbatch') && group.update) error(`${path}.update`, `Job type "${type}" does not allow update block`);
  if (group.update) validateDurations(group.update, `${path}.update`, error);
  // Nomad validates the merged strategy even when max_parallel 0 turns it off.
  const strategy = mergedUpdateStrategy(type, jobUpdate, group.update, count);
  for (const [where, update] of [
    ['spec.update', jobUpdate],
    [`${path}.update`, group.update],
  ] as const) {
    if (update?.canarySteps) validateCanarySteps(update, where, error);
  }
  if (strategy) {
    for (const message of updateStrategyErrors(strategy)) error(`${path}.update`, message);
    if (strategy.maxParallel > count && count > 1) {
      warnings.push(
        `Update max parallel count is greater than task group count (${strategy.maxParallel} > ${count}). A destructive change would result in the simultaneous replacement of all allocations.`,
      );
    }
  }

  for (const problem of placementProblems(group.constraints ?? [], group.affinities ?? [], type === 'system' || type === 'sysbatch'))
    error(`${path}.${problem.kind === 'constraint' ? 'constraints' : 'affinities'}[${problem.index}]`, problem.reason);
  const portLabels = new Set((group.networks ?? []).flatMap((n) => (n.ports ?? []).map((p) => p.label)));
  for (const [i, svc] of (group.services ?? []).entries()) {
    validateService(svc.port, svc.checks ?? [], `${path}.services[${i}]`, portLabels, error, group.tasks?.map((t) => t.name) ?? []);
  }

  const tasks = group.tasks ?? [];
  if (tasks.length === 0) error(`${path}.tasks`, `Missing tasks for task group ${JSON.stringify(group.name)}`);
  const seen = new Map<string, number>();
  tasks.forEach((task, i) => {
    const taskPath = `${path}.tasks[${i}]`;
    if (!task.name) error(taskPath, `Task ${i + 1} missing name`);
    else {
      const before = seen.get(task.name);
      if (before !== undefined) error(`${taskPath}.name`, `Task ${i + 1} redefines '${task.name}' from task ${before + 1}`);
      else seen.set(task.name, i);
    }
    validateTask(task, taskPath, portLabels, error, warnings);
  });
  if (!tasks.some((t) => !t.lifecycle || t.lifecycle.hook === 'poststart' || t.lifecycle.sidecar))
    error(`${path}.tasks`, `task group ${JSON.stringify(group.name)} needs a main task: prestart tasks run before the main tasks, not instead of them`);
}

function validateTask(task: TaskSpec, path: string, portLabels: ReadonlySet<string>, error: ErrorSink, warnings: string[]): void {
  refuseUnsupported(task, path, unsupportedTaskFields, error);
  const payloadFile = task.dispatchPayload?.file;
  if (payloadFile !== undefined && (payloadFile === '' || payloadFile.startsWith('/') || payloadFile.split('/').includes('..')))
    error(`${path}.dispatchPayload.file`, 'Dispatch Payload validation failed: destination escapes allocation directory');
  if (task.lifecycle?.hook === 'poststop')
    error(`${path}.lifecycle.hook`, 'lifecycle hook "poststop" cannot run on Kubernetes: a Pod has no step after its containers stop');
  if (task.user !== undefined && !/^\d+(:\d+)?$/.test(task.user))
    error(`${path}.user`, `user ${JSON.stringify(task.user)} must be a numeric UID or UID:GID: Kubernetes runs containers by number, not by name`);
  if (task.killSignal !== undefined)
    warnings.push(`task ${JSON.stringify(task.name)}: kill_signal is not used; Kubernetes stops containers with the image's STOPSIGNAL (SIGTERM by default)`);
  if (!supportedDrivers.includes(task.driver as Driver)) {
    error(
      `${path}.driver`,
      `driver ${JSON.stringify(task.driver)} cannot run on Caravan: tasks run as containers, so the driver must be one of ${supportedDrivers.join(', ')}`,
    );
  } else if (typeof task.config?.image !== 'string' || task.config.image === '') {
    error(`${path}.config.image`, `task ${JSON.stringify(task.name)} needs config.image: the ${task.driver} driver runs a container image`);
  }
  for (const label of task.config?.ports ?? []) {
    if (!portLabels.has(label)) error(`${path}.config.ports`, `port ${JSON.stringify(label)} is not defined in the task group's network block`);
  }
  const r = task.resources;
  if (r?.cpu !== undefined && r.cpu < 1) error(`${path}.resources.cpu`, `minimum CPU value is 1; got ${r.cpu}`);
  if (r?.memoryMB !== undefined && r.memoryMB < 10) error(`${path}.resources.memoryMB`, `minimum MemoryMB value is 10; got ${r.memoryMB}`);
  if (r?.memoryMaxMB !== undefined && r.memoryMaxMB !== 0 && r.memoryMaxMB < (r.memoryMB ?? 300)) {
    error(`${path}.resources.memoryMaxMB`, `MemoryMaxMB value (${r.memoryMaxMB}) should be larger than MemoryMB value (${r.memoryMB ?? 300})`);
  }
  for (const [i, svc] of (task.services ?? []).entries()) validateService(svc.port, svc.checks ?? [], `${path}.services[${i}]`, portLabels, error, [task.name]);
}

function validateService(
  port: string | undefined,
  checks: readonly CheckSpec[],
  path: string,
  portLabels: ReadonlySet<string>,
  error: ErrorSink,
  tasks: readonly string[],
): void {
  // A numeric port is allowed as is; a label must name a port of the group's network.
  if (port !== undefined && !/^\d+$/.test(port) && !portLabels.has(port))
    error(`${path}.port`, `port ${JSON.stringify(port)} is not defined in the task group's network block`);
  checks.forEach((check, i) => {
    const checkPath = `${path}.checks[${i}]`;
    if (check.type === 'http' && !check.path) error(`${checkPath}.path`, 'an http check needs a path');
    if (check.type === 'script' && !check.command) error(`${checkPath}.command`, 'a script check needs a command');
    if (check.type === 'script' && tasks.length > 1 && !check.task) error(`${checkPath}.task`, 'a group-level script check must name the task it runs in');
    const checkPort = check.port ?? port;
    if ((check.type === 'http' || check.type === 'tcp' || check.type === 'grpc') && checkPort === undefined)
      error(checkPath, `a ${check.type} check needs a port (on the check or its service)`);
    else if (check.port !== undefined && !/^\d+$/.test(check.port) && !portLabels.has(check.port))
      error(`${checkPath}.port`, `port ${JSON.stringify(check.port)} is not defined in the task group's network block`);
    for (const key of ['interval', 'timeout'] as const) {
      const text = check[key];
      if (text !== undefined && parseDuration(text) === undefined)
        error(`${checkPath}.${key}`, `${JSON.stringify(text)} is not a duration; write it like "10s"`);
    }
  });
}
