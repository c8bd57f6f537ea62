import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runController } from '../../src/controller/controller.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { nomadJobs } from './nomad-jobs.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';
import { restartApiServer } from './restart-apiserver.ts';

const { kc, core } = clusterClients();

const spec = (image: string): NomadJobSpec => ({
  update: { maxParallel: 1, minHealthyTime: '2s', healthyDeadline: '1m', progressDeadline: '3m' },
  taskGroups: [{ name: 'app', count: 4, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
});

describe('the API server restarted mid-rollout', () => {
  it('the controller reconnects and finishes the rollout', async () => {
    const controller = await runController(kc);
    try {
      const namespace = await freshNamespace(core, 'restart');
      const jobs = nomadJobs(kc, namespace);
      const get = () => jobs.get('app');
      await jobs.register('app', spec('app:1'));
      await jobs.waitStable('app', 0, 'version 0');
      await jobs.replaceSpec('app', spec('app:2'));
      await sleep(1500);

      await restartApiServer({ downMs: 2000 });

      const done = await waitFor(
        'version 1 rolled out after the restart',
        async () => {
          const j = await get().catch(() => undefined);
          return j?.status?.latestDeployment?.jobVersion === 1 && j.status.latestDeployment.status === 'successful' ? j : undefined;
        },
        150_000,
        1000,
      );
      expect(done.status).toMatchObject({ version: 1, stableVersion: 1, running: 4 });
      const images = (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=app' })).items
        .filter((p) => !p.metadata?.deletionTimestamp)
        .map((p) => p.spec?.containers[0]?.image);
      expect(images).toEqual(['app:2', 'app:2', 'app:2', 'app:2']);
    } finally {
      await controller.stop();
    }
  });
});
