import { isDeepStrictEqual } from 'node:util';
import type { Job, Service, Task, TaskGroup } from './job.ts';

/**
 * How the allocations of a task group must change to move from one job version to another:
 * - none: nothing that concerns the group changed;
 * - in-place: they keep running and are relabelled to the new version (count, update strategy,
 *   restart and reschedule policies, priority, placement rules for new allocations, ...);
 * - destructive: each is stopped and replaced.
 * Reasons say what changed, for Events and logs.
 */
export type GroupChange =
  | { readonly kind: 'none' }
  | { readonly kind: 'in-place'; readonly reasons: readonly string[] }
  | { readonly kind: 'destructive'; readonly reasons: readonly string[] };

const same = isDeepStrictEqual;

/** Job, group and task meta merged (task wins), as Nomad hands it to the task. */
export function combinedMeta(job: Job, group: TaskGroup, task: Task): Record<string, string> {
  return { ...job.meta, ...group.meta, ...task.meta };
}

const checksOf = (services: readonly Service[]) => services.map((s) => ({ port: s.port, checks: s.checks }));

/**
 * Nomad's destructive-update rules (scheduler tasksUpdated), plus what Kubernetes cannot change
 * on a running Pod: its probes (from checks), init containers (prestart tasks), service account,
 * node selector, tolerations and priority class. A Nomad in-place update of those would
 * leave the Pod running the old definition, so Caravan replaces the allocation instead.
 */
function destructiveReasons(before: Job, after: Job, a: TaskGroup, b: TaskGroup): string[] {
  const reasons: string[] = [];
  const namesA = a.tasks.map((t) => t.name);
  const namesB = b.tasks.map((t) => t.name);
  if (!same(namesA, namesB)) reasons.push(`tasks changed from [${namesA.join(', ')}] to [${namesB.join(', ')}]`);
  if (a.ephemeralDiskMB !== b.ephemeralDiskMB) reasons.push(`ephemeral disk changed from ${a.ephemeralDiskMB} MB to ${b.ephemeralDiskMB} MB`);
  if (!same(a.networks, b.networks)) reasons.push('group network changed');
  if (!same(checksOf(a.services), checksOf(b.services))) reasons.push("group service checks changed (they are the Pods' readiness probes)");
  const kubernetesPodFields = ['serviceAccountName', 'nodeSelector', 'tolerations', 'priorityClassName'] as const;
  for (const field of kubernetesPodFields) {
    if (!same(a.kubernetes[field], b.kubernetes[field])) reasons.push(`kubernetes.${field} changed`);
  }
  for (const tb of b.tasks) {
    const ta = a.tasks.find((t) => t.name === tb.name);
    if (!ta) continue;
    const task = `task "${tb.name}"`;
    if (ta.driver !== tb.driver) reasons.push(`${task} driver changed`);
    if (ta.user !== tb.user) reasons.push(`${task} user changed`);
    if (!same(ta.config, tb.config)) reasons.push(`${task} config changed`);
    if (!same(ta.env, tb.env)) reasons.push(`${task} env changed`);
    if (!same(ta.resources, tb.resources)) reasons.push(`${task} resources changed`);
    if (!same(combinedMeta(before, a, ta), combinedMeta(after, b, tb))) reasons.push(`${task} meta changed (job, group and task meta reach the task)`);
    if (!same(ta.lifecycle, tb.lifecycle)) reasons.push(`${task} lifecycle changed`);
    if (!same(checksOf(ta.services), checksOf(tb.services))) reasons.push(`${task} service checks changed (they are its readiness probes)`);
  }
  return reasons;
}

const inPlaceFields = ['count', 'update', 'constraints', 'affinities', 'spreads', 'restart', 'reschedule', 'services', 'shutdownDelay'] as const;

function inPlaceReasons(before: Job, after: Job, a: TaskGroup, b: TaskGroup): string[] {
  const reasons: string[] = [];
  for (const field of inPlaceFields) {
    if (!same(a[field], b[field])) reasons.push(`${field} changed`);
  }
  if (!same(a.kubernetes.labels, b.kubernetes.labels) || !same(a.kubernetes.annotations, b.kubernetes.annotations))
    reasons.push('Pod labels or annotations changed');
  if (!same(a.tasks, b.tasks)) reasons.push('task settings that apply when a task stops or restarts changed');
  const jobFields = ['type', 'priority', 'datacenters', 'constraints', 'affinities', 'spreads', 'region'] as const;
  for (const field of jobFields) {
    if (!same(before[field], after[field])) reasons.push(`job ${field} changed`);
  }
  return reasons;
}

/**
 * Classifies the change of one task group between two versions of a job. A group missing from
 * `before` is all new allocations, and one missing from `after` is all stops. Neither of those
 * is an update, so both are reported as destructive.
 */
export function classifyGroupChange(before: Job, after: Job, groupName: string): GroupChange {
  const a = before.taskGroups.find((g) => g.name === groupName);
  const b = after.taskGroups.find((g) => g.name === groupName);
  if (!a || !b) return { kind: 'destructive', reasons: [a ? `group "${groupName}" was removed` : `group "${groupName}" is new`] };
  const destructive = destructiveReasons(before, after, a, b);
  if (destructive.length > 0) return { kind: 'destructive', reasons: destructive };
  const inPlace = inPlaceReasons(before, after, a, b);
  return inPlace.length > 0 ? { kind: 'in-place', reasons: inPlace } : { kind: 'none' };
}
