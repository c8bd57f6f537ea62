import { descriptions, isTerminal, terminalRefusals } from '../planner/deployment.ts';
import type { Health } from '../planner/observed-allocation.ts';
import type { PromoteRequest } from '../planner/promotion.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';

/**
 * A deployment operation of Nomad's API. The API writes it as intent in the NomadDeployment's
 * spec; the controller, the only writer of status, carries it out.
 */
export type DeploymentOperation =
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'fail' }
  | { readonly kind: 'promote'; readonly request: PromoteRequest };

/**
 * Where the controller stands with an operation the API wrote, as this replica's caches show it.
 * `done` is answered once it is `settled` too: the writes that follow the deployment's own (the
 * version an auto-revert records) are visible, so a read of the job agrees with the deployment.
 */
export type Acted =
  | { readonly state: 'done'; readonly settled: boolean }
  | { readonly state: 'refused'; readonly error: string }
  | { readonly state: 'waiting'; readonly for: string };

const statusOf = (d: NomadDeployment) => d.status?.status ?? 'running';

/**
 * Whether the deployment shows what the operation asks for. A fail shows Nomad's own description
 * (a progress deadline that failed it first is a different outcome). A promotion shows its groups
 * promoted; a group without canaries counts as promoted once nothing waits for promotion, since
 * then there is nothing left for the controller to do.
 */
export function showsOperation(op: DeploymentOperation, d: NomadDeployment): boolean {
  const status = statusOf(d);
  switch (op.kind) {
    case 'pause':
      return status === 'paused';
    case 'resume':
      return status === 'running';
    case 'fail':
      return status === 'failed' && (d.status?.statusDescription ?? '').startsWith(descriptions.failedByUser);
    case 'promote': {
      const groups = Object.entries(d.status?.taskGroups ?? {});
      const waiting = groups.some(([, g]) => g.desiredCanaries > 0 && !g.promoted);
      const targeted = groups.filter(([name]) => 'all' in op.request || op.request.groups.includes(name));
      return targeted.every(([, g]) => g.promoted || (g.desiredCanaries === 0 && !waiting));
    }
  }
}

/** A failed deployment that rolls back settles once the job's revert version is recorded (§2.9 rule 5). */
function revertSettled(d: NomadDeployment, newestJobVersion: number | undefined): boolean {
  const reverted = statusOf(d) === 'failed' ? d.status?.revertedJobVersion : undefined;
  return reverted === undefined || (newestJobVersion ?? -1) > d.spec.jobVersion;
}

export interface OperationSnapshot {
  /** The deployment as the cache holds it now (undefined: it is gone). */
  readonly deployment: NomadDeployment | undefined;
  /** The metadata.generation the API's intent write produced. */
  readonly generation: number;
  /** The newest version recorded for the deployment's job. */
  readonly newestJobVersion?: number | undefined;
}

/**
 * Whether the controller has carried out a deployment operation (level-based: the same snapshot
 * gives the same answer). Done needs both its status written for the intent's generation
 * (status.observedGeneration) and the transition shown: the controller takes the generation when
 * it writes, so a status planned a moment before the intent can carry it. A deployment that has
 * ended without the transition refuses as Nomad refuses a terminal one; a promotion the controller
 * refused (IntentHonoured False for this generation) refuses with the controller's text, which is
 * Nomad's.
 */
export function operationOutcome(op: DeploymentOperation, s: OperationSnapshot): Acted {
  const d = s.deployment;
  if (!d) return { state: 'refused', error: 'deployment not found' };
  const observed = d.status?.observedGeneration ?? 0;
  const reached = observed >= s.generation;
  const ended = isTerminal(statusOf(d));
  if (showsOperation(op, d) && (reached || ended)) return { state: 'done', settled: op.kind !== 'fail' || revertSettled(d, s.newestJobVersion) };
  if (ended) return { state: 'refused', error: terminalRefusals[op.kind] };
  if (reached && op.kind === 'promote') {
    const refusal = d.status?.conditions?.find(
      (c) => c.type === 'IntentHonoured' && c.status === 'False' && (c.observedGeneration ?? observed) >= s.generation,
    );
    if (refusal) return { state: 'refused', error: refusal.message };
  }
  return {
    state: 'waiting',
    for: reached ? `it still shows status ${JSON.stringify(statusOf(d))}` : `its status.observedGeneration is ${observed}, not yet ${s.generation}`,
  };
}

