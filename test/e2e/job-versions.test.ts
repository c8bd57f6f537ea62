import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { JobVersionStore, syncJobVersion } from '../../src/kube/job-version-store.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core, apps } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const spec = (count: number): NomadJobSpec => ({
  taskGroups: [{ name: 'cache', count, tasks: [{ name: 'redis', driver: 'docker', config: { image: 'redis:7' } }] }],
});

describe('job version history in the cluster', () => {
  it('records versions as ControllerRevisions, only for changed specs, bounded to 6 keeping the newest stable, and deletes them with the job', async () => {
    const namespace = await freshNamespace(core, 'versions');
    const store = new JobVersionStore(kc);
    const apply = async (body: NomadJob) => {
      try {
        return (await custom.createNamespacedCustomObject({ ...nj, namespace, body })) as NomadJob;
      } catch {
        return (await custom.patchNamespacedCustomObject({
          ...nj,
          namespace,
          name: 'cache',
          body: [{ op: 'replace', path: '/spec', value: body.spec }],
        })) as NomadJob;
      }
    };
    const submit = async (count: number) => {
      const stored = await apply({ apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'cache' }, spec: spec(count) });
      return syncJobVersion(store, { name: 'cache', namespace, uid: stored.metadata.uid! }, stored.spec, new Date());
    };

    const first = await submit(1);
    expect(first).toMatchObject({ created: true, current: { version: 0, stable: false } });
    expect(await submit(1)).toMatchObject({ created: false, current: { version: 0 } });
    expect(await submit(2)).toMatchObject({ created: true, current: { version: 1 } });

    const uid = ((await custom.getNamespacedCustomObject({ ...nj, namespace, name: 'cache' })) as NomadJob).metadata.uid!;
    await store.markStable({ name: 'cache', namespace, uid }, 1, true);
    for (let count = 3; count <= 9; count++) await submit(count);

    const history = await store.list(namespace, 'cache');
    expect(history.map((v) => v.version)).toEqual([1, 4, 5, 6, 7, 8]);
    expect(history.find((v) => v.version === 1)?.stable).toBe(true);
    expect(history.find((v) => v.version === 8)?.spec.taskGroups[0]?.count).toBe(9);

    // Readable with kubectl: kubectl get controllerrevisions -l caravan.dev/job=cache
    const revisions = await apps.listNamespacedControllerRevision({ namespace, labelSelector: 'caravan.dev/job=cache' });
    expect(revisions.items.map((r) => r.metadata?.name).sort()).toEqual(['cache-v1', 'cache-v4', 'cache-v5', 'cache-v6', 'cache-v7', 'cache-v8']);

    await custom.deleteNamespacedCustomObject({ ...nj, namespace, name: 'cache' });
    await waitFor(
      'the versions to be garbage-collected with the job',
      async () => ((await apps.listNamespacedControllerRevision({ namespace })).items.length === 0 ? true : undefined),
      90_000,
      1_000,
    );
  });
});
