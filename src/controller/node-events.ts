import type { V1Node } from '@kubernetes/client-node';
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
