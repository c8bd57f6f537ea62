import type { Millis } from '../model/duration.ts';
import type { JobVersion } from '../model/job-versions.ts';
import type { Deployment } from '../planner/deployment.ts';
import type { Health } from '../planner/observed-allocation.ts';
import type { Placement, Plan, PlanEvent } from '../planner/plan-types.ts';

/**
 * One write a reconcile makes, as data. The list `writes()` returns is the order that makes every
 * kill -9 recoverable: a process that dies after any prefix of it leaves objects from which the
 * next pass plans the rest (tested on every prefix in test/unit/controller/writes.test.ts).
 */
export type Write =
  /** Mark a job version stable (its ControllerRevision's annotation). */
  | { readonly kind: 'markStable'; readonly version: number }
  /** Create a new deployment's NomadDeployment (its status is written apart, by the next kind). */
  | { readonly kind: 'createDeployment'; readonly deployment: Deployment }
  /** Write a NomadDeployment's status (creating the object first if it is still missing). */
  | { readonly kind: 'deploymentStatus'; readonly deployment: Deployment; readonly revertedJobVersion?: number; readonly intentError?: string }
  /**
   * Record a job version: the user's changed spec (`submitted`), or an auto-revert running a stable
   * version's spec again (`revert`).
   */
  | { readonly kind: 'recordVersion'; readonly version: JobVersion; readonly cause: 'submitted' | 'revert' }
  /** Record an allocation's health on its Pod: a group too large to keep it in the deployment's status. */
  | { readonly kind: 'recordHealth'; readonly podName: string; readonly health: Health; readonly at: Millis }
  /** Move a Pod to a new version in place: it keeps running, joins the deployment, is no canary of it. */
  | { readonly kind: 'moveInPlace'; readonly podName: string; readonly version: number; readonly deployment?: string }
  /** Delete Pods, all at once (any subset may land before a crash). */
  | { readonly kind: 'deletePods'; readonly pods: readonly { readonly podName: string; readonly lost: boolean }[] }
  /** Create Pods, all at once (any subset may land before a crash). */
  | { readonly kind: 'createPods'; readonly placements: readonly Placement[] }
  | { readonly kind: 'event'; readonly event: PlanEvent; readonly deployment?: Deployment }
  /** The NomadJob's status, last: it reports what the writes before it did. */
  | { readonly kind: 'jobStatus'; readonly history: readonly JobVersion[] };

export type WriteKind = Write['kind'];

/** What `writes()` needs besides the plan: the versions as observed, and the allocations' nodes. */
export interface WriteContext {
  readonly history: readonly JobVersion[];
  /** The version of the user's changed spec, planned from but not recorded yet (it is in `history`). */
  readonly submitted?: JobVersion;
  /** The version this pass ran: a revert records that it failed. */
  readonly target: number;
  /** Pods whose node is gone or not Ready: deleted without a grace period. */
  readonly lostPods: ReadonlySet<string>;
  /** The refusal already reported on the deployment: the same one is not evented again. */
  readonly previousRefusal?: string;
  readonly now: Millis;
}

/**
 * The plan as an ordered list of writes. Why this order:
 * 0. The version of the user's changed spec, which the plan was made from, comes first.
 * 1. A version is marked stable before its deployment says successful: a successful deployment
 *    is never planned again, so the mark must come first (marking twice is harmless).
 * 2. Deployment statuses come next: a cancelled one, then the current one with the health,
 *    counters, promotion and placed canaries this pass decided. Everything below refers to it: a
 *    Pod created for the deployment needs it to exist, and a promoted canary is known from
 *    `placedCanaries` before the old allocations are stopped.
 * 3. A failed deployment records `revertedJobVersion` before the revert version is recorded; a
 *    pass finding the first without the second records it (the reconciler's repairRevert).
 * 4. Health on Pods (groups too large to keep it in the status), then in-place moves, then
 *    deletes, then creates: a name is freed before it is taken again, and deterministic names
 *    make a retried create harmless.
 * 5. Events, then the job's status, which reports all of the above.
 * A deployment this pass creates is the exception to 2: its object is created first, and its first
 * status just before the creates. Nothing recorded can depend on a status it never had: one read
 * without status is a fresh running deployment (observeDeployment), and the plan re-attaches its
 * groups. `stages()` then sends the create with the deletes and the status with the creates.
 */
