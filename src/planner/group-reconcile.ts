import type { Millis } from '../model/duration.ts';
import { classifyGroupChange } from '../model/group-change.ts';
import type { Job, TaskGroup } from '../model/job.ts';
import { isCanaryOf, isUnpromotedCanaryOfOther } from './canary-identity.ts';
import { canaryIndexes } from './canary-names.ts';
import { newGroupState, type Deployment, type DeploymentGroupState } from './deployment.ts';
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
  /**
   * Without a state: allocations placed for the deployment by a pass whose record of them (the
   * deployment's first status, or its object) a crash lost. They count as that pass counted them,
   * and the deployment takes the group on even when nothing is left to place.
   */
  readonly placedUnrecorded: number;
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
  /** System groups: DesiredTotal as recomputed in this pass (nodes where the group runs), for a deployment already under way. */
  readonly desiredTotal?: number;
}

const byIndex = (a: ObservedAllocation, b: ObservedAllocation) => a.index - b.index;

/** The next free replacement number for an allocation name at a version. */
function nextReplacement(allocs: readonly ObservedAllocation[], index: number, version: number): number {
  const taken = allocs.filter((a) => a.index === index && a.version === version).map((a) => a.replacement);
  return taken.length === 0 ? 0 : Math.max(...taken) + 1;
}

/** One task group's pass as explicit data: the input, and what the steps below decide in turn. */
interface GroupPass {
  readonly input: GroupInput;
  readonly group: TaskGroup;
  readonly stop: Stop[];
  readonly stopped: Set<string>;
  readonly place: Placement[];
  readonly requeue: Millis[];
  /** Indexes whose lost or failed allocation is replaced in this pass. */
  readonly rescheduled: Set<number>;
  /** The current deployment's canary for this group, promoted or not. */
  readonly isCanary: (a: ObservedAllocation) => boolean;
  /** The current deployment has canaries for this group that are not promoted yet. */
  readonly canarying: boolean;
  /** Allocations still competing for `count` after the stops (set by stopDuplicatesAndExcess). */
  untainted: ObservedAllocation[];
  destructive: ObservedAllocation[];
  inPlace: InPlaceUpdate[];
}

function stopAlloc(g: GroupPass, a: ObservedAllocation, reason: Stop['reason']): void {
  if (g.stopped.has(a.podName)) return;
  g.stopped.add(a.podName);
  g.stop.push({ podName: a.podName, reason });
}

/** Places the replacement of an allocation at `version`, under its own name. */
function replacement(g: GroupPass, a: ObservedAllocation, version: number, reason: Placement['reason'], extra: Partial<Placement> = {}): Placement {
  return { group: g.input.name, index: a.index, version, replacement: nextReplacement(g.input.allocs, a.index, version), canary: false, reason, ...extra };
}

/** While canarying, replacements run the version the old allocation ran, not the unpromoted one (Nomad's "downgrade", §2.1 step 11). */
const replacementVersion = (g: GroupPass, a: ObservedAllocation) => (g.canarying ? a.version : g.input.version);

/** Unpromoted canaries of an older deployment, or of a failed current one, stop (§2.3 rule 6). */
function stopUnneededCanaries(g: GroupPass): void {
  const { input } = g;
  const promoted = input.state?.promoted ?? false;
  for (const a of input.allocs) {
    if (isUnpromotedCanaryOfOther(a, input.deploymentName, input.otherDeployments) || (input.failed && !promoted && g.isCanary(a)))
      stopAlloc(g, a, stopReasons.notNeeded);
  }
}

/**
 * Allocations on a lost node are replaced at once, whatever the deployment's state. A lost canary
 * is not replaced directly: the canary placement places it again.
 */
function replaceLost(g: GroupPass): void {
  for (const a of g.input.allocs.filter((x) => x.nodeName !== undefined && g.input.lostNodes.has(x.nodeName) && !g.stopped.has(x.podName))) {
    stopAlloc(g, a, stopReasons.lost);
    if (g.canarying && g.isCanary(a)) continue;
    g.rescheduled.add(a.index);
    g.place.push(replacement(g, a, replacementVersion(g, a), 'lost'));
  }
}

/** Failed allocations are rescheduled per policy, except those of a failed deployment (§2.15). */
function rescheduleFailed(g: GroupPass): void {
  const { input } = g;
  for (const a of input.allocs.filter((x) => x.phase === 'Failed' && !g.stopped.has(x.podName))) {
    if (input.failed && a.deployment === input.deploymentName) continue;
    const failedAt = Math.max(a.startedAt ?? a.createdAt, ...a.containers.map((c) => c.terminated?.at ?? 0));
    const decision = rescheduleDecision(g.group.reschedule, a.rescheduleEvents ?? [], failedAt, input.now);
    if (decision.kind === 'later') g.requeue.push(decision.at);
    if (decision.kind !== 'now') continue;
    stopAlloc(g, a, stopReasons.rescheduled);
    g.rescheduled.add(a.index);
    g.place.push(
      replacement(g, a, replacementVersion(g, a), 'reschedule', {
        rescheduleEvents: [...(a.rescheduleEvents ?? []), { at: input.now, delay: input.now - failedAt }],
      }),
    );
  }
}

