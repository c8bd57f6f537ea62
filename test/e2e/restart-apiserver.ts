import { inject } from 'vitest';
import { componentPidFile, type ComponentName } from '../../src/cluster/components.ts';
import { clusterLayout } from '../../src/cluster/layout.ts';
import { up } from '../../src/cluster/local-cluster.ts';
import { stopProcess } from '../../src/cluster/processes.ts';

/** The control plane's own clients of the API server: each runs client-go informers. */
const apiServerClients: readonly ComponentName[] = ['kube-controller-manager', 'kube-scheduler', 'kwok'];

/**
 * Restarts the run's kube-apiserver under whatever test is watching it, then restarts the control
 * plane's own clients of it. client-go's reflectors back off on every failed list or watch and
 * forget it only after two quiet minutes (up to 30 s doubled by jitter); two restarts a minute
 * apart left kube-controller-manager 13 s, then 64 s and more, from noticing a new namespace, and
 * a later test waited in vain for its default ServiceAccount. The component under test (Caravan's
 * controller or informer) is the caller's and is not restarted.
 */
export async function restartApiServer(opts: { downMs?: number } = {}): Promise<void> {
  const dir = inject('clusterDir');
  const layout = clusterLayout(dir);
  await stopProcess(componentPidFile(layout, 'kube-apiserver'));
  if (opts.downMs) await new Promise((resolve) => setTimeout(resolve, opts.downMs));
  await up({ dir });
  await Promise.all(apiServerClients.map((name) => stopProcess(componentPidFile(layout, name))));
  await up({ dir });
}
