import type { Deployment, DeploymentGroupState } from './deployment.ts';
import type { ObservedAllocation } from './observed-allocation.ts';

/**
 * Whether an allocation is a canary of a deployment, promoted or not. Nomad's name rules find a
 * deployment's canaries through its `PlacedCanaries` (its alloc `Canary` flag is cleared at
 * promotion, in the same atomic write). Caravan has two records that no single write covers: the
 * Pod's `caravan.dev/canary` label, set when the Pod is created and never cleared (it means
 * "placed as a canary"), and the deployment's recorded `placedCanaries`. Either is enough, so a
 * pass killed between writes still knows the canary, and its name rules keep holding. The Nomad
 * API shows Nomad's flag: false once the group is promoted.
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
