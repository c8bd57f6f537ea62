import type { Millis } from '../model/duration.ts';
import { classifyGroupChange } from '../model/group-change.ts';
import type { Job, TaskGroup } from '../model/job.ts';
import { isCanaryOf, isUnpromotedCanaryOfOther } from './canary-identity.ts';
import { canaryIndexes } from './canary-names.ts';
import type { Deployment, DeploymentGroupState } from './deployment.ts';
import { duplicatesToStop } from './duplicate-names.ts';
import type { Health, ObservedAllocation } from './observed-allocation.ts';
import { stopReasons, type InPlaceUpdate, type Placement, type Stop } from './plan-types.ts';
import { rescheduleDecision } from './reschedule.ts';
import { placementLimit } from './rolling.ts';
import { excessToStop } from './stop-excess.ts';

export interface GroupInput {
  readonly job: Job;
  readonly version: number;
  /** Undefined when the target version no longer has this group. */
  readonly group: TaskGroup | undefined;
  readonly name: string;
  /** The group's live (not deleting) allocations, every version. */
  readonly allocs: readonly ObservedAllocation[];
  readonly jobs: ReadonlyMap<number, Job>;
  /** The current deployment's name (existing, or to be created in this pass). */
  readonly deploymentName: string;
  /** The current deployment's state for this group, if it has one. */
  readonly state: DeploymentGroupState | undefined;
  /** The job's other deployments (older versions, or one this pass cancels): whose canaries were promoted. */
  readonly otherDeployments: readonly Deployment[];
  readonly paused: boolean;
  readonly failed: boolean;
  /** The target's spec already proved stable: no canary phase again (beyond Nomad: its #10882). */
  readonly provenStable: boolean;
  readonly healthOf: (a: ObservedAllocation) => Health | undefined;
  readonly lostNodes: ReadonlySet<string>;
  readonly now: Millis;
}

export interface GroupOutcome {
  readonly place: Placement[];
  readonly stop: Stop[];
  readonly inPlace: InPlaceUpdate[];
  /** The group state for a deployment created in this pass (undefined when none is needed). */
  readonly newState?: DeploymentGroupState;
  /** Nothing left to do for the group in this pass (Nomad §2.10 rule 1). */
  readonly nothingLeft: boolean;
  readonly requeueAt?: Millis;
}

const byIndex = (a: ObservedAllocation, b: ObservedAllocation) => a.index - b.index;

/** The next free replacement number for an allocation name at a version. */
function nextReplacement(allocs: readonly ObservedAllocation[], index: number, version: number): number {
  const taken = allocs.filter((a) => a.index === index && a.version === version).map((a) => a.replacement);
  return taken.length === 0 ? 0 : Math.max(...taken) + 1;
}