/** One allocation of the deployment as the cache holds it. */
export interface AllocationHealthView {
  readonly uid: string;
  readonly group: string;
  /** The health the controller recorded for the deployment (caravan.dev/deployment-health). */
  readonly recorded?: Health | undefined;
}

export interface HealthSnapshot {
  readonly deployment: NomadDeployment | undefined;
  /** What the request set, by allocation ID. */
  readonly requested: ReadonlyMap<string, Health>;
  /** Every live allocation of the deployment now (a requested one that is gone needs nothing more). */
  readonly allocations: readonly AllocationHealthView[];
  readonly newestJobVersion?: number | undefined;
}

/**
 * Whether the controller has carried out an allocation-health request (§2.13): every requested
 * allocation shows the health on its Pod, and the deployment counts it. The controller writes the
 * count before the Pod's mark (the order a crash cannot break), so once a mark is in the cache,
 * the deployment's counter reaches it as soon as the cache has the deployment's write too.
 */
export function allocationHealthOutcome(s: HealthSnapshot): Acted {
  const d = s.deployment;
  if (!d) return { state: 'refused', error: 'deployment not found' };
  const status = statusOf(d);
  for (const [id, wanted] of s.requested) {
    const a = s.allocations.find((x) => x.uid === id);
    if (!a) continue;
    if (a.recorded === undefined) {
      // The controller writes a success before the marks that made it; the API shows the
      // allocations of a successful deployment healthy already. Otherwise a successful or
      // cancelled deployment records no more health (a failed one still does).
      if (status === 'successful' && wanted === 'healthy') continue;
      if (status === 'successful' || status === 'cancelled') return { state: 'refused', error: terminalRefusals.health };
      return { state: 'waiting', for: `allocation ${id} has no deployment health recorded yet` };
    }
    // Health set by hand overwrites a recorded value (§2.13 rule 3): wait for the controller to.
    if (a.recorded !== wanted) return { state: 'waiting', for: `allocation ${id} still shows ${a.recorded}` };
  }
  for (const [name, g] of Object.entries(d.status?.taskGroups ?? {})) {
    const marked = (h: Health) => s.allocations.filter((a) => a.group === name && a.recorded === h).length;
    if (g.healthyAllocs < marked('healthy') || g.unhealthyAllocs < marked('unhealthy'))
      return { state: 'waiting', for: `the deployment does not count the health of group ${JSON.stringify(name)} yet` };
  }
  const unhealthy = [...s.requested.values()].includes('unhealthy');
  return { state: 'done', settled: !unhealthy || revertSettled(d, s.newestJobVersion) };
}

/**
 * The error for an operation the controller did not act on in time: no controller leads, or it
 * is far behind. The intent stays written (the controller acts on it when it gets there), and the
 * text says so. "No cluster leader" is how Nomad answers a write without a leader.
 */
export function notActedInTime(o: {
  readonly what: string;
  readonly deploymentId: string;
  readonly ms: number;
  readonly leaderKnown: boolean;
  readonly waitingFor: string;
  readonly intentIn: string;
}): string {
  const seconds = `${Math.round(o.ms / 100) / 10}s`;
  const then = o.leaderKnown ? 'when the controller gets to it' : 'once a controller leads';
  return `${o.leaderKnown ? '' : 'No cluster leader: '}the controller did not ${o.what} deployment ${JSON.stringify(o.deploymentId)} within ${seconds} (${o.waitingFor}); the request stays in ${o.intentIn} and takes effect ${then}`;
}
