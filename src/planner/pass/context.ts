import type { Millis } from '../../model/duration.ts';
import type { Job } from '../../model/job.ts';
import { withRecordedHealth, type Deployment } from '../deployment.ts';
import type { GroupOutcome } from '../group-reconcile.ts';
import type { Health, ObservedAllocation } from '../observed-allocation.ts';
import type { HealthRecord, Observed, Plan, PlanEvent } from '../plan-types.ts';

/** Why the current deployment fails in this pass, and whether a group asks for a revert. */
export interface Failure {
  readonly base: string;
  readonly autoRevert: boolean;
}

/**
 * One pass of the planner as explicit data: what was observed, and what the phases decided so
 * far. Each phase reads it and sets its own fields; nothing is shared through closures.
 */
export interface Pass {
  readonly o: Observed;
  readonly now: Millis;
  readonly version: number;
  readonly job: Job;
  /** Allocations not being deleted. */
  readonly live: readonly ObservedAllocation[];
  readonly events: PlanEvent[];
  /** Instants at which to look again. */
  readonly requeue: Millis[];
  /** The deployment of the target version this pass works on, as it stands so far. */
  current?: Deployment;
  /** A deployment of an older version (or of a stopped job) this pass cancels. */
  cancelled?: Deployment;
  /** Health decided in this pass (before it is on the Pods). */
  readonly recorded: Map<string, { readonly health: Health; readonly at: Millis }>;
  readonly health: HealthRecord[];
  failure?: Failure;
  intentError?: string;
  revertTo?: Plan['revertTo'];
  readonly outcomes: Map<string, GroupOutcome>;
}

export function startPass(o: Observed): Pass {
  return {
    o,
    now: o.now,
    version: o.target.version,
    job: o.target.job,
    live: withRecordedHealth(o.allocations, [...(o.earlier ?? []), ...(o.deployment ? [o.deployment] : [])]).filter((a) => !a.deleting),
    events: [],
    requeue: [],
    recorded: new Map(),
    health: [],
    outcomes: new Map(),
  };
}

export function event(pass: Pass, on: PlanEvent['on'], type: PlanEvent['type'], reason: string, message: string): void {
  pass.events.push({ on, type, reason, message });
}

/** An allocation's health for the current deployment: recorded on the Pod, or decided in this pass. */
export function healthOf(pass: Pass, a: ObservedAllocation): Health | undefined {
  // What this pass decided wins: a value set by hand can overwrite the recorded one (§2.13).
  return pass.recorded.get(a.podName)?.health ?? a.recordedHealth?.health;
}

/** The current deployment's live allocations. */
export function ofCurrent(pass: Pass): ObservedAllocation[] {
  const name = pass.current?.name;
  return name === undefined ? [] : pass.live.filter((a) => a.deployment === name);
}
