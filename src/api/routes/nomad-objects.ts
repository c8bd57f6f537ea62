import type { V1Pod } from '@kubernetes/client-node';
import { annotations } from '../../resources/labels.ts';
import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import { isNodeReady } from '../../resources/node.ts';
import type { ClusterView } from '../cluster-view.ts';
import { allocationChains, toAllocListStub, type AllocationContext, type ListStubOptions } from '../nomad/allocation.ts';
import { toNomadDeployment } from '../nomad/deployment.ts';
import type { NomadAllocationListStub, NomadApiDeployment } from '../nomad/types.ts';
import type { NomadApiContext } from '../server.ts';

/** A NomadDeployment as Nomad's api.Deployment, with what it shows of its job. */
export function deploymentJson(view: ClusterView, d: NomadDeployment): NomadApiDeployment {
  return toNomadDeployment(d, view.deploymentJobInfo(d), view.created.lookup);
}

/**
 * What translating a set of Pods into allocations needs besides each Pod: the nodes, the
 * deployments (by namespace, then name) and the replacement chains among those Pods. Built once
 * per request, then read per Pod.
 */
export function allocationContext(ctx: NomadApiContext, view: ClusterView, pods: readonly V1Pod[]): (pod: V1Pod) => AllocationContext {
  const nodes = new Map([...ctx.cluster.caches.nodes.values()].map((n) => [n.metadata?.name ?? '', { uid: n.metadata?.uid ?? '', ready: isNodeReady(n) }]));
  const deploymentsByNamespace = new Map<string, Map<string, NomadDeployment>>();
  for (const d of ctx.cluster.caches.deployments.values()) {
    const namespace = d.metadata.namespace ?? 'default';
    if (!deploymentsByNamespace.has(namespace)) deploymentsByNamespace.set(namespace, new Map());
    deploymentsByNamespace.get(namespace)!.set(d.metadata.name, d);
  }
  const idsByNamespace = new Map(
    [...deploymentsByNamespace].map(([namespace, byName]) => [namespace, new Map([...byName].map(([name, d]) => [name, d.metadata.uid ?? '']))]),
  );
  const chains = allocationChains(pods);
  return (pod) => {
    const namespace = pod.metadata?.namespace ?? 'default';
    const chain = chains.get(pod.metadata?.uid ?? '');
    const name = pod.metadata?.annotations?.[annotations.deployment];
    const d = name ? deploymentsByNamespace.get(namespace)?.get(name) : undefined;
    return {
      nodes,
      deploymentIds: idsByNamespace.get(namespace) ?? new Map(),
      created: view.created.lookup,
      deployment: d
        ? {
            status: d.status?.status ?? 'running',
            modifiedAt: d.status?.modifyTime ? Date.parse(d.status.modifyTime) : undefined,
            promotedGroups: new Set(Object.entries(d.status?.taskGroups ?? {}).flatMap(([g, s]) => (s.promoted ? [g] : []))),
          }
        : undefined,
      ...(chain?.previousAllocation ? { previousAllocation: chain.previousAllocation } : {}),
      ...(chain?.nextAllocation ? { nextAllocation: chain.nextAllocation } : {}),
    };
  };
}

/** Pods as Nomad's allocation list stubs (those that are not Caravan allocations left out). */
export function allocationStubs(
  ctx: NomadApiContext,
  view: ClusterView,
  pods: readonly V1Pod[],
  options: (pod: V1Pod) => ListStubOptions,
): NomadAllocationListStub[] {
  const context = allocationContext(ctx, view, pods);
  return pods.flatMap((p) => toAllocListStub(p, context(p), options(p)) ?? []);
}
