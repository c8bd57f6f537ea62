/**
 * A plan's annotations (`POST /v1/job/:id/plan`): per task group, what the scheduler would do to
 * its allocations (api.DesiredUpdates, Nomad's scheduler reconcile), and the job diff annotated
 * with them as Nomad's scheduler/annotate.go does, which is what `nomad job plan` prints
 * ("Task Group: "web" (1 canary, 4 ignore)", "Count: "4" => "6" (forces create)").
 *
 * The counts are those of the first pass after the register, the one Nomad's plan simulates:
 * - fresh allocations and count increases are placed, count decreases stop the highest indexes;
 * - a changed job relabels the allocations of every group it does not replace (InPlaceUpdate,
 *   also for an untouched group: they move to the new version); an unchanged job ignores them;
 * - a destructive change with canaries places the canaries and ignores every old allocation (and
 *   holds count increases back) until promotion;
 * - without canaries it replaces at most max_parallel at once, less what new placements already
 *   took from that budget, and ignores the rest; a group without an update strategy replaces all.
 */
import { isDeepStrictEqual } from 'node:util';
import { classifyGroupChange } from '../../model/group-change.ts';
import type { Job, TaskGroup } from '../../model/job.ts';
import { placementLimit } from '../../planner/rolling.ts';
import type { NomadDesiredUpdates, NomadFieldDiff, NomadJobDiff, NomadTaskDiff, NomadTaskGroupDiff } from './types.ts';

/** The job as it runs now, with the live (not terminal) allocations of each group. */
export interface PlanCurrent {
  readonly job: Job;
  readonly liveAllocationsPerGroup: Readonly<Record<string, number>>;
}

const noUpdates: NomadDesiredUpdates = {
  Ignore: 0,
  Place: 0,
  Migrate: 0,
  Stop: 0,
  InPlaceUpdate: 0,
  DestructiveUpdate: 0,
  Canary: 0,
  Preemptions: 0,
  Disconnect: 0,
  Reconnect: 0,
  RescheduleNow: 0,
  RescheduleLater: 0,
};

const updates = (counts: Partial<NomadDesiredUpdates>): NomadDesiredUpdates => ({ ...noUpdates, ...counts });

/** The canaries a destructive change places now: the first step's with canary steps (beyond Nomad). */
function canariesNow(group: TaskGroup): number {
  const strategy = group.update;
  if (!strategy || strategy.canary === 0) return 0;
  const first = strategy.canarySteps[0];
  return first ? first.canaries : strategy.canary;
}

function groupUpdates(current: PlanCurrent, next: Job, group: TaskGroup): NomadDesiredUpdates {
  const live = current.liveAllocationsPerGroup[group.name] ?? 0;
  if (group.count === 0) return updates({ Stop: live });
  const Stop = Math.max(0, live - group.count);
  const kept = live - Stop;
  const fresh = Math.max(0, group.count - live);
  if (!current.job.taskGroups.some((g) => g.name === group.name)) return updates({ Place: group.count, Stop: live });
  if (isDeepStrictEqual(current.job, next)) return updates({ Ignore: kept, Place: fresh, Stop });
  const change = classifyGroupChange(current.job, next, group.name);
  if (change.kind !== 'destructive') return updates({ InPlaceUpdate: kept, Place: fresh, Stop });
  const canaries = Math.min(canariesNow(group), group.count);
  // Count increases wait for promotion, as Nomad holds back placements while canarying.
  if (canaries > 0 && kept > 0) return updates({ Canary: canaries, Ignore: kept, Stop });
  let limit = placementLimit({
    count: group.count,
    maxParallel: group.update?.maxParallel ?? 0,
    destructiveUpdates: kept,
    migrating: 0,
    newDeployment: true,
    halted: false,
    deploymentAllocHealth: [],
  });
  limit -= Math.min(limit, fresh);
  const DestructiveUpdate = Math.min(kept, limit);
  return updates({ Place: fresh, DestructiveUpdate, Ignore: kept - DestructiveUpdate, Stop });
}

