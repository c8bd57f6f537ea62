import type { V1Node } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { InformerEvent } from '../kube/informer.ts';
import { isNodeReady } from '../resources/node.ts';

/**
 * Whether a Node event changes what its allocations are: a node deleted (even while Ready) or
 * turning NotReady loses them; one turning Ready again has them looked at too. A new node changes
 * nothing for allocations that already run elsewhere, and an update that keeps readiness is noise.
 */
export function nodeEventAffectsAllocations(event: InformerEvent, node: V1Node, old: V1Node | undefined): boolean {
  if (event === 'delete') return true;
  if (event === 'add') return false;
  return isNodeReady(node) !== isNodeReady(old);
}

/**
 * Whether a Node event changes where system and sysbatch jobs run (Nomad's node-update evals,
 * §3.3): a node joining or leaving, turning Ready or NotReady, being cordoned or uncordoned, or
 * changing its labels (datacenter, constraint attributes). Nomad creates no eval when a node
 * becomes ineligible; Caravan looks anyway, and the planner keeps what runs there.
 */
export function nodeEventAffectsPerNodeJobs(event: InformerEvent, node: V1Node, old: V1Node | undefined): boolean {
  if (event === 'add' || event === 'delete') return true;
  if (isNodeReady(node) !== isNodeReady(old)) return true;
  if ((node.spec?.unschedulable ?? false) !== (old?.spec?.unschedulable ?? false)) return true;
  return !isDeepStrictEqual(node.metadata?.labels ?? {}, old?.metadata?.labels ?? {});
}
