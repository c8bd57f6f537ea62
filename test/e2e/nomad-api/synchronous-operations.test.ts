import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../../src/controller/controller.ts';
import type { NomadDeployment } from '../../../src/resources/nomad-deployment.ts';
import { clusterClients, freshNamespace, waitFor } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from './api-harness.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);

/** One group of one allocation whose health only the API decides (health_check "manual"). */
function manualHealthJob(namespace: string) {
  return {
    Job: {
      ID: 'web',
      Name: 'web',
      Namespace: namespace,
      Type: 'service',
      Datacenters: ['*'],
      Update: { MaxParallel: 1, HealthCheck: 'manual', MinHealthyTime: 1_000_000_000, HealthyDeadline: 30_000_000_000, ProgressDeadline: 120_000_000_000 },
      TaskGroups: [{ Name: 'frontend', Count: 1, Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1' } }] }],
    },
  };
}

/**
 * Deployment operations answer once the controller has carried them out, as Nomad's do; without
 * a controller they answer an error after a bounded wait and leave the intent written, and a
 * controller that comes back carries it out. (The Go conformance suite checks each operation's
 * effect with Nomad's client; this file checks what it cannot: the controller going away.)
 */
describe('the Nomad API: deployment operations are synchronous', () => {
  let api: ApiUnderTest;
  let controller: RunningController | undefined;
  let namespace: string;
  let token: string;
  beforeAll(async () => {
    api = await startApi({ controllerWait: { timeoutMs: 3_000, settleMs: 1_000 }, knownLeader: () => controller !== undefined });
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'nomadsync');
    token = await tokenFor(namespace, 'deployer', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'delete'] },
    ]);
  });
  afterAll(async () => {
    await controller?.stop();
    await api?.stop();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; index: number; json: any; text: string; ms: number }> {
    const started = Date.now();
    const scoped = `${path}${path.includes('?') ? '&' : '?'}namespace=${namespace}`;
    const res = await fetch(`${api.url}${scoped}`, {
      method,
      headers: { 'X-Nomad-Token': token },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, index: Number(res.headers.get('x-nomad-index') ?? 0), json, text, ms: Date.now() - started };
  }
  const deploymentObject = async () =>
    (await custom.getNamespacedCustomObject({
      group: 'caravan.dev',
      version: 'v1alpha1',
      plural: 'nomaddeployments',
      namespace,
      name: 'web-v0',
    })) as NomadDeployment;

  let deploymentId: string;
  it('pause answers once the deployment is paused: a read right after shows it', async () => {
    expect((await call('POST', '/v1/jobs', manualHealthJob(namespace))).status).toBe(200);
    const d = await waitFor(
      "version 0's deployment with its allocation placed",
      async () => {
        const r = await call('GET', '/v1/job/web/deployment');
        return r.json?.TaskGroups?.frontend?.PlacedAllocs === 1 ? r.json : undefined;
      },
      60_000,
      250,
    );
    deploymentId = d.ID;
    const paused = await call('POST', `/v1/deployment/pause/${deploymentId}`, { DeploymentID: deploymentId, Pause: true });
    expect([paused.status, paused.text]).toEqual([200, expect.stringContaining('"DeploymentModifyIndex"')]);
    expect(paused.json).toMatchObject({ EvalID: '', EvalCreateIndex: 0, RevertedJobVersion: null, Index: paused.index });
    const read = await call('GET', `/v1/deployment/${deploymentId}`);
    expect(read.json).toMatchObject({ Status: 'paused', StatusDescription: 'Deployment is paused', ModifyIndex: paused.json.DeploymentModifyIndex });
    // The index answered is the paused deployment's: a blocking read just below it returns at once.
    const blocking = await call('GET', `/v1/deployment/${deploymentId}?index=${paused.index - 1}&wait=5s`);
    expect([blocking.json.Status, blocking.ms < 2_000]).toEqual(['paused', true]);
  });

  it('without a controller, resume answers No cluster leader after the wait, and the intent stays written', async () => {
    await controller!.stop();
    controller = undefined;
    const resumed = await call('POST', `/v1/deployment/pause/${deploymentId}`, { DeploymentID: deploymentId, Pause: false });
    expect(resumed.status).toBe(500);
    expect(resumed.text).toBe(
      `No cluster leader: the controller did not resume deployment "${deploymentId}" within 3s (its status.observedGeneration is 2, not yet 3); the request stays in the spec of NomadDeployment ${namespace}/web-v0 and takes effect once a controller leads`,
    );
    expect(resumed.ms).toBeGreaterThanOrEqual(2_900);
    expect((await deploymentObject()).spec.paused).toBe(false);
    expect((await call('GET', `/v1/deployment/${deploymentId}`)).json.Status).toBe('paused');
  });

  it('allocation-health without a controller: the same error, the health stays on the Pod', async () => {
    const allocs = (await call('GET', `/v1/deployment/allocations/${deploymentId}`)).json as { ID: string }[];
    expect(allocs).toHaveLength(1);
    const health = await call('POST', `/v1/deployment/allocation-health/${deploymentId}`, {
      DeploymentID: deploymentId,
      HealthyAllocationIDs: [allocs[0]!.ID],
    });
    expect(health.status).toBe(500);
    expect(health.text).toMatch(
      /^No cluster leader: the controller did not set the health of allocations of deployment "[0-9a-f-]+" within 3s \(allocation [0-9a-f-]+ has no deployment health recorded yet\); the request stays in the caravan.dev\/health annotation of the allocations' Pods and takes effect once a controller leads$/,
    );
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=web' });
    expect(pods.items.map((p) => p.metadata?.annotations?.['caravan.dev/health'])).toEqual(['healthy']);
  });

  it('a controller that comes back carries both out', async () => {
    controller = await runController(kc, {});
    const done = await waitFor(
      'the deployment resumed and successful',
      async () => {
        const r = await call('GET', `/v1/deployment/${deploymentId}`);
        return r.json.Status === 'successful' ? r.json : undefined;
      },
      60_000,
      250,
    );
    expect(done.TaskGroups.frontend).toMatchObject({ HealthyAllocs: 1 });
  });
});
