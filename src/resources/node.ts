import type { V1Node } from '@kubernetes/client-node';

/** A Node whose Ready condition is True; a Node that is gone (undefined) is not. */
export function isNodeReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * What the Node cache keeps of a Node: only identity and readiness matter, because a node going
 * away or NotReady loses its allocations.
 */
export function readinessOnly(node: V1Node): V1Node {
  return { metadata: node.metadata!, status: { conditions: node.status?.conditions?.filter((c) => c.type === 'Ready') ?? [] } } as V1Node;
}
