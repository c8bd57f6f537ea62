import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJob, NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { clusterClients, freshNamespace, isPodReady, waitFor } from './kube.ts';

const { kc, core, apps } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const nd = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments' };

function web(image: string, canary = 0): NomadJobSpec {
  return {
    update: { maxParallel: 1, canary, minHealthyTime: '2s', healthyDeadline: '30s', progressDeadline: '2m' },
    taskGroups: [{ name: 'frontend', count: 3, tasks: [{ name: 'nginx', driver: 'docker', config: { image } }] }],
  };
}

describe('the controller on the real cluster', () => {
  let controller: RunningController;
  let namespace: string;
  const logs: string[] = [];
  beforeAll(async () => {
    controller = await runController(kc, { log: (l) => logs.push(l) });
    namespace = await freshNamespace(core, 'ctrl');
  });
  afterAll(async () => {
    await controller?.stop();
  });

  const job = () => custom.getNamespacedCustomObject({ ...nj, namespace, name: 'web' }) as Promise<NomadJob & { status?: Record<string, any> }>;
  const pods = async () => (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);

  it('runs a new NomadJob: version 0, a deployment that succeeds, three Ready Pods, a Ready condition', async () => {
    await custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: web('nginx:1') } });
    const ready = await waitFor(
      'web to be Ready',
      async () => {
        const j = await job();
        return j.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready')?.status === 'True' ? j : undefined;
      },
      90_000,
      500,
    );
    expect(ready.status).toMatchObject({ status: 'running', version: 0, stableVersion: 0, desired: 3, running: 3, latestDeployment: { name: 'web-v0', status: 'successful', statusDescription: 'Deployment completed successfully' } });
    const running = await pods();
    expect(running.map((p) => p.metadata?.name).sort()).toEqual(['web-frontend-0-v0', 'web-frontend-1-v0', 'web-frontend-2-v0']);
    expect(running.every(isPodReady)).toBe(true);
    const revisions = await apps.listNamespacedControllerRevision({ namespace, labelSelector: 'caravan.dev/job=web' });
    expect(revisions.items.map((r) => r.metadata?.annotations?.['caravan.dev/stable'])).toEqual(['true']);
  });

  it('rolls a new image out through a canary promoted by its NomadDeployment spec', async () => {
    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'web', body: [{ op: 'replace', path: '/spec', value: web('nginx:2', 1) }] });
    await waitFor(
      'the canary to wait for promotion',
      async () => {
        const d = (await custom.getNamespacedCustomObject({ ...nd, namespace, name: 'web-v1' })) as { status?: { statusDescription?: string; taskGroups?: Record<string, { healthyAllocs: number }> } };
        return d.status?.statusDescription === 'Deployment is running but requires manual promotion' && d.status.taskGroups?.['frontend']?.healthyAllocs === 1 ? d : undefined;
      },
      90_000,
      500,
    );
    expect((await pods()).map((p) => p.metadata?.name).sort()).toEqual(['web-frontend-0-v0', 'web-frontend-0-v1', 'web-frontend-1-v0', 'web-frontend-2-v0']);

    await custom.patchNamespacedCustomObject({ ...nd, namespace, name: 'web-v1', body: [{ op: 'add', path: '/spec/promote', value: { all: true } }] });
    const done = await waitFor(
      'version 1 to be deployed',
      async () => {
        const j = await job();
        return j.status?.latestDeployment?.status === 'successful' && j.status.latestDeployment.jobVersion === 1 ? j : undefined;
      },
      120_000,
      500,
    );
    expect(done.status).toMatchObject({ version: 1, stableVersion: 1, running: 3 });
    const images = (await pods()).map((p) => p.spec?.containers[0]?.image);
    expect(images).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
    const events = await core.listNamespacedEvent({ namespace });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['Created', 'CanariesPlaced', 'Promoted', 'Successful']));
  });

  it('makes no writes when there is nothing to do', async () => {
    const before = (await job()).metadata.resourceVersion;
    controller.queue.add(`${namespace}/web`);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await job()).metadata.resourceVersion).toBe(before);
  });
});
