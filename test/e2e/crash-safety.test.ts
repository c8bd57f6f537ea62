import { CustomObjectsApi } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { NomadJob, NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { startController } from './controller-process.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core, apps } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };

/** A seeded random source, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

function spec(image: string): NomadJobSpec {
  return {
    update: { maxParallel: 2, minHealthyTime: '1s', healthyDeadline: '30s', progressDeadline: '2m' },
    taskGroups: [{ name: 'app', count: 4, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
  };
}

describe('crash safety', () => {
  it('kill -9 at random moments, 20 times over four rollouts: each ends with exactly count allocations, no duplicates, no lost versions', async () => {
    const namespace = await freshNamespace(core, 'crash');
    const random = seeded(Number(process.env['CRASH_SEED'] ?? 20261122));
    const get = () => custom.getNamespacedCustomObject({ ...nj, namespace, name: 'app' }) as Promise<NomadJob & { status?: Record<string, any> }>;
    let controller = startController(namespace);
    let kills = 0;
    try {
      for (const [version, image] of ['app:1', 'app:2', 'app:3', 'app:4'].entries()) {
        if (version === 0) await custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'app' }, spec: spec(image) } });
        else await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'app', body: [{ op: 'replace', path: '/spec', value: spec(image) }] });
        for (let i = 0; i < 5; i++) {
          await sleep(200 + random() * 1500);
          controller.kill('SIGKILL');
          kills++;
          controller = startController(namespace);
        }
        const done = await waitFor(
          `version ${version} rolled out`,
          async () => {
            const j = await get();
            return j.status?.latestDeployment?.jobVersion === version && j.status.latestDeployment.status === 'successful' ? j : undefined;
          },
          120_000,
          500,
        );
        const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=app' })).items.filter((p) => !p.metadata?.deletionTimestamp);
        expect(pods.map((p) => p.metadata?.labels?.['caravan.dev/alloc-index']).sort()).toEqual(['0', '1', '2', '3']);
        expect(pods.every((p) => p.spec?.containers[0]?.image === image)).toBe(true);
        expect(done.status).toMatchObject({ version, stableVersion: version, running: 4 });
      }
      expect(kills).toBe(20);
      const revisions = await apps.listNamespacedControllerRevision({ namespace, labelSelector: 'caravan.dev/job=app' });
      expect(revisions.items.map((r) => r.revision).sort()).toEqual([0, 1, 2, 3]);
    } finally {
      controller.kill('SIGKILL');
    }
  });
});
