import { defaultClusterDir } from '../cluster/layout.ts';
import { up, type Report } from '../cluster/local-cluster.ts';

/** Where a command's cluster comes from, and why, so it can say so. */
export interface TargetCluster {
  /** Undefined means the client-node defaults: KUBECONFIG, or the in-cluster service account. */
  readonly kubeconfig: string | undefined;
  readonly source: 'KUBECONFIG' | 'in-cluster' | 'local';
}

/**
 * KUBECONFIG when set; the Pod's service account when running in a cluster; otherwise the embedded
 * local control plane (started if needed). ~/.kube/config is deliberately not used implicitly,
 * so trying Caravan never lands on a cluster someone forgot was their default.
 */
export async function targetCluster(opts: { nodes?: number; report: Report }): Promise<TargetCluster> {
  const configured = process.env['KUBECONFIG'];
  if (configured) return { kubeconfig: configured, source: 'KUBECONFIG' };
  if (process.env['KUBERNETES_SERVICE_HOST']) return { kubeconfig: undefined, source: 'in-cluster' };
  const cluster = await up({ dir: defaultClusterDir(), ...(opts.nodes ? { nodes: opts.nodes } : {}), report: opts.report });
  return { kubeconfig: cluster.kubeconfig, source: 'local' };
}
