import type { Deployment, DeploymentGroupState } from './deployment.ts';
import type { ObservedAllocation } from './observed-allocation.ts';

/**
 * Whether an allocation is a canary of a deployment. Nomad keeps a canary's `Canary` flag after
 * promotion and knows a deployment's canaries from its `PlacedCanaries`; Caravan has both, the
 * Pod's `caravan.dev/canary` label (set when the Pod is created) and the deployment's recorded
 * `placedCanaries`. Either is enough: a pass that recorded one and was killed before the other
 * still knows the canary as a canary, so its name rules keep holding.
 */
export function isCanaryOf(a: ObservedAllocation, deployment: string, state: DeploymentGroupState | undefined): boolean {
  return a.deployment === deployment && (a.canary || (state?.placedCanaries.includes(a.uid) ?? false));
}

/**
 * Whether a canary of another deployment must stop (Nomad's cancelUnneededCanaries, §2.3 rule 6):
 * its deployment never promoted its group. A canary of a deployment that promoted it is an
 * ordinary allocation now. One whose deployment is unknown is left to the name rules.
 */
export function isUnpromotedCanaryOfOther(a: ObservedAllocation, current: string, others: readonly Deployment[]): boolean {
  if (a.deployment === undefined || a.deployment === current) return false;
  const d = others.find((x) => x.name === a.deployment);
  if (!d) return false;
  const state = d.groups[a.group];
  return isCanaryOf(a, d.name, state) && !(state?.promoted ?? false);
}