export function writes(plan: Plan, ctx: WriteContext): Write[] {
  const out: Write[] = [];
  if (ctx.submitted) out.push({ kind: 'recordVersion', version: ctx.submitted, cause: 'submitted' });
  if (plan.markStable !== undefined) out.push({ kind: 'markStable', version: plan.markStable });
  if (plan.cancelled) out.push({ kind: 'deploymentStatus', deployment: plan.cancelled });
  // A revert decided by this pass is recorded on the deployment before its version (3): not deferred.
  const fresh = plan.deployment !== undefined && plan.deployment.id === undefined && plan.revertTo === undefined;
  const status: Write[] = plan.deployment
    ? [
        {
          kind: 'deploymentStatus',
          deployment: plan.deployment,
          ...(plan.revertTo ? { revertedJobVersion: plan.revertTo.version } : {}),
          ...(plan.intentError ? { intentError: plan.intentError } : {}),
        },
      ]
    : [];
  if (plan.deployment && fresh) out.push({ kind: 'createDeployment', deployment: plan.deployment });
  else out.push(...status);
  let history = [...ctx.history];
  if (plan.markStable !== undefined) history = history.map((v) => (v.version === plan.markStable ? { ...v, stable: true } : v));
  if (plan.revertTo) {
    const latest = Math.max(...history.map((v) => v.version));
    const version: JobVersion = { ...plan.revertTo, version: latest + 1, stable: true, revertedFrom: ctx.target, submitTime: new Date(ctx.now).toISOString() };
    out.push({ kind: 'recordVersion', version, cause: 'revert' });
    history = [...history, version];
  }
  if (plan.intentError && plan.intentError !== ctx.previousRefusal) {
    out.push({
      kind: 'event',
      event: { on: 'deployment', type: 'Warning', reason: 'IntentRefused', message: plan.intentError },
      ...(plan.deployment ? { deployment: plan.deployment } : {}),
    });
  }
  for (const h of plan.health) if (h.onPod) out.push({ kind: 'recordHealth', podName: h.podName, health: h.health, at: h.at });
  for (const u of plan.inPlace)
    out.push({ kind: 'moveInPlace', podName: u.podName, version: u.version, ...(u.deployment ? { deployment: u.deployment } : {}) });
  if (plan.stop.length > 0) out.push({ kind: 'deletePods', pods: plan.stop.map((s) => ({ podName: s.podName, lost: ctx.lostPods.has(s.podName) })) });
  if (fresh) out.push(...status);
  if (plan.place.length > 0) out.push({ kind: 'createPods', placements: plan.place });
  const eventDeployment = plan.deployment ?? plan.cancelled;
  for (const e of plan.events) out.push({ kind: 'event', event: e, ...(e.on === 'deployment' && eventDeployment ? { deployment: eventDeployment } : {}) });
  out.push({ kind: 'jobStatus', history });
  return out;
}

/**
 * `writes()` cut into stages: the writes of a stage go out together, and a stage starts when the
 * one before it has landed. A write joins the stage before it when it is independent of every
 * write there: no crash that lands any subset of them leaves objects the next pass misreads
 * (test/unit/controller/writes.test.ts runs its crash tests with any subset of a cut stage landing).
 * Independent are:
 * - the health records on Pods of one pass, each on its own Pod;
 * - the version of a changed spec, a new deployment's object, and the deletes of that pass. A
 *   deployment whose version never landed is ahead of the history: passes leave it out until a
 *   version of that number is recorded, and then take it on (it has recorded nothing). Deleted
 *   allocations of a version that never landed are placed again by the next pass;
 * - a new deployment's first status and the creates after it, unless they are canaries: a Pod
 *   names its deployment, which exists by then, and one whose status is missing reads as fresh
 *   (its groups are re-attached, counting the Pods placed for it).
 * On the path from a spec change to its first new Pod that leaves two stages, where writing one
 * at a time took five requests in a row.
 */
export function stages(list: readonly Write[]): Write[][] {
  const out: Write[][] = [];
  for (const w of list) {
    const last = out.at(-1);
    if (last?.every((x) => independent(x, w))) last.push(w);
    else out.push([w]);
  }
  return out;
}

const firstStage = (w: Write) => (w.kind === 'recordVersion' && w.cause === 'submitted') || w.kind === 'createDeployment' || w.kind === 'deletePods';

/** Whether `next` may go out together with `earlier`, a write before it in `writes()`'s order. */
function independent(earlier: Write, next: Write): boolean {
  if (earlier.kind === 'recordHealth') return next.kind === 'recordHealth';
  if (firstStage(earlier) && firstStage(next)) return true;
  // A canary is known by its deployment's placedCanaries: those are recorded before it exists.
  if (earlier.kind === 'deploymentStatus' && isNewDeployment(earlier)) return next.kind === 'createPods' && next.placements.every((p) => !p.canary);
  return false;
}

/** A deployment this pass creates: it has no ID (its object's UID) yet. */
export function isNewDeployment(w: Extract<Write, { kind: 'deploymentStatus' }>): boolean {
  return w.deployment.id === undefined;
}
