import type { Millis } from '../model/duration.ts';
import { classifyGroupChange } from '../model/group-change.ts';
import type { TaskGroup } from '../model/job.ts';
import { isCanaryOf, isUnpromotedCanaryOfOther } from './canary-identity.ts';
import { newGroupState, type DeploymentGroupState } from './deployment.ts';
import type { GroupInput, GroupOutcome } from './group-reconcile.ts';
import { nodeEligibility, inDatacenters, type ObservedNode } from './node-feasibility.ts';
import type { ObservedAllocation } from './observed-allocation.ts';
import { stopReasons, type InPlaceUpdate, type Placement, type Stop } from './plan-types.ts';
import { placementLimit } from './rolling.ts';

/** What the per-node schedulers need beyond a group's input. */
export interface NodeGroupInput extends GroupInput {
  readonly type: 'system' | 'sysbatch';
  readonly nodes: readonly ObservedNode[];
  /**
   * Sysbatch: nodes created after this instant are not run on (Nomad creates no node-update evals
   * for sysbatch, §4 rule 5): the target version's submit time, or a later forced evaluation.
   */
  readonly runOnNodesSince: Millis;
}

/** The node an allocation is pinned to (the Pod's node affinity), or where it was bound. */
export const pinnedNode = (a: ObservedAllocation): string | undefined => a.node ?? a.nodeName;

const terminal = (a: ObservedAllocation) => a.phase === 'Succeeded' || a.phase === 'Failed';

/** Which of several live allocations on one node stays: the target version's, a canary, then the newest. */
function keeper(allocs: readonly ObservedAllocation[], version: number, isCanary: (a: ObservedAllocation) => boolean): ObservedAllocation {
  const rank = (a: ObservedAllocation) => [a.version === version ? 1 : 0, isCanary(a) ? 1 : 0, a.createdAt, a.replacement] as const;
  return [...allocs].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
    return a.podName < b.podName ? -1 : 1;
  })[0]!;
}

/** The next free replacement number for the allocation of a node at a version. */
function nextReplacement(allocs: readonly ObservedAllocation[], node: string, version: number): number {
  const taken = allocs.filter((a) => pinnedNode(a) === node && a.version === version).map((a) => a.replacement);
  return taken.length === 0 ? 0 : Math.max(...taken) + 1;
}

/** A system group's canaries: `canary` is a percentage of the destructive updates, rounded up, capped at max_parallel (§3.6 rule 5). */
export function systemCanaries(canaryPercent: number, destructive: number, maxParallel: number): number {
  if (canaryPercent <= 0 || destructive === 0) return 0;
  const wanted = Math.ceil((canaryPercent * destructive) / 100);
  return maxParallel > 0 ? Math.min(wanted, maxParallel) : wanted;
}

/**
 * One task group of a system or sysbatch job (Nomad's NodeReconciler, §3.2 and §4): one
 * allocation per eligible node, named `<job>.<group>[0]` on each. A lost node's allocation is
 * stopped and placed nowhere else; a cordoned node keeps what runs at the current version and
 * gets nothing new; constraints are checked only when placing. System updates roll under
 * max_parallel through a deployment, with percentage canaries; sysbatch runs once per node per
 * version.
 */
