import type { Millis } from '../model/duration.ts';
import type { Job } from '../model/job.ts';
import type { JobVersion } from '../model/job-versions.ts';
import type { Deployment } from './deployment.ts';
import type { JobStatus } from './job-status.ts';
import type { GroupSummary } from './job-summary.ts';
import type { ObservedNode } from './node-feasibility.ts';
import type { Health, ObservedAllocation } from './observed-allocation.ts';
import type { PromoteRequest } from './promotion.ts';
import type { RescheduleEvent } from './reschedule.ts';

/** What an operator declared on a NomadDeployment's spec. */
export interface DeploymentIntent {
  readonly paused?: boolean;
  readonly promote?: PromoteRequest;
  readonly failed?: boolean;
  /** Canary steps with an approval gate are approved up to this step (from 1). */
  readonly approveCanaryStep?: number;
}

export interface ObservedDeployment extends Deployment {
  readonly intent: DeploymentIntent;
}

/** Everything one reconcile decides on (gathered from caches by the shell; no clock, no I/O). */
export interface Observed {
  readonly job: { readonly name: string; readonly namespace: string; readonly uid: string; readonly stop: boolean };
  /** The version to run: the newest, or the one an auto-revert recorded. */
  readonly target: JobVersion & { readonly job: Job };
  /** Canonical jobs of the versions in the history, by number (for classifying changes). */
  readonly jobs: ReadonlyMap<number, Job>;
  readonly history: readonly JobVersion[];
  /** The job's newest NomadDeployment, whatever its status. */
  readonly deployment?: ObservedDeployment;
  /** The job's older NomadDeployments, newest first: whether their canaries were promoted. */
  readonly earlier?: readonly Deployment[];
  readonly allocations: readonly ObservedAllocation[];
  /** Nodes that are gone or not Ready: their allocations are lost. */
  readonly lostNodes?: ReadonlySet<string>;
  /** The cluster's Nodes, for system and sysbatch jobs (one allocation per eligible node). */
  readonly nodes?: readonly ObservedNode[];
  /** The last forced evaluation (`/v1/job/:id/evaluate`): a sysbatch version then also runs on nodes that joined since. */
  readonly evaluatedAt?: Millis;
  readonly now: Millis;
}

export interface Placement {
  readonly group: string;
  readonly index: number;
  readonly version: number;
  readonly replacement: number;
  readonly canary: boolean;
  readonly deployment?: string;
  /** System and sysbatch jobs: the node the allocation is pinned to (its index is then always 0). */
  readonly node?: string;
  readonly reason: 'new' | 'canary' | 'destructive update' | 'reschedule' | 'lost';
  /** Carried to the replacement of a failed allocation (Nomad's RescheduleTracker). */
  readonly rescheduleEvents?: readonly RescheduleEvent[];
}

/** Nomad's DesiredDescription for a stop. */
export const stopReasons = {
  notNeeded: 'alloc not needed due to job update',
  destructive: 'alloc is being updated due to job update',
  rescheduled: 'alloc was rescheduled because it failed',
  lost: 'alloc is lost since its node is down',
} as const;

export interface Stop {
  readonly podName: string;
  readonly reason: (typeof stopReasons)[keyof typeof stopReasons];
}

/** An in-place update: the Pod keeps running and is relabelled to the new version. */
export interface InPlaceUpdate {
  readonly podName: string;
  readonly version: number;
  readonly deployment?: string;
}

export interface HealthRecord {
  readonly podName: string;
  readonly health: Health;
  readonly at: Millis;
  readonly reason?: string;
  /** Recorded on the Pod, not in the deployment's status: its group is too large (healthInStatusUpTo). */
  readonly onPod?: boolean;
}

export interface PlanEvent {
  readonly on: 'job' | 'deployment';
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** One reconcile's decisions, as plain data for the shell to apply. */
export interface Plan {
  readonly place: readonly Placement[];
  readonly stop: readonly Stop[];
  readonly inPlace: readonly InPlaceUpdate[];
  readonly health: readonly HealthRecord[];
  /** The current deployment as it should now be (new, changed or unchanged). */
  readonly deployment?: Deployment;
  /** A deployment of an older version (or of a stopped job) that this pass cancels. */
  readonly cancelled?: Deployment;
  readonly markStable?: number;
  /** Run this stable version's spec again as a new version (auto-revert; the spec is untouched). */
  readonly revertTo?: JobVersion;
  /** Operator intent that could not be honoured, in Nomad's words. */
  readonly intentError?: string;
  readonly jobStatus: JobStatus;
  /** Per task group allocation counts, as observed at the start of the pass. */
  readonly summary: Readonly<Record<string, GroupSummary>>;
  readonly events: readonly PlanEvent[];
  /** When to look again even if nothing changes (the earliest timer). */
  readonly requeueAt?: Millis;
  /**
   * The deployment fails this pass at its progress deadline: a verdict on health not seen, which
   * caches that lag behind the cluster would give wrongly, so the shell confirms it first.
   */
  readonly missedDeadline?: true;
}
