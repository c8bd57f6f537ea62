import type { Millis } from '../model/duration.ts';
import type { UpdateStrategy } from '../model/job.ts';
import type { ObservedAllocation, RecordedHealth } from './observed-allocation.ts';

/** Nomad's deployment statuses (multiregion ones left out: one Caravan serves one cluster). */
export type DeploymentStatus = 'running' | 'paused' | 'failed' | 'successful' | 'cancelled';

export function isActive(status: DeploymentStatus): boolean {
  return status === 'running' || status === 'paused';
}

export function isTerminal(status: DeploymentStatus): boolean {
  return !isActive(status);
}

/** Nomad's DeploymentState: one task group's part of a deployment. */
export interface DeploymentGroupState {
  readonly autoRevert: boolean;
  readonly autoPromote: boolean;
  /** 0 disables the progress deadline. */
  readonly progressDeadline: Millis;
  /** Undefined until the first allocation is placed. */
  readonly requireProgressBy?: Millis;
  /** Never goes back to false. */
  readonly promoted: boolean;
  /** Allocation IDs (Pod UIDs) placed as canaries. */
  readonly placedCanaries: readonly string[];
  readonly desiredCanaries: number;
  /** With canary steps (beyond Nomad): the current step, from 1, and the canaries it runs. */
  readonly canaryStep?: number;
  readonly stepCanaries?: number;
  readonly desiredTotal: number;
  readonly placedAllocs: number;
  readonly healthyAllocs: number;
  readonly unhealthyAllocs: number;
  /**
   * The health recorded for each allocation of the group, by Pod name, counted in the two above.
   * Kept with the counters, in one write, so a crash never leaves one without the other.
   */
  readonly allocationHealth?: Readonly<Record<string, RecordedHealth>>;
}

export interface Deployment {
  /** The NomadDeployment object, `<job>-v<version>`: one per job version. */
  readonly name: string;
  /** Nomad's deployment ID: the object's UID (undefined until it exists). */
  readonly id?: string;
  readonly jobVersion: number;
  readonly status: DeploymentStatus;
  readonly statusDescription: string;
  readonly groups: Readonly<Record<string, DeploymentGroupState>>;
  readonly createdAt: Millis;
}

export function deploymentName(job: string, version: number): string {
  return `${job}-v${version}`;
}

/** Nomad's refusal of each operation on a deployment that has ended (§2.4, §2.11-§2.13), exactly. */
export const terminalRefusals = {
  pause: "can't pause terminal deployment",
  resume: "can't resume terminal deployment",
  fail: "can't fail terminal deployment",
  promote: "can't promote terminal deployment",
  health: "can't set health of allocations for a terminal deployment",
  unblock: "can't unblock terminal deployment",
} as const;

/** Nomad's StatusDescription strings (nomad/structs/deployment.go), exactly. */
export const descriptions = {
  running: 'Deployment is running',
  runningNeedsPromotion: 'Deployment is running but requires manual promotion',
  runningAutoPromotion: 'Deployment is running pending automatic promotion',
  paused: 'Deployment is paused',
  successful: 'Deployment completed successfully',
  stoppedJob: 'Cancelled because job is stopped',
  newerJob: 'Cancelled due to newer version of job',
  failedAllocations: 'Failed due to unhealthy allocations',
  progressDeadline: 'Failed due to progress deadline',
  failedByUser: 'Deployment marked as failed',
} as const;

/** The auto-revert suffixes Nomad appends to a failure description. */
export const revertDescription = {
  rollingBack: (base: string, version: number) => `${base} - rolling back to job version ${version}`,
  sameSpec: (base: string, version: number) => `${base} - not rolling back to stable job version ${version} as current job has same specification`,
  noStable: (base: string) => `${base} - no stable job version to auto revert to`,
} as const;

/** Nomad's RequiresPromotion: running, and some group has unpromoted canaries. */
export function requiresPromotion(d: Pick<Deployment, 'status' | 'groups'>): boolean {
  return d.status === 'running' && Object.values(d.groups).some((g) => g.desiredCanaries > 0 && !g.promoted);
}

/** Nomad's HasAutoPromote: every canary group auto-promotes. */
export function hasAutoPromote(d: Pick<Deployment, 'status' | 'groups'>): boolean {
  const canaryGroups = Object.values(d.groups).filter((g) => g.desiredCanaries > 0);
  return d.status === 'running' && canaryGroups.length > 0 && canaryGroups.every((g) => g.autoPromote);
}

/** The description of a running deployment (§2.2 rule 6, §2.4 rule 4). */
export function runningDescription(d: Pick<Deployment, 'status' | 'groups'>): string {
  if (!requiresPromotion(d)) return descriptions.running;
  return hasAutoPromote(d) ? descriptions.runningAutoPromotion : descriptions.runningNeedsPromotion;
}

export function isCanarying(g: DeploymentGroupState): boolean {
  return g.desiredCanaries !== 0 && !g.promoted;
}

/** The canaries the group must have healthy now: its current step's, or all of them. */
export function canariesNeeded(g: DeploymentGroupState): number {
  return g.stepCanaries ?? g.desiredCanaries;
}

/**
 * The allocations already placed for a deployment taking a group on: none, unless its object was
 * created and Pods placed for it before its first status landed (a crash in between). They count
 * as placed, or PlacedAllocs would lose them.
 */
export function placedBefore(allocs: readonly ObservedAllocation[], deploymentName: string): number {
  return allocs.filter((a) => !a.deleting && a.deployment === deploymentName).length;
}

/**
 * A group's state when a deployment takes it on (§2.2 rules 5-7): the strategy's flags, nothing
 * placed yet but `placedAllocs` (placedBefore); with canary steps (beyond Nomad; service and batch groups) it starts at the first step.
 */
export function newGroupState(
  strategy: UpdateStrategy,
  desiredCanaries: number,
  desiredTotal: number,
  steps: UpdateStrategy['canarySteps'] = [],
  placedAllocs = 0,
): DeploymentGroupState {
  return {
    autoRevert: strategy.autoRevert,
    autoPromote: strategy.autoPromote,
    progressDeadline: strategy.progressDeadline,
    promoted: false,
    placedCanaries: [],
    desiredCanaries,
    ...(steps.length > 0 && desiredCanaries > 0 ? { canaryStep: 1, stepCanaries: steps[0]!.canaries } : {}),
    desiredTotal,
    placedAllocs,
    healthyAllocs: 0,
    unhealthyAllocs: 0,
  };
}

/**
 * The allocations with the health their deployment's status records for them, which wins over a
 * record on the Pod (a group too large for the status, or Caravan before; moving an allocation
 * to another deployment clears that one).
 */
export function withRecordedHealth(allocations: readonly ObservedAllocation[], deployments: readonly Deployment[]): ObservedAllocation[] {
  const byName = new Map(deployments.map((d) => [d.name, d]));
  return allocations.map((a) => {
    const recorded = a.deployment === undefined ? undefined : byName.get(a.deployment)?.groups[a.group]?.allocationHealth?.[a.podName];
    return recorded ? { ...a, recordedHealth: recorded } : a;
  });
}