export function reconcileNodeGroup(input: NodeGroupInput): GroupOutcome {
  const { group, allocs, version, type } = input;
  const stop: Stop[] = [];
  const stopped = new Set<string>();
  const place: Placement[] = [];
  const stopAlloc = (a: ObservedAllocation, reason: Stop['reason']) => {
    if (stopped.has(a.podName)) return;
    stopped.add(a.podName);
    stop.push({ podName: a.podName, reason });
  };
  if (!group || group.count === 0) {
    for (const a of allocs) stopAlloc(a, stopReasons.notNeeded);
    return { place: [], stop, inPlace: [], nothingLeft: allocs.length === 0 };
  }
  const state = input.state;
  const promoted = state?.promoted ?? false;
  const isCanary = (a: ObservedAllocation) => isCanaryOf(a, input.deploymentName, state);
  const strategy = type === 'system' ? group.update : undefined;
  const halted = input.paused || input.failed;
  const at = (a: ObservedAllocation, reason: Placement['reason'], extra: Partial<Placement> = {}): Placement => {
    const node = pinnedNode(a)!;
    return { group: input.name, index: 0, version, replacement: nextReplacement(allocs, node, version), canary: false, reason, node, ...extra };
  };

  // Unpromoted canaries of another deployment, or of this one once it failed, stop (§2.3 rule 6).
  for (const a of allocs) {
    if (isUnpromotedCanaryOfOther(a, input.deploymentName, input.otherDeployments) || (input.failed && !promoted && isCanary(a)))
      stopAlloc(a, stopReasons.notNeeded);
  }

  const nodes = new Map(input.nodes.map((n) => [n.name, n]));
  const byNode = new Map<string, ObservedAllocation[]>();
  for (const a of allocs.filter((x) => !stopped.has(x.podName))) {
    const node = pinnedNode(a);
    if (node === undefined)
      stopAlloc(a, stopReasons.notNeeded); // not a per-node allocation
    else byNode.set(node, [...(byNode.get(node) ?? []), a]);
  }

  const destructive: ObservedAllocation[] = [];
  const inPlace: InPlaceUpdate[] = [];
  const fresh: Placement[] = [];
  /** Nodes whose group runs (or will run) at the target version after this pass: the deployment's DesiredTotal. */
  const running = new Set<string>();
  const eligible = (n: ObservedNode | undefined) => n !== undefined && nodeEligibility(input.job, group, n).eligible;

  for (const [nodeName, onNode] of byNode) {
    const kept = keeper(onNode, version, isCanary);
    for (const a of onNode) if (a !== kept) stopAlloc(a, stopReasons.notNeeded);
    const a = kept;
    const node = nodes.get(nodeName);
    // A node gone or NotReady loses the allocation; nothing is placed elsewhere. Work that finished is never lost (§4 rule 3).
    if (node === undefined || input.lostNodes.has(nodeName) || !node.ready) {
      if (!(type === 'sysbatch' && a.phase === 'Succeeded')) stopAlloc(a, stopReasons.lost);
      continue;
    }
    if (!inDatacenters(input.job, node)) {
      stopAlloc(a, stopReasons.notNeeded);
      continue;
    }
    if (a.version !== version) {
      // An ineligible (cordoned) node keeps its allocation only while the job is unchanged.
      if (node.unschedulable) {
        stopAlloc(a, stopReasons.notNeeded);
        continue;
      }
      const before = input.jobs.get(a.version);
      const change = before ? classifyGroupChange(before, input.job, input.name) : { kind: 'destructive' as const };
      if (type === 'system' && change.kind !== 'destructive' && !terminal(a)) {
        inPlace.push({ podName: a.podName, version, ...(strategy ? { deployment: input.deploymentName } : {}) });
        running.add(nodeName);
      } else if (!eligible(node)) {
        stopAlloc(a, stopReasons.notNeeded); // the replacement would not be feasible here
      } else if (type === 'sysbatch') {
        // A spec change runs every node again, at once (no update block for sysbatch).
        stopAlloc(a, terminal(a) ? stopReasons.notNeeded : stopReasons.destructive);
        place.push(at(a, 'destructive update'));
      } else {
        destructive.push(a);
        running.add(nodeName);
      }
      continue;
    }
    if (type === 'system' && terminal(a) && !node.unschedulable && eligible(node) && !halted) {
      // A finished or failed system allocation is placed again on its node (§3.2, §3.4).
      stopAlloc(a, a.phase === 'Failed' ? stopReasons.rescheduled : stopReasons.notNeeded);
      place.push(at(a, 'reschedule'));
    }
    running.add(nodeName);
  }

  // Eligible nodes without the group's allocation get one (sysbatch: only nodes there when the version was evaluated).
  for (const node of [...input.nodes].sort((x, y) => (x.name < y.name ? -1 : 1))) {
    if (byNode.has(node.name) || !eligible(node)) continue;
    if (type === 'sysbatch' && node.createdAt > input.runOnNodesSince) continue;
    fresh.push({
      group: input.name,
      index: 0,
      version,
      replacement: nextReplacement(allocs, node.name, version),
      canary: false,
      reason: 'new',
      node: node.name,
    });
    running.add(node.name);
  }

  // Canaries, then destructive updates node by node within the max_parallel budget (§3.6).
  destructive.sort((x, y) => (pinnedNode(x)! < pinnedNode(y)! ? -1 : 1));
  const liveCanaries = allocs.filter((a) => !stopped.has(a.podName) && isCanary(a) && a.version === version);
  const wantCanaries = strategy !== undefined && strategy.canary > 0 && destructive.length > 0 && !promoted && !input.provenStable && version > 0;
  const desiredCanaries = state?.desiredCanaries ?? (wantCanaries ? systemCanaries(strategy!.canary, destructive.length, strategy!.maxParallel) : 0);
  const missingCanaries = wantCanaries && !halted ? Math.max(0, desiredCanaries - liveCanaries.length) : 0;
  const canaries = destructive.splice(0, missingCanaries);
  for (const a of canaries) {
    stopAlloc(a, stopReasons.destructive);
    place.push(at(a, 'canary', { canary: true }));
  }
  const waiting = halted || (desiredCanaries > 0 && !promoted);
  let now: ObservedAllocation[] = [];
  if (!waiting) {
    const limit = placementLimit({
      count: running.size,
      maxParallel: strategy?.maxParallel ?? 0,
      destructiveUpdates: destructive.length,
      migrating: 0,
      newDeployment: state === undefined,
      halted: false,
      deploymentAllocHealth: allocs
        .filter((a) => !stopped.has(a.podName) && a.deployment === input.deploymentName && a.version === version && !isCanary(a))
        .map(input.healthOf),
    });
    now = destructive.slice(0, Math.max(0, limit - canaries.length));
    for (const a of now) {
      stopAlloc(a, stopReasons.destructive);
      place.push(at(a, 'destructive update'));
    }
  }
  // A canary whose allocation was stopped before the canary was created (a crash between the two
  // writes) finds an empty node: that placement is the canary, or the deployment waits for ever.
  const unplaced = state !== undefined && !promoted && !halted ? Math.max(0, state.desiredCanaries - liveCanaries.length - canaries.length) : 0;
  const freshNow = fresh.map((p, i) => (i < unplaced ? { ...p, canary: true, reason: 'canary' as const } : p));
  if (!halted) place.push(...freshNow);
  return outcome(input, group, { place, stop, stopped, inPlace, destructive, now, fresh, running, desiredCanaries, missingCanaries, halted, liveCanaries });
}

