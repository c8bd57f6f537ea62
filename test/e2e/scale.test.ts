import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { labels } from '../../src/resources/labels.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

// Issue 15's small variant of bench:scale, for correctness only (no timing is asserted): many
// jobs registered at once all become stable with exactly their allocations, a rollout writes no
// Event per allocation, and a controller with nothing to do writes nothing.
const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const jobs = 60;
const count = 2;
const spec: NomadJobSpec = {
  update: { maxParallel: count, minHealthyTime: '1s', healthyDeadline: '2m', progressDeadline: '5m' },
  taskGroups: [{ name: 'app', count, tasks: [{ name: 'app', driver: 'docker', config: { image: 'app:1' } }] }],
};

describe(`${jobs} jobs registered at once`, () => {
  let controller: RunningController;
  let namespace: string;
  beforeAll(async () => {
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'scale');
  });
  afterAll(async () => {
    await controller?.stop();
  });

  it('all become stable with exactly their allocations, without an Event per allocation', async () => {
    const names = Array.from({ length: jobs }, (_, i) => `job-${i}`);
    await Promise.all(
      names.map((name) =>
        custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec } }),
      ),
    );
    await waitFor(
      `all ${jobs} jobs stable at version 0`,
      async () => {
        const list = (await custom.listNamespacedCustomObject({ ...nj, namespace })) as { items: NomadJob[] };
        return list.items.filter((j) => j.status?.stableVersion === 0).length === jobs ? true : undefined;
      },
      240_000,
      1000,
    );
    const pods = (await core.listNamespacedPod({ namespace })).items.filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods).toHaveLength(jobs * count);
    for (const name of names) {
      const indexes = pods
        .filter((p) => p.metadata?.labels?.[labels.job] === name)
        .map((p) => p.metadata?.labels?.[labels.allocIndex])
        .sort();
      expect(indexes, name).toEqual(['0', '1']);
    }
    await waitFor('the Successful Events', async () => {
      const events = (await core.listNamespacedEvent({ namespace })).items;
      return events.filter((e) => e.reason === 'Successful').length === jobs ? events : undefined;
    });
    const events = (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.reportingComponent === 'caravan.dev/controller');
    // One Created and one Successful per deployment; healthy allocations are counted, not told.
    expect(events.filter((e) => e.reason === 'AllocationHealthy')).toEqual([]);
    expect(events.length).toBeLessThanOrEqual(2 * jobs);
  }, 300_000);

  it('then writes nothing while nothing changes', async () => {
    await controller.queue.idle();
    // Timers of the register (progress deadlines, health checks) have fired by now or do nothing.
    await new Promise((r) => setTimeout(r, 3000));
    // Other test files' jobs share this controller, so the writes are counted on this namespace's
    // objects: their resourceVersions, and the Events, which a series update also changes.
    const snapshot = async () => {
      const versions = (items: { metadata?: { name?: string; resourceVersion?: string } }[]) =>
        Object.fromEntries(items.map((o) => [o.metadata?.name, o.metadata?.resourceVersion]));
      const list = async (plural: string) =>
        ((await custom.listNamespacedCustomObject({ group: 'caravan.dev', version: 'v1alpha1', plural, namespace })) as { items: NomadJob[] }).items;
      return {
        jobs: versions(await list('nomadjobs')),
        deployments: versions(await list('nomaddeployments')),
        pods: versions((await core.listNamespacedPod({ namespace })).items),
        events: versions((await core.listNamespacedEvent({ namespace })).items),
      };
    };
    const before = await snapshot();
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await snapshot()).toEqual(before);
  }, 60_000);
});
