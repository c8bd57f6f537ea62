import type { V1Pod } from '@kubernetes/client-node';
import { isTerminal } from '../planner/deployment.ts';
import { annotations, labels } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { recordedHealthOf } from '../resources/recorded-health.ts';

export type Health = 'healthy' | 'unhealthy';

/** Nomad users name allocations by an ID prefix; Nomad wants at least two characters of it. */
export const minimumPrefix = 2;

/**
 * The allocation Pod a user means: its Pod name, else the Pod whose UID starts with `ref`
 * (as `nomad alloc status 5b3e` does). Only Caravan's Pods count.
 */
export function findAllocationPod(pods: readonly V1Pod[], ref: string): { ok: true; pod: V1Pod } | { ok: false; error: string } {
  const allocations = pods.filter((p) => p.metadata?.labels?.[labels.job]);
  const byName = allocations.find((p) => p.metadata?.name === ref);
  if (byName) return { ok: true, pod: byName };
  const prefix = ref.toLowerCase();
  if (prefix.length < minimumPrefix)
    return { ok: false, error: `allocation "${ref}": give a Pod name or at least ${minimumPrefix} characters of an allocation ID` };
  const matches = allocations.filter((p) => p.metadata?.uid?.toLowerCase().startsWith(prefix));
  if (matches.length === 1) return { ok: true, pod: matches[0]! };
  if (matches.length === 0) return { ok: false, error: `no allocation with Pod name or ID prefix "${ref}"` };
  const list = matches.map((p) => `  ${p.metadata!.uid}  ${p.metadata!.name}`).join('\n');
  return { ok: false, error: `allocation ID prefix "${ref}" matches ${matches.length} allocations; give more of it:\n${list}` };
}

export type AllocHealthDecision =
  | { readonly ok: true; readonly unchanged: boolean; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: string };

/**
 * Nomad's rules for setting an allocation's health by hand (§2.13), applied before annotating:
 * the allocation must belong to a deployment that has not ended. Caravan records an
 * allocation's deployment health once: after that, the annotation changes nothing for this
 * deployment, which the user is told.
 */
export function allocHealthDecision(pod: V1Pod, deployment: NomadDeployment | undefined, health: Health): AllocHealthDecision {
  const a = pod.metadata?.annotations ?? {};
  const name = pod.metadata?.name ?? '';
  const deploymentName = a[annotations.deployment];
  if (!deploymentName) return { ok: false, error: `allocation ${name} is not part of a deployment` };
  if (!deployment) return { ok: false, error: `allocation ${name} is part of deployment ${deploymentName}, which no longer exists` };
  if (isTerminal(deployment.status?.status ?? 'running')) return { ok: false, error: "can't set health of allocations for a terminal deployment" };
  const warnings: string[] = [];
  const recorded = recordedHealthOf(pod, deployment);
  if (recorded && recorded.health !== health) {
    // As Nomad's SetAllocHealth, a mark by hand overwrites recorded health (§2.13 rule 3).
    const effect = health === 'unhealthy' ? `; an unhealthy mark fails ${deploymentName}` : '';
    warnings.push(`${name} was recorded ${recorded.health} for ${deploymentName} at ${new Date(recorded.at).toISOString()}; this mark overwrites it${effect}`);
  }
  return { ok: true, unchanged: a[annotations.health] === health, warnings };
}