/**
 * What competes for `count`: service allocations that completed no longer count. Two allocations
 * with one name stop all but one first (canaries beside the allocations they will replace are the
 * one exception, until promotion); then what exceeds count stops (Nomad's computeStop, §2.1 step 6).
 */
function stopDuplicatesAndExcess(g: GroupPass): void {
  const { input } = g;
  const batch = input.job.type === 'batch' || input.job.type === 'sysbatch';
  const competing = () =>
    input.allocs.filter((a) => !g.stopped.has(a.podName) && (batch || a.phase !== 'Succeeded') && !(a.phase === 'Failed' && g.rescheduled.has(a.index)));
  const sharingNames = competing().filter((a) => !(g.canarying && g.isCanary(a)));
  for (const a of duplicatesToStop({ allocs: sharingNames, version: input.version, isCanary: g.isCanary, healthOf: input.healthOf }))
    stopAlloc(g, a, stopReasons.notNeeded);
  const rest = competing();
  for (const victim of excessToStop(
    rest.map((a) => ({ id: a.podName, index: a.index, canary: g.isCanary(a), migrating: false })),
    g.group.count,
    g.canarying,
  )) {
    stopAlloc(g, rest.find((a) => a.podName === victim.id)!, stopReasons.notNeeded);
  }
  g.untainted = competing();
}

/** Classifies what runs an older version against the target (§1.3): destructive or in place. */
function classify(g: GroupPass): void {
  const { input } = g;
  for (const a of [...g.untainted].sort(byIndex)) {
    if (a.version === input.version) continue;
    const before = input.jobs.get(a.version);
    const change = before ? classifyGroupChange(before, input.job, input.name) : { kind: 'destructive' as const };
    if (change.kind === 'destructive') g.destructive.push(a);
    else g.inPlace.push({ podName: a.podName, version: input.version, ...(g.group.update ? { deployment: input.deploymentName } : {}) });
  }
}

interface CanaryPlan {
  readonly wanted: boolean;
  readonly desired: number;
  /** Canaries placed now: the current step's with canary steps (beyond Nomad). */
  readonly now: number;
  readonly live: number;
  /** Placements wait: paused, failed, or canaries not yet promoted. */
  readonly halted: boolean;
}

/** Canaries (§2.3): only for destructive changes, never for a version already proven stable. */
function placeCanaries(g: GroupPass): CanaryPlan {
  const { input, group } = g;
  const strategy = group.update;
  const promoted = input.state?.promoted ?? false;
  const live = g.untainted.filter(g.isCanary);
  const wanted = strategy !== undefined && strategy.canary > 0 && g.destructive.length > 0 && !promoted && !input.provenStable;
  const desired = input.state?.desiredCanaries ?? (wanted ? strategy!.canary : 0);
  const steps = strategy?.canarySteps ?? [];
  const now = steps.length > 0 ? (input.state?.stepCanaries ?? steps[0]!.canaries) : (strategy?.canary ?? 0);
  const halted = input.paused || input.failed || (desired > 0 && !promoted);
  if (wanted && !input.paused && !input.failed && live.length < now) {
    const indexes = canaryIndexes(
      now - live.length,
      group.count,
      g.destructive.map((a) => a.index),
      new Set(g.untainted.filter((a) => !g.isCanary(a)).map((a) => a.index)),
      new Set(live.map((a) => a.index)),
    );
    for (const index of indexes)
      g.place.push({
        group: input.name,
        index,
        version: input.version,
        replacement: nextReplacement(input.allocs, index, input.version),
        canary: true,
        reason: 'canary',
      });
  }
  return { wanted, desired, now, live: live.length, halted };
}

/** Fresh names for the gap to `count`, lowest free index first (Nomad's allocNameIndex). */
function freshNames(g: GroupPass, canaries: CanaryPlan): Placement[] {
  const { input } = g;
  const counted = g.untainted.filter((a) => !(canaries.desired > 0 && !(input.state?.promoted ?? false) && g.isCanary(a)));
  const used = new Set([...counted.map((a) => a.index), ...g.rescheduled]);
  const fresh: Placement[] = [];
  for (let index = 0; fresh.length < g.group.count - counted.length - g.rescheduled.size; index++) {
    if (!used.has(index))
      fresh.push({
        group: input.name,
        index,
        version: input.version,
        replacement: nextReplacement(input.allocs, index, input.version),
        canary: false,
        reason: 'new',
      });
  }
  return fresh;
}

/**
 * Fresh placements, then destructive updates in ascending index order, within the rolling budget
 * (§2.6, §2.1 step 13); both wait while halted. Returns the fresh names and the destructive
 * updates left for later passes.
 */
