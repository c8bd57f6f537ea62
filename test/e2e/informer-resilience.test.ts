import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { componentPidFile } from '../../src/cluster/components.ts';
import { clusterLayout } from '../../src/cluster/layout.ts';
import { up } from '../../src/cluster/local-cluster.ts';
import { stopProcess } from '../../src/cluster/processes.ts';
import { Informer } from '../../src/kube/informer.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();

describe('the informer heals itself', () => {
  it('keeps following changes after the API server is restarted under it', async () => {
    const namespace = await freshNamespace(core, 'resilience');
    const seen = new Set<string>();
    const errors: unknown[] = [];
    const informer = new Informer<V1ConfigMap>({
      kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      onEvent: (event, obj) => event === 'add' && seen.add(obj.metadata!.name!),
      onError: (error) => errors.push(error),
    });
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before' } } });
      await waitFor('the first add', async () => (seen.has('before') ? true : undefined));

      const dir = inject('clusterDir');
      await stopProcess(componentPidFile(clusterLayout(dir), 'kube-apiserver'));
      await up({ dir });

      await waitFor(
        'creating after the restart',
        async () => core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after' } } }),
        60_000,
        500,
      );
      await waitFor('the informer to see it', async () => (seen.has('after') ? true : undefined), 60_000);
      expect(informer.get(`${namespace}/after`)).toBeDefined();
    } finally {
      informer.stop();
    }
  });
});
