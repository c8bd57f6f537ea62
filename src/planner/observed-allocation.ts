import type { Millis } from '../model/duration.ts';
import type { RescheduleEvent } from './reschedule.ts';

/**
 * What the planner knows about one allocation (Pod), as the shell observed it. Times are epoch
 * milliseconds, so the planner never reads a clock.
 */
export interface ObservedContainer {
  readonly name: string;
  /** An init container (a prestart task): it finishing is expected. */
  readonly init: boolean;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly runningSince?: Millis;
  readonly terminated?: { readonly exitCode: number; readonly at: Millis; readonly reason?: string };
  readonly waitingReason?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
export type Health = 'healthy' | 'unhealthy';

/** Deployment health decided for an allocation (§2.7): once per deployment membership, with when. */
export interface RecordedHealth {
  readonly health: Health;
  readonly at: Millis;
}

export interface ObservedAllocation {
  readonly podName: string;
  /** Nomad's allocation ID. */
  readonly uid: string;
  readonly group: string;
  readonly index: number;
  readonly version: number;
  /** 0 for the first Pod of this name and version, then 1, 2, … for replacements. */
  readonly replacement: number;
  readonly canary: boolean;
  readonly phase: PodPhase;
  readonly createdAt: Millis;
  /** When a kubelet (kwok here) accepted the Pod: Nomad's client starts watching then. */
  readonly startedAt?: Millis;
  readonly nodeName?: string;
  /** System and sysbatch jobs: the node the allocation is pinned to, known before kube-scheduler binds it. */
  readonly node?: string;
  /** Since when the Pod's Ready condition has been True, if it is. */
  readonly readySince?: Millis;
  readonly containers: readonly ObservedContainer[];
  /** The caravan.dev/health annotation (manual health, or set through the HTTP API). */
  readonly manualHealth?: Health;
  /** The NomadDeployment it belongs to, by name. */
  readonly deployment?: string;
  /**
   * Health recorded for its deployment: in the deployment's status (`allocationHealth`), or on
   * the Pod, where Caravan recorded it before.
   */
  readonly recordedHealth?: RecordedHealth;
  readonly deleting: boolean;
  /** Earlier reschedules of this allocation name (Nomad's RescheduleTracker), from the Pod. */
  readonly rescheduleEvents?: readonly RescheduleEvent[];
}
