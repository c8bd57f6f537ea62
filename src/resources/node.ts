import type { V1Node } from '@kubernetes/client-node';
import type { ObservedNode } from '../planner/node-feasibility.ts';

/** A Node whose Ready condition is True; a Node that is gone (undefined) is not. */
export function isNodeReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * What the Node cache keeps of a Node: identity, labels (datacenter and constraint attributes),
 * whether it is cordoned, and readiness. A node going away or NotReady loses its allocations;
 * system and sysbatch jobs place one allocation on each eligible node.
 */
export function nodeFacts(node: V1Node): V1Node {
  const { name, uid, resourceVersion, creationTimestamp, labels } = node.metadata ?? {};
  return {
    metadata: { name, uid, resourceVersion, creationTimestamp, labels },
    spec: { unschedulable: node.spec?.unschedulable ?? false },
    status: { conditions: node.status?.conditions?.filter((c) => c.type === 'Ready') ?? [] },
  } as V1Node;
}

/** A Node as the system and sysbatch schedulers see it. */
export function observeNode(node: V1Node): ObservedNode {
  const created = node.metadata?.creationTimestamp;
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    ready: isNodeReady(node),
    unschedulable: node.spec?.unschedulable ?? false,
    createdAt: created ? new Date(created as unknown as string).getTime() : 0,
  };
}