interface Decided {
  readonly place: Placement[];
  readonly stop: Stop[];
  readonly stopped: ReadonlySet<string>;
  readonly inPlace: InPlaceUpdate[];
  readonly destructive: readonly ObservedAllocation[];
  readonly now: readonly ObservedAllocation[];
  readonly fresh: readonly Placement[];
  readonly running: ReadonlySet<string>;
  readonly desiredCanaries: number;
  readonly missingCanaries: number;
  readonly halted: boolean;
  readonly liveCanaries: readonly ObservedAllocation[];
}

/** The group's writes, the deployment state a new version needs (§3.6 rule 3), and DesiredTotal recomputed every pass (rule 4). */
function outcome(input: NodeGroupInput, group: TaskGroup, d: Decided): GroupOutcome {
  const strategy = input.type === 'system' ? group.update : undefined;
  const state = input.state;
  // Canaries are work too: with canary 100 every destructive update becomes one.
  const work = d.destructive.length + d.inPlace.length + d.place.length;
  const alreadyAtTarget = input.allocs.some((a) => a.version === input.version) && d.destructive.length === 0 && d.inPlace.length === 0;
  const before = state === undefined ? input.placedUnrecorded : 0;
  const needsDeployment = strategy !== undefined && state === undefined && ((work > 0 && !alreadyAtTarget) || before > 0);
  const joins = strategy !== undefined && (state !== undefined || needsDeployment);
  // The last guard: never a second live allocation on one node (a canary replaces the allocation it stops).
  const held = new Set(input.allocs.filter((a) => !d.stopped.has(a.podName)).map(pinnedNode));
  const placed = d.place.filter((p) => !held.has(p.node)).map((p) => (joins ? { ...p, deployment: input.deploymentName } : p));
  const newState: DeploymentGroupState | undefined = needsDeployment ? newGroupState(strategy!, d.desiredCanaries, d.running.size, [], before) : undefined;
  const remaining = d.destructive.length - d.now.length;
  const nothingLeft = placed.length === 0 && d.inPlace.length === 0 && remaining === 0 && d.missingCanaries === 0 && (!d.halted || d.fresh.length === 0);
  return {
    place: placed,
    stop: d.stop,
    inPlace: joins ? d.inPlace : d.inPlace.map(({ deployment: _, ...rest }) => rest),
    ...(newState ? { newState } : {}),
    ...(state !== undefined && strategy !== undefined ? { desiredTotal: d.running.size } : {}),
    nothingLeft,
  };
}
