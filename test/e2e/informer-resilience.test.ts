import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Informer } from '../../src/kube/informer.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';
import { restartApiServer } from './restart-apiserver.ts';

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

      await restartApiServer();

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
