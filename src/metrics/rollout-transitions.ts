import type { Millis } from '../model/duration.ts';
import { isActive, isTerminal, type Deployment } from '../planner/deployment.ts';
import type { ObservedAllocation } from '../planner/observed-allocation.ts';
import type { Plan } from '../planner/plan-types.ts';

export type DeploymentOutcome = 'successful' | 'failed' | 'reverted' | 'cancelled';

/** What one applied plan changed in a rollout, as metric observations (bounded labels only). */
export type RolloutObservation =
  | { readonly kind: 'finished'; readonly outcome: DeploymentOutcome; readonly seconds: number }
  | { readonly kind: 'promoted'; readonly group: string }
  | { readonly kind: 'reverted' }
  | { readonly kind: 'first-healthy-canary'; readonly group: string; readonly seconds: number };

function outcomeOf(d: Deployment, plan: Plan): DeploymentOutcome {
  if (d.status === 'successful') return 'successful';
  if (d.status === 'cancelled') return 'cancelled';
  return plan.revertTo ? 'reverted' : 'failed';
}

const seconds = (from: Millis, to: Millis) => Math.max(0, (to - from) / 1000);

/**
 * Compares the deployment as the pass found it (`before`, from the cache) with what the applied
 * plan made of it, and says which rollout milestones were passed. Each milestone is passed once:
 * a pass that finds it already passed (a repeat, or a new leader) observes nothing again.
 */
export function rolloutTransitions(before: Deployment | undefined, plan: Plan, allocations: readonly ObservedAllocation[], now: Millis): RolloutObservation[] {
  const out: RolloutObservation[] = [];
  const after = plan.deployment;
  if (plan.cancelled && isTerminal(plan.cancelled.status) && before?.name === plan.cancelled.name && isActive(before.status)) {
    out.push({ kind: 'finished', outcome: 'cancelled', seconds: seconds(plan.cancelled.createdAt, now) });
  }
  if (plan.revertTo) out.push({ kind: 'reverted' });
  if (!after) return out;
  const previous = before?.name === after.name ? before : undefined;
  if (isTerminal(after.status) && (!previous || isActive(previous.status))) {
    out.push({ kind: 'finished', outcome: outcomeOf(after, plan), seconds: seconds(after.createdAt, now) });
  }
  for (const [group, g] of Object.entries(after.groups)) {
    const was = previous?.groups[group];
    if (g.desiredCanaries > 0 && g.promoted && !was?.promoted) out.push({ kind: 'promoted', group });
    const healthyCanaryNow = plan.health.some(
      (h) => h.health === 'healthy' && allocations.some((a) => a.podName === h.podName && a.group === group && a.canary),
    );
    if (g.desiredCanaries > 0 && healthyCanaryNow && (was?.healthyAllocs ?? 0) === 0 && !was?.promoted) {
      out.push({ kind: 'first-healthy-canary', group, seconds: seconds(after.createdAt, now) });
    }
  }
  return out;
}