/**
 * DesiredTGUpdates of a plan of `next` over `current` (undefined: the job is new): one entry per
 * group of either version, as Nomad's reconciler reports every group it has allocations or a
 * definition for.
 */
export function desiredUpdates(current: PlanCurrent | undefined, next: Job): Record<string, NomadDesiredUpdates> {
  const result: Record<string, NomadDesiredUpdates> = {};
  const live = (name: string) => current?.liveAllocationsPerGroup[name] ?? 0;
  for (const group of next.taskGroups) {
    if (next.stop) result[group.name] = updates({ Stop: live(group.name) });
    else result[group.name] = current ? groupUpdates(current, next, group) : updates({ Place: group.count });
  }
  const removed = new Set([...(current?.job.taskGroups.map((g) => g.name) ?? []), ...Object.keys(current?.liveAllocationsPerGroup ?? {})]);
  for (const name of removed) if (!(name in result)) result[name] = updates({ Stop: live(name) });
  return result;
}

// ---- annotating the diff (scheduler/annotate.go) --------------------------------------------

/** TaskGroupDiff.Updates keys, by DesiredUpdates field; zero counts are left out. */
const updateTypes = [
  ['Ignore', 'ignore'],
  ['Place', 'create'],
  ['Migrate', 'migrate'],
  ['Stop', 'destroy'],
  ['Canary', 'canary'],
  ['InPlaceUpdate', 'in-place update'],
  ['DestructiveUpdate', 'create/destroy update'],
] as const satisfies readonly (readonly [keyof NomadDesiredUpdates, string])[];

function countAnnotated(field: NomadFieldDiff): NomadFieldDiff {
  if (field.Name !== 'Count') return field;
  const old = field.Old === '' ? 0 : Number(field.Old);
  const next = field.New === '' ? 0 : Number(field.New);
  if (old === next) return field;
  return { ...field, Annotations: [...(field.Annotations ?? []), old < next ? 'forces create' : 'forces destroy'] };
}

/** Task objects Nomad can change in place; anything else, or any primitive field but KillTimeout, replaces the task. */
const inPlaceObjects = new Set(['Service', 'Constraint', 'Affinity', 'Spread', 'LogConfig']);

function taskAnnotations(task: NomadTaskDiff, group: NomadTaskGroupDiff): string[] | null {
  if (task.Type === 'None') return task.Annotations;
  const add = (a: string) => [...(task.Annotations ?? []), a];
  if (group.Type === 'Added' || group.Type === 'Deleted') {
    if (task.Type === 'Added') return add('forces create');
    if (task.Type === 'Deleted') return add('forces destroy');
  }
  const destructive =
    (task.Fields ?? []).some((f) => f.Name !== 'KillTimeout') ||
    (task.Objects ?? []).some((o) => !inPlaceObjects.has(o.Name) || (o.Name === 'LogConfig' && (o.Fields ?? []).some((f) => f.Name === 'Disabled')));
  return add(destructive ? 'forces create/destroy update' : 'forces in-place update');
}

function annotateGroup(group: NomadTaskGroupDiff, desired: Readonly<Record<string, NomadDesiredUpdates>>): NomadTaskGroupDiff {
  const counts = desired[group.Name];
  const Updates = counts
    ? { ...group.Updates, ...Object.fromEntries(updateTypes.filter(([key]) => counts[key] !== 0).map(([key, label]) => [label, counts[key]])) }
    : group.Updates;
  return {
    ...group,
    Updates,
    Fields: group.Fields && group.Fields.map(countAnnotated),
    Tasks: group.Tasks && group.Tasks.map((t) => ({ ...t, Annotations: taskAnnotations(t, group) })),
  };
}

/** The diff with a plan's annotations: group update counts, count changes, and what each task change forces. */
export function annotateJobDiff(diff: NomadJobDiff, desired: Readonly<Record<string, NomadDesiredUpdates>>): NomadJobDiff {
  return { ...diff, TaskGroups: diff.TaskGroups && diff.TaskGroups.map((g) => annotateGroup(g, desired)) };
}