function placeWithinBudget(g: GroupPass, canaries: CanaryPlan): { fresh: Placement[]; remainingDestructive: number } {
  const { input } = g;
  const fresh = freshNames(g, canaries);
  if (canaries.halted) return { fresh, remainingDestructive: g.destructive.length };
  let limit = placementLimit({
    count: g.group.count,
    maxParallel: g.group.update?.maxParallel ?? 0,
    destructiveUpdates: g.destructive.length,
    migrating: 0,
    newDeployment: input.state === undefined,
    halted: false,
    deploymentAllocHealth: g.untainted
      .filter((a) => a.deployment === input.deploymentName && a.version === input.version && !g.isCanary(a))
      .map(input.healthOf),
  });
  g.place.push(...fresh);
  limit -= Math.min(limit, fresh.length + g.rescheduled.size);
  const now = g.destructive.slice(0, Math.max(0, limit));
  for (const a of now) {
    stopAlloc(g, a, stopReasons.destructive);
    g.place.push(replacement(g, a, input.version, 'destructive update'));
  }
  return { fresh, remainingDestructive: g.destructive.length - now.length };
}

/** One task group's part of a reconcile (Nomad §2.1 step 4), one safe step per pass. */
export function reconcileGroup(input: GroupInput): GroupOutcome {
  const { group, allocs } = input;
  const promoted = input.state?.promoted ?? false;
  const g: GroupPass = {
    input,
    group: group!,
    stop: [],
    stopped: new Set(),
    place: [],
    requeue: [],
    rescheduled: new Set(),
    isCanary: (a) => isCanaryOf(a, input.deploymentName, input.state),
    canarying: input.state !== undefined && input.state.desiredCanaries > 0 && !promoted,
    untainted: [],
    destructive: [],
    inPlace: [],
  };
  if (!group || group.count === 0) {
    for (const a of allocs) stopAlloc(g, a, stopReasons.notNeeded);
    return { place: [], stop: g.stop, inPlace: [], nothingLeft: allocs.length === 0 };
  }
  stopUnneededCanaries(g);
  replaceLost(g);
  rescheduleFailed(g);
  stopDuplicatesAndExcess(g);
  classify(g);
  const canaries = placeCanaries(g);
  const { fresh, remainingDestructive } = placeWithinBudget(g, canaries);
  return outcome(g, canaries, fresh, remainingDestructive);
}

/** The group's placements, its new deployment state if it needs one (§2.2), and whether anything is left. */
function outcome(g: GroupPass, canaries: CanaryPlan, fresh: readonly Placement[], remainingDestructive: number): GroupOutcome {
  const { input, group } = g;
  const strategy = group.update;
  const state = input.state;
  // A deployment only with a strategy, and only for work at a new version.
  const work = g.destructive.length + g.inPlace.length + g.place.filter((p) => !p.canary).length;
  const alreadyAtTarget = g.untainted.some((a) => a.version === input.version) && g.destructive.length === 0 && g.inPlace.length === 0;
  const before = state === undefined ? input.placedUnrecorded : 0;
  const needsDeployment = strategy !== undefined && state === undefined && ((work > 0 && !alreadyAtTarget) || before > 0);
  const joins = strategy !== undefined && (state !== undefined || needsDeployment);
  // At most `count` placements per pass, canaries included (§2.1 step 16): canary > count is
  // reached over several passes (§2.3 rule 5).
  const placed = neverBesideLive(g.place, input.allocs, g.stopped, (a) => g.canarying && g.isCanary(a))
    .slice(0, group.count)
    .map((p) => (joins ? { ...p, deployment: input.deploymentName } : p));
  const steps = strategy?.canarySteps ?? [];
  const newState: DeploymentGroupState | undefined = needsDeployment
    ? newGroupState(strategy!, canaries.desired, g.destructive.length + g.inPlace.length + fresh.length + g.rescheduled.size + before, steps, before)
    : undefined;
  const missingCanaries = canaries.wanted && canaries.live < canaries.now;
  const nothingLeft =
    placed.length === 0 &&
    g.inPlace.length === 0 &&
    remainingDestructive === 0 &&
    g.requeue.length === 0 &&
    !missingCanaries &&
    (!canaries.halted || fresh.length === 0);
  return {
    place: placed,
    stop: g.stop,
    inPlace: joins ? g.inPlace : g.inPlace.map(({ deployment: _, ...rest }) => rest),
    ...(newState ? { newState } : {}),
    nothingLeft,
    ...(g.requeue.length > 0 ? { requeueAt: Math.min(...g.requeue) } : {}),
  };
}

/**
 * The last guard on names: an allocation is never placed under a name that a live allocation
 * still holds (one not stopped in this pass), except a canary beside the allocation it will
 * replace. The rules above never ask for that; this keeps a disagreement between observations
 * from ever becoming a second live allocation of one name.
 */
function neverBesideLive(
  place: readonly Placement[],
  allocs: readonly ObservedAllocation[],
  stopped: ReadonlySet<string>,
  besideOld: (a: ObservedAllocation) => boolean,
): Placement[] {
  const held = new Set(allocs.filter((a) => !stopped.has(a.podName) && !besideOld(a)).map((a) => a.index));
  return place.filter((p) => p.canary || !held.has(p.index));
}
