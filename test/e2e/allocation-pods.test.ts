import { CustomObjectsApi } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNomadJob } from '../../src/model/validate.ts';
import { fromProjectRoot } from '../../src/project.ts';
import { renderAllocationPod } from '../../src/resources/allocation-pod.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, freshNamespace, isPodReady, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);

describe('allocation Pods rendered from a NomadJob', () => {
  it('are accepted by the API server, scheduled into the job datacenter, Ready on kwok, and garbage-collected with the job', async () => {
    const namespace = await freshNamespace(core, 'alloc');
    const example = load(readFileSync(fromProjectRoot('examples', 'api-rolling.yaml'), 'utf8')) as NomadJob;
    example.spec.datacenters = ['dc2'];
    const stored = (await custom.createNamespacedCustomObject({
      group: 'caravan.dev',
      version: 'v1alpha1',
      plural: 'nomadjobs',
      namespace,
      body: example,
    })) as NomadJob;

    const parsed = parseNomadJob(stored.metadata.name, namespace, stored.spec);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const pods = parsed.job.taskGroups.flatMap((g) =>
      Array.from({ length: g.count }, (_, index) =>
        renderAllocationPod({ job: parsed.job, jobUid: stored.metadata.uid!, version: 0, group: g.name, index, canary: false }),
      ),
    );
    expect(pods).toHaveLength(9);
    await Promise.all(pods.map((body) => core.createNamespacedPod({ namespace, body })));

    const running = await waitFor('all 9 allocations Ready', async () => {
      const list = (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=orders' })).items;
      return list.length === 9 && list.every(isPodReady) ? list : undefined;
    });
    const nodes = new Map((await core.listNode()).items.map((n) => [n.metadata!.name!, n.metadata!.labels!['caravan.dev/datacenter']]));
    expect(new Set(running.map((p) => nodes.get(p.spec!.nodeName!)))).toEqual(new Set(['dc2']));
    expect(running.map((p) => p.metadata?.annotations?.['caravan.dev/alloc-name']).sort()).toContain('orders.api[5]');

    await custom.deleteNamespacedCustomObject({ group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs', namespace, name: 'orders' });
    // kube-controller-manager's garbage collector learns about new CRDs within ~30 s.
    await waitFor(
      'the Pods to be garbage-collected',
      async () => ((await core.listNamespacedPod({ namespace })).items.length === 0 ? true : undefined),
      90_000,
      1_000,
    );
  });
});
