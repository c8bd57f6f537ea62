import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJobSpec, UpdateSpec } from '../../src/model/nomad-job-spec.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, eventReasons, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const nd = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments' };

type JobObject = NomadJob & { status?: Record<string, any> };
interface DeploymentObject {
  spec: Record<string, unknown>;
  status?: {
    status: string;
    statusDescription: string;
    revertedJobVersion?: number;
    taskGroups?: Record<string, { healthyAllocs: number; placedAllocs: number; promoted: boolean; placedCanaries?: string[] }>;
  };
}

/** One task group `app` of `count`, with the update strategy and Pod annotations given. */
function job(image: string, update: UpdateSpec, opts: { count?: number; annotations?: Record<string, string> } = {}): NomadJobSpec {
  return {
    update,
    taskGroups: [
      {
        name: 'app',
        count: opts.count ?? 3,
        tasks: [{ name: 'app', driver: 'docker', config: { image } }],
        ...(opts.annotations ? { kubernetes: { annotations: opts.annotations } } : {}),
      },
    ],
  };
}

/**
 * Operator intent and health modes driven through the controller on the real cluster: each test
 * registers a job, lets version 0 settle, changes it, and acts on the NomadDeployment or its Pods
 * the way the README tells users to (kubectl patch / annotate).
 */
