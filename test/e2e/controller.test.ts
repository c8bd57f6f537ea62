import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, eventReasons, freshNamespace, isPodReady, waitFor } from './kube.ts';

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
  beforeAll(async () => {
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'ctrl');
  });
  afterAll(async () => {
    await controller?.stop();
  });

  const job = () => custom.getNamespacedCustomObject({ ...nj, namespace, name: 'web' }) as Promise<NomadJob & { status?: Record<string, any> }>;
  const pods = async () =>
    (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);

  it('runs a new NomadJob: version 0, a deployment that succeeds, three Ready Pods, a Ready condition', async () => {
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: web('nginx:1') },
    });
    const ready = await waitFor(
      'web to be Ready',
      async () => {
        const j = await job();
        return j.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready')?.status === 'True' ? j : undefined;
      },
      90_000,
      500,
    );
    expect(ready.status).toMatchObject({
      status: 'running',
      version: 0,
      stableVersion: 0,
      desired: 3,
      running: 3,
      latestDeployment: { name: 'web-v0', status: 'successful', statusDescription: 'Deployment completed successfully' },
    });
    const running = await pods();
    expect(running.map((p) => p.metadata?.name).sort()).toEqual(['web-frontend-0-v0', 'web-frontend-1-v0', 'web-frontend-2-v0']);
    expect(running.every(isPodReady)).toBe(true);
    // The API server names a write's field manager after its User-Agent: Caravan's, not "unknown".
    const managers = (ready.metadata as { managedFields?: { manager?: string; subresource?: string }[] }).managedFields;
    expect(managers?.find((m) => m.subresource === 'status')?.manager).toBe('caravan');
    expect(running.every((p) => p.metadata?.managedFields?.some((m) => m.manager === 'caravan' && m.operation === 'Update'))).toBe(true);
    const revisions = await apps.listNamespacedControllerRevision({ namespace, labelSelector: 'caravan.dev/job=web' });
    expect(revisions.items.map((r) => r.metadata?.annotations?.['caravan.dev/stable'])).toEqual(['true']);
  });

  it('rolls a new image out through a canary promoted by its NomadDeployment spec', async () => {
    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'web', body: [{ op: 'replace', path: '/spec', value: web('nginx:2', 1) }] });
    await waitFor(
      'the canary to wait for promotion',
      async () => {
        const d = (await custom.getNamespacedCustomObject({ ...nd, namespace, name: 'web-v1' })) as {
          status?: { statusDescription?: string; taskGroups?: Record<string, { healthyAllocs: number }> };
        };
        return d.status?.statusDescription === 'Deployment is running but requires manual promotion' && d.status.taskGroups?.['frontend']?.healthyAllocs === 1
          ? d
          : undefined;
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
    expect(await eventReasons(core, namespace, ['Created', 'CanariesPlaced', 'Promoted', 'Successful'])).toEqual(
      expect.arrayContaining(['Created', 'CanariesPlaced', 'Promoted', 'Successful']),
    );
  });

  it('makes no writes when there is nothing to do', async () => {
    const before = (await job()).metadata.resourceVersion;
    controller.queue.add(`${namespace}/web`);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await job()).metadata.resourceVersion).toBe(before);
  });

  it('auto-reverts a version whose Pods never become ready, leaving NomadJob.spec as written', async () => {
    const api = (image: string, annotations: Record<string, string> = {}): NomadJobSpec => ({
      update: { maxParallel: 1, minHealthyTime: '1s', healthyDeadline: '5s', progressDeadline: '10s', autoRevert: true },
      taskGroups: [
        {
          name: 'server',
          count: 2,
          networks: [{ ports: [{ label: 'http', to: 8080 }] }],
          services: [{ name: 'api', port: 'http', checks: [{ type: 'http', path: '/ready' }] }],
          tasks: [{ name: 'api', driver: 'docker', config: { image, ports: ['http'] } }],
          kubernetes: { annotations },
        },
      ],
    });
    const get = () => custom.getNamespacedCustomObject({ ...nj, namespace, name: 'api' }) as Promise<NomadJob & { status?: Record<string, any> }>;
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'api' }, spec: api('api:1') },
    });
    await waitFor('api v0 to be stable', async () => ((await get()).status?.stableVersion === 0 ? true : undefined), 90_000, 500);

    const broken = api('api:2', { 'sim.caravan.dev/behavior': 'never-ready' });
    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'api', body: [{ op: 'replace', path: '/spec', value: broken }] });
    const reverted = await waitFor(
      'the revert to be deployed',
      async () => {
        const j = await get();
        return j.status?.revert && j.status.latestDeployment?.status === 'successful' ? j : undefined;
      },
      120_000,
      500,
    );
    const failed = (await custom.getNamespacedCustomObject({ ...nd, namespace, name: 'api-v1' })) as {
      status: { status: string; statusDescription: string; revertedJobVersion?: number };
    };
    expect(failed.status).toMatchObject({
      status: 'failed',
      statusDescription: 'Failed due to progress deadline - rolling back to job version 0',
      revertedJobVersion: 0,
    });
    expect(reverted.spec).toEqual(
      expect.objectContaining({ taskGroups: [expect.objectContaining({ tasks: [expect.objectContaining({ config: { image: 'api:2', ports: ['http'] } })] })] }),
    );
    expect(reverted.status).toMatchObject({
      version: 2,
      runningVersion: 2,
      revert: { fromVersion: 1, toVersion: 2, reason: 'Failed due to progress deadline - rolling back to job version 0' },
    });
    const images = (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=api' })).items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => p.spec?.containers[0]?.image);
    expect(images).toEqual(['api:1', 'api:1']);
    expect(await eventReasons(core, namespace, ['Failed', 'Reverted'])).toEqual(expect.arrayContaining(['Failed', 'Reverted']));

    // The revert stays in effect: another reconcile of the unchanged spec records no new version.
    controller.queue.add(`${namespace}/api`);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get()).status?.version).toBe(2);
  });

  it("reports a promotion it cannot honour in the deployment status and an Event, in Nomad's words", async () => {
    const slow = (image: string): NomadJobSpec => ({
      ...web(image, 1),
      update: { maxParallel: 1, canary: 1, minHealthyTime: '5m', healthyDeadline: '9m', progressDeadline: '10m' },
    });
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'slow' }, spec: { ...slow('s:1'), update: { maxParallel: 0 } } },
    });
    await waitFor(
      'slow v0',
      async () => ((await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=slow' })).items.length === 3 ? true : undefined),
      60_000,
      500,
    );
    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'slow', body: [{ op: 'replace', path: '/spec', value: slow('s:2') }] });
    await waitFor('deployment slow-v1', async () => custom.getNamespacedCustomObject({ ...nd, namespace, name: 'slow-v1' }), 60_000, 500);
    await custom.patchNamespacedCustomObject({ ...nd, namespace, name: 'slow-v1', body: [{ op: 'add', path: '/spec/promote', value: { all: true } }] });
    const refused = await waitFor(
      'the refusal in status',
      async () => {
        const d = (await custom.getNamespacedCustomObject({ ...nd, namespace, name: 'slow-v1' })) as {
          status?: { conditions?: { type: string; status: string; message: string }[] };
        };
        const c = d.status?.conditions?.find((x) => x.type === 'IntentHonoured');
        return c?.status === 'False' ? c : undefined;
      },
      60_000,
      500,
    );
    expect(refused.message).toBe('1 error occurred:\n\t* Task group "frontend" has 0/1 healthy allocations\n\n');
    await eventReasons(core, namespace, ['IntentRefused']);
    const events = (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.reason === 'IntentRefused');
    expect(events.map((e) => e.involvedObject.name)).toEqual(['slow-v1']);
  });
});