/** One task group's part of a reconcile (Nomad §2.1 step 4), one safe step per pass. */
export function reconcileGroup(input: GroupInput): GroupOutcome {
  const { group, allocs, version, now } = input;
  const stop: Stop[] = [];
  const stopped = new Set<string>();
  const stopAlloc = (a: ObservedAllocation, reason: Stop['reason']) => {
    if (!stopped.has(a.podName)) stopped.add(a.podName), stop.push({ podName: a.podName, reason });
  };
  if (!group || group.count === 0) {
    for (const a of allocs) stopAlloc(a, stopReasons.notNeeded);
    return { place: [], stop, inPlace: [], nothingLeft: allocs.length === 0 };
  }
  const strategy = group.update;
  const state = input.state;
  const promoted = state?.promoted ?? false;
  const isCanary = (a: ObservedAllocation) => isCanaryOf(a, input.deploymentName, state);

  // Unpromoted canaries of an older deployment, or of a failed current one, are stopped (§2.3 rule 6).
  for (const a of allocs) {
    if (isUnpromotedCanaryOfOther(a, input.deploymentName, input.otherDeployments) || (input.failed && !promoted && isCanary(a))) stopAlloc(a, stopReasons.notNeeded);
  }

  const place: Placement[] = [];
  const requeue: Millis[] = [];
  const rescheduled = new Set<number>();
  const canarying = state !== undefined && state.desiredCanaries > 0 && !promoted;
  // While canarying, replacements run the version the old allocation ran, not the unpromoted one
  // (Nomad's "downgrade", §2.1 step 11).
  const replacementVersion = (a: ObservedAllocation) => (canarying ? a.version : version);

  // Allocations on a lost node are replaced at once, whatever the deployment's state. A lost
  // canary is not replaced directly: the canary placement below places it again.
  for (const a of allocs.filter((x) => x.nodeName !== undefined && input.lostNodes.has(x.nodeName) && !stopped.has(x.podName))) {
    stopAlloc(a, stopReasons.lost);
    if (canarying && isCanary(a)) continue;
    rescheduled.add(a.index);
    const v = replacementVersion(a);
    place.push({ group: input.name, index: a.index, version: v, replacement: nextReplacement(allocs, a.index, v), canary: false, reason: 'lost' });
  }

  // Failed allocations are rescheduled per policy, except those of a failed deployment (§2.15).
  for (const a of allocs.filter((x) => x.phase === 'Failed' && !stopped.has(x.podName))) {
    if (input.failed && a.deployment === input.deploymentName) continue;
    const failedAt = Math.max(a.startedAt ?? a.createdAt, ...a.containers.map((c) => c.terminated?.at ?? 0));
    const decision = rescheduleDecision(group.reschedule, a.rescheduleEvents ?? [], failedAt, now);
    if (decision.kind === 'later') requeue.push(decision.at);
    if (decision.kind !== 'now') continue;
    stopAlloc(a, stopReasons.rescheduled);
    rescheduled.add(a.index);
    const delay = now - failedAt;
    const v = replacementVersion(a);
    place.push({
      group: input.name,
      index: a.index,
      version: v,
      replacement: nextReplacement(allocs, a.index, v),
      canary: false,
      reason: 'reschedule',
      rescheduleEvents: [...(a.rescheduleEvents ?? []), { at: now, delay }],
    });
  }

  // Service allocations that completed no longer count; what is left competes for `count`.
  const batch = input.job.type === 'batch' || input.job.type === 'sysbatch';
  let untainted = allocs.filter((a) => !stopped.has(a.podName) && (batch || a.phase !== 'Succeeded') && !(a.phase === 'Failed' && rescheduled.has(a.index)));
  // Two allocations with one name: all but one stop before anything is counted (canaries running
  // beside the allocations they will replace are the one exception, until promotion).
  const sharingNames = untainted.filter((a) => !(canarying && isCanary(a)));
  for (const a of duplicatesToStop({ allocs: sharingNames, version, isCanary, healthOf: input.healthOf })) stopAlloc(a, stopReasons.notNeeded);
  untainted = untainted.filter((a) => !stopped.has(a.podName));
  for (const victim of excessToStop(untainted.map((a) => ({ id: a.podName, index: a.index, canary: isCanary(a), migrating: false })), group.count, canarying)) {
    stopAlloc(untainted.find((a) => a.podName === victim.id)!, stopReasons.notNeeded);
  }
  untainted = untainted.filter((a) => !stopped.has(a.podName));

  // Classify the rest against the target version (§1.3).
  const destructive: ObservedAllocation[] = [];
  const inPlace: InPlaceUpdate[] = [];
  for (const a of [...untainted].sort(byIndex)) {
    if (a.version === version) continue;
    const before = input.jobs.get(a.version);
    const change = before ? classifyGroupChange(before, input.job, input.name) : { kind: 'destructive' as const };
    if (change.kind === 'destructive') destructive.push(a);
    else inPlace.push({ podName: a.podName, version, ...(strategy ? { deployment: input.deploymentName } : {}) });
  }

  // Canaries (§2.3): only for destructive changes, never for a version already proven stable.
  const liveCanaries = untainted.filter(isCanary);
  const wantsCanaries = strategy !== undefined && strategy.canary > 0 && destructive.length > 0 && !promoted && !input.provenStable;
  const desiredCanaries = state?.desiredCanaries ?? (wantsCanaries ? strategy!.canary : 0);
  // With canary steps, only the current step's canaries are placed (beyond Nomad).
  const steps = strategy?.canarySteps ?? [];
  const canariesNow = steps.length > 0 ? (state?.stepCanaries ?? steps[0]!.canaries) : (strategy?.canary ?? 0);
  const isCanarying = desiredCanaries > 0 && !promoted;
  const halted = input.paused || input.failed || isCanarying;
  if (wantsCanaries && !input.paused && !input.failed && liveCanaries.length < canariesNow) {
    const indexes = canaryIndexes(
      canariesNow - liveCanaries.length,
      group.count,
      destructive.map((a) => a.index),
      new Set(untainted.filter((a) => !isCanary(a)).map((a) => a.index)),
      new Set(liveCanaries.map((a) => a.index)),
    );
    for (const index of indexes) place.push({ group: input.name, index, version, replacement: nextReplacement(allocs, index, version), canary: true, reason: 'canary' });
  }

  // The rolling budget (§2.6).
  let limit = placementLimit({
    count: group.count,
    maxParallel: strategy?.maxParallel ?? 0,
    destructiveUpdates: destructive.length,
    migrating: 0,
    newDeployment: state === undefined,
    halted,
    deploymentAllocHealth: untainted.filter((a) => a.deployment === input.deploymentName && a.version === version && !isCanary(a)).map(input.healthOf),
  });

  // Fresh names for the gap to `count`, lowest free index first (Nomad's allocNameIndex); they
  // wait while paused, failed or canarying.
  const counted = untainted.filter((a) => !(isCanarying && isCanary(a)));
  const used = new Set([...counted.map((a) => a.index), ...rescheduled]);
  const fresh: Placement[] = [];
  for (let index = 0; fresh.length < group.count - counted.length - rescheduled.size; index++) {
    if (!used.has(index)) fresh.push({ group: input.name, index, version, replacement: nextReplacement(allocs, index, version), canary: false, reason: 'new' });
  }
  if (!halted) {
    place.push(...fresh);
    limit -= Math.min(limit, fresh.length + rescheduled.size);
  }

  // Destructive updates in ascending index order, within what the budget leaves (§2.1 step 13).
  let remainingDestructive = destructive.length;
  if (!halted) {
    for (const a of destructive.slice(0, Math.max(0, limit))) {
      stopAlloc(a, stopReasons.destructive);
      place.push({ group: input.name, index: a.index, version, replacement: nextReplacement(allocs, a.index, version), canary: false, reason: 'destructive update' });
      remainingDestructive--;
    }
  }

  // A deployment for this group (§2.2): only with a strategy, and only for work at a new version.
  const work = destructive.length + inPlace.length + place.filter((p) => !p.canary).length;
  const alreadyAtTarget = untainted.some((a) => a.version === version) && destructive.length === 0 && inPlace.length === 0;
  const needsDeployment = strategy !== undefined && state === undefined && work > 0 && !alreadyAtTarget;
  const joins = strategy !== undefined && (state !== undefined || needsDeployment);
  // At most `count` placements per pass, canaries included (§2.1 step 16): canary > count is
  // reached over several passes (§2.3 rule 5).
  const placed = neverBesideLive(place, allocs, stopped, (a) => canarying && isCanary(a))
    .slice(0, group.count)
    .map((p) => (joins ? { ...p, deployment: input.deploymentName } : p));
  const newState: DeploymentGroupState | undefined = needsDeployment
    ? {
        autoRevert: strategy!.autoRevert,
        autoPromote: strategy!.autoPromote,
        progressDeadline: strategy!.progressDeadline,
        promoted: false,
        placedCanaries: [],
        desiredCanaries,
        ...(steps.length > 0 && desiredCanaries > 0 ? { canaryStep: 1, stepCanaries: steps[0]!.canaries } : {}),
        desiredTotal: destructive.length + inPlace.length + fresh.length + rescheduled.size,
        placedAllocs: 0,
        healthyAllocs: 0,
        unhealthyAllocs: 0,
      }
    : undefined;
  const missingCanaries = wantsCanaries && liveCanaries.length < canariesNow;
  const nothingLeft = placed.length === 0 && inPlace.length === 0 && remainingDestructive === 0 && requeue.length === 0 && !missingCanaries && (!halted || fresh.length === 0);
  return {
    place: placed,
    stop,
    inPlace: joins ? inPlace : inPlace.map(({ deployment: _, ...rest }) => rest),
    ...(newState ? { newState } : {}),
    nothingLeft,
    ...(requeue.length > 0 ? { requeueAt: Math.min(...requeue) } : {}),
  };
}

/**
 * The last guard on names: an allocation is never placed under a name that a live allocation
 * still holds (one not stopped in this pass), except a canary beside the allocation it will
 * replace. The rules above never ask for that; this keeps a disagreement between observations
 * from ever becoming a second live allocation of one name.
 */
function neverBesideLive(place: readonly Placement[], allocs: readonly ObservedAllocation[], stopped: ReadonlySet<string>, besideOld: (a: ObservedAllocation) => boolean): Placement[] {
  const held = new Set(allocs.filter((a) => !stopped.has(a.podName) && !besideOld(a)).map((a) => a.index));
  return place.filter((p) => p.canary || !held.has(p.index));
}