describe('operator intent and health modes through the controller', () => {
  let controller: RunningController;
  let namespace: string;
  beforeAll(async () => {
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'intent');
  });
  afterAll(async () => {
    await controller?.stop();
  });

  const getJob = (name: string) => custom.getNamespacedCustomObject({ ...nj, namespace, name }) as Promise<JobObject>;
  const getDeployment = (name: string) => custom.getNamespacedCustomObject({ ...nd, namespace, name }) as Promise<DeploymentObject>;
  const patchDeployment = (name: string, path: string, value: unknown) =>
    custom.patchNamespacedCustomObject({ ...nd, namespace, name, body: [{ op: 'add', path, value }] });
  const livePods = async (name: string, version?: number): Promise<V1Pod[]> =>
    (
      await core.listNamespacedPod({ namespace, labelSelector: `caravan.dev/job=${name}${version === undefined ? '' : `,caravan.dev/job-version=${version}`}` })
    ).items.filter((p) => !p.metadata?.deletionTimestamp);
  const images = async (name: string) => (await livePods(name)).map((p) => p.spec?.containers[0]?.image).sort();

  async function registerStable(name: string, spec: NomadJobSpec): Promise<void> {
    await custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec } });
    await waitFor(`${name} v0 to be stable`, async () => ((await getJob(name)).status?.stableVersion === 0 ? true : undefined), 90_000, 500);
  }
  const update = (name: string, spec: NomadJobSpec) =>
    custom.patchNamespacedCustomObject({ ...nj, namespace, name, body: [{ op: 'replace', path: '/spec', value: spec }] });
  const deploymentWhere = (name: string, what: string, test: (d: DeploymentObject) => boolean, timeoutMs = 90_000) =>
    waitFor(
      what,
      async () => {
        const d = await getDeployment(name).catch(() => undefined);
        return d && test(d) ? d : undefined;
      },
      timeoutMs,
      300,
    );

  it('auto_promote: the canary promotes itself once healthy and the rollout finishes', async () => {
    const strategy: UpdateSpec = { maxParallel: 1, canary: 1, autoPromote: true, minHealthyTime: '1s', healthyDeadline: '30s', progressDeadline: '2m' };
    await registerStable('auto', job('auto:1', strategy));
    await update('auto', job('auto:2', strategy));
    const placed = await deploymentWhere('auto-v1', 'the canary to be placed', (d) => (d.status?.taskGroups?.['app']?.placedCanaries?.length ?? 0) === 1);
    // A canary healthy within min_healthy_time may be promoted in the pass that first counts it.
    if (!placed.status?.taskGroups?.['app']?.promoted) expect(placed.status?.statusDescription).toBe('Deployment is running pending automatic promotion');
    const done = await deploymentWhere('auto-v1', 'auto-v1 to succeed', (d) => d.status?.status === 'successful');
    expect(done.status?.taskGroups?.['app']).toMatchObject({ promoted: true, healthyAllocs: 3 });
    expect(done.spec['promote']).toBeUndefined(); // promoted by the controller, not by a user's spec
    expect(await images('auto')).toEqual(['auto:2', 'auto:2', 'auto:2']);
    await waitFor('version 1 to be stable', async () => ((await getJob('auto')).status?.stableVersion === 1 ? true : undefined), 30_000, 300);
    const reasons = await eventReasons(core, namespace, ['CanariesPlaced', 'Promoted', 'Successful'], 'involvedObject.name=auto-v1');
    expect(reasons).toEqual(expect.arrayContaining(['CanariesPlaced', 'Promoted', 'Successful']));
  });

  it('pause and resume mid-rollout: paused places nothing new, resumed finishes', async () => {
    const strategy: UpdateSpec = { maxParallel: 1, minHealthyTime: '3s', healthyDeadline: '1m', progressDeadline: '3m' };
    await registerStable('pausable', job('p:1', strategy, { count: 4 }));
    await update('pausable', job('p:2', strategy, { count: 4 }));
    await waitFor('the first new allocation', async () => ((await livePods('pausable', 1)).length >= 1 ? true : undefined), 30_000, 200);
    await patchDeployment('pausable-v1', '/spec/paused', true);
    await deploymentWhere(
      'pausable-v1',
      'the deployment to be paused',
      (d) => d.status?.status === 'paused' && d.status.statusDescription === 'Deployment is paused',
    );
    const whilePaused = (await livePods('pausable', 1)).length;
    await sleep(8_000); // two and a half min_healthy_times: unpaused, at least two more would be placed
    expect((await livePods('pausable', 1)).length).toBe(whilePaused);
    expect((await getDeployment('pausable-v1')).status?.status).toBe('paused');
    expect(whilePaused).toBeLessThan(4);

    await patchDeployment('pausable-v1', '/spec/paused', false);
    await deploymentWhere('pausable-v1', 'pausable-v1 to succeed after resuming', (d) => d.status?.status === 'successful', 120_000);
    expect(await images('pausable')).toEqual(['p:2', 'p:2', 'p:2', 'p:2']);
  });

  it("operator fail with auto_revert: the deployment fails in Nomad's words and the job rolls back", async () => {
    const strategy: UpdateSpec = { maxParallel: 1, minHealthyTime: '1m', healthyDeadline: '5m', progressDeadline: '10m', autoRevert: true };
    await registerStable('failing', job('f:1', { ...strategy, minHealthyTime: '1s' }, { count: 2 }));
    await update('failing', job('f:2', strategy, { count: 2 }));
    await waitFor('a new allocation', async () => ((await livePods('failing', 1)).length >= 1 ? true : undefined), 30_000, 200);
    await patchDeployment('failing-v1', '/spec/failed', true);
    const failed = await deploymentWhere('failing-v1', 'the deployment to fail', (d) => d.status?.status === 'failed');
    expect(failed.status).toMatchObject({ statusDescription: 'Deployment marked as failed - rolling back to job version 0', revertedJobVersion: 0 });
    const reverted = await waitFor(
      'the revert to run',
      async () => {
        const j = await getJob('failing');
        return j.status?.revert && (await images('failing')).join() === 'f:1,f:1' ? j : undefined;
      },
      90_000,
      500,
    );
    expect(reverted.status?.['revert']).toMatchObject({ fromVersion: 1 });
    expect(reverted.spec.taskGroups[0]!.tasks[0]!.config).toEqual({ image: 'f:2' }); // spec stays as the user wrote it
  });

  it('operator fail without auto_revert: failed, nothing rolled back, the job keeps its version', async () => {
    const strategy: UpdateSpec = { maxParallel: 1, minHealthyTime: '1m', healthyDeadline: '5m', progressDeadline: '10m' };
    await registerStable('failing-plain', job('fp:1', { ...strategy, minHealthyTime: '1s' }, { count: 2 }));
    await update('failing-plain', job('fp:2', strategy, { count: 2 }));
    await waitFor('a new allocation', async () => ((await livePods('failing-plain', 1)).length >= 1 ? true : undefined), 30_000, 200);
    await patchDeployment('failing-plain-v1', '/spec/failed', true);
    const failed = await deploymentWhere('failing-plain-v1', 'the deployment to fail', (d) => d.status?.status === 'failed');
    expect(failed.status?.statusDescription).toBe('Deployment marked as failed');
    expect(failed.status?.revertedJobVersion).toBeUndefined();
    await sleep(2_000);
    const j = await getJob('failing-plain');
    expect(j.status).toMatchObject({ version: 1, stableVersion: 0 });
    expect(j.status?.['revert']).toBeFalsy();
  });

  it('manual health: nothing is healthy until an operator annotates the Pod, then the rollout moves on', async () => {
    const strategy: UpdateSpec = { maxParallel: 1, healthCheck: 'manual', minHealthyTime: '1s', healthyDeadline: '5m', progressDeadline: '10m' };
    const markHealthy = (pod: V1Pod) =>
      core.patchNamespacedPod({
        namespace,
        name: pod.metadata!.name!,
        body: [{ op: 'add', path: '/metadata/annotations/caravan.dev~1health', value: 'healthy' }],
      });
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'manual' }, spec: job('m:1', strategy, { count: 2 }) },
    });
    await waitFor('two Pods', async () => ((await livePods('manual', 0)).length === 2 ? true : undefined), 30_000, 200);
    await sleep(3_000);
    const waiting = await getDeployment('manual-v0');
    expect(waiting.status).toMatchObject({ status: 'running', taskGroups: { app: { healthyAllocs: 0 } } });
    for (const pod of await livePods('manual', 0)) await markHealthy(pod);
    await deploymentWhere('manual-v0', 'manual-v0 to succeed', (d) => d.status?.status === 'successful');

    await update('manual', job('m:2', strategy, { count: 2 }));
    for (let healthy = 0; healthy < 2; healthy++) {
      const pod = await waitFor(
        `new allocation ${healthy + 1}`,
        async () => (await livePods('manual', 1)).find((p) => !p.metadata?.annotations?.['caravan.dev/health']),
        30_000,
        200,
      );
      await sleep(1_500); // the controller places nothing more until this one is healthy
      expect((await livePods('manual', 1)).length).toBe(healthy + 1);
      await markHealthy(pod);
    }
    await deploymentWhere('manual-v1', 'manual-v1 to succeed', (d) => d.status?.status === 'successful');
    expect(await images('manual')).toEqual(['m:2', 'm:2']);
  });

  // Without a progress deadline Nomad fails a deployment at its first unhealthy allocation; with
  // one, a crashing allocation only holds the rollout until the deadline (nomad-semantics §2.8).
  it('a crashing canary, no progress deadline: the deployment fails as unhealthy and auto-revert keeps the old allocations', async () => {
    const strategy: UpdateSpec = { maxParallel: 1, canary: 1, minHealthyTime: '10s', healthyDeadline: '1m', progressDeadline: '0s', autoRevert: true };
    await registerStable('crashy', job('c:1', { ...strategy, minHealthyTime: '1s' }));
    await update('crashy', job('c:2', strategy, { annotations: { 'sim.caravan.dev/behavior': 'crash', 'sim.caravan.dev/delay': '1s' } }));
    const failed = await deploymentWhere('crashy-v1', 'the canary deployment to fail', (d) => d.status?.status === 'failed');
    expect(failed.status).toMatchObject({ statusDescription: 'Failed due to unhealthy allocations - rolling back to job version 0', revertedJobVersion: 0 });
    const j = await waitFor(
      'the revert to be running',
      async () => {
        const job = await getJob('crashy');
        return job.status?.['revert'] && job.status['running'] === 3 && (await images('crashy')).join() === 'c:1,c:1,c:1' ? job : undefined;
      },
      60_000,
      500,
    );
    // The revert runs version 0's spec as version 2, recorded stable (Nomad's revert).
    expect(j.status).toMatchObject({ version: 2, runningVersion: 2, stableVersion: 2, revert: { fromVersion: 1, toVersion: 2 } });
    const reasons = await eventReasons(core, namespace, ['AllocationUnhealthy', 'Failed'], 'involvedObject.name=crashy-v1');
    expect(reasons).toEqual(expect.arrayContaining(['AllocationUnhealthy', 'Failed']));
  });
});
