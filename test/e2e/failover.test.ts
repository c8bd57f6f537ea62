import { CoordinationV1Api } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { startController } from './controller-process.ts';
import { nomadJobs } from './nomad-jobs.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const leases = kc.makeApiClient(CoordinationV1Api);

const spec = (image: string): NomadJobSpec => ({
  update: { maxParallel: 1, minHealthyTime: '2s', healthyDeadline: '1m', progressDeadline: '3m' },
  taskGroups: [{ name: 'app', count: 4, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
});

describe('failover between two controller replicas', () => {
  it('one leads; killed mid-rollout, the other takes the lease and finishes the rollout', async () => {
    const namespace = await freshNamespace(core, 'failover');
    const replicas = [startController(namespace, 3), startController(namespace, 3)];
    try {
      const lease = await waitFor('a leader', async () => {
        const l = await leases.readNamespacedLease({ namespace, name: 'caravan-controller' }).catch(() => undefined);
        return l?.spec?.holderIdentity ? l : undefined;
      });
      const leader = replicas.find((r) => lease.spec!.holderIdentity!.includes(`-${r.pid}-`))!;
      const standby = replicas.find((r) => r !== leader)!;
      expect(leader).toBeDefined();

      const jobs = nomadJobs(kc, namespace);
      const get = () => jobs.get('app');
      await jobs.register('app', spec('app:1'));
      await jobs.waitStable('app', 0, 'version 0');
      await jobs.replaceSpec('app', spec('app:2'));
      await waitFor(
        'the rollout to start',
        async () => ((await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job-version=1' })).items.length > 0 ? true : undefined),
        30_000,
        200,
      );

      leader.kill('SIGKILL');
      const taken = await waitFor(
        'the standby to take the lease',
        async () => {
          const l = await leases.readNamespacedLease({ namespace, name: 'caravan-controller' });
          return l.spec?.holderIdentity?.includes(`-${standby.pid}-`) ? l : undefined;
        },
        30_000,
        250,
      );
      expect(taken.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);

      const done = await waitFor(
        'version 1 rolled out by the new leader',
        async () => {
          const j = await get();
          return j.status?.latestDeployment?.jobVersion === 1 && j.status.latestDeployment.status === 'successful' ? j : undefined;
        },
        120_000,
        500,
      );
      expect(done.status).toMatchObject({ version: 1, stableVersion: 1, running: 4 });
      const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=app' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(['app:2', 'app:2', 'app:2', 'app:2']);
      await sleep(100);
    } finally {
      for (const r of replicas) r.kill('SIGKILL');
    }
  });
});
