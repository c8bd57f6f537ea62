import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJobSpec, UpdateSpec } from '../../src/model/nomad-job-spec.ts';
import { customizationsDir, discoverActions, evaluateHealth, readScript, runAction, type HealthStatusCode } from '../unit/argocd/lua-harness.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const nd = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments' };
const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type KubeObject = { metadata: Record<string, any>; spec: Record<string, any>; status?: Record<string, any> };

const jobDir = path.join(customizationsDir, 'NomadJob');
const deploymentDir = path.join(customizationsDir, 'NomadDeployment');
const script = {
  job: readScript(jobDir, 'health.lua'),
  deployment: readScript(deploymentDir, 'health.lua'),
  discovery: readScript(deploymentDir, 'actions/discovery.lua'),
  action: (name: string) => readScript(deploymentDir, `actions/${name}/action.lua`),
};

/** CARAVAN_CAPTURE_ARGOCD_FIXTURES=1 writes what this test sees into the scripts' testdata. */
const capture = process.env['CARAVAN_CAPTURE_ARGOCD_FIXTURES'] === '1';
const fixtureNamespace = 'shop';

/** The object as a fixture: what changes on every run (uid, resourceVersion, managedFields) left out, the namespace fixed. */
function asFixture(obj: KubeObject): KubeObject {
  const { managedFields: _m, uid: _u, resourceVersion: _r, namespace: _n, ...metadata } = obj.metadata;
  return { ...obj, metadata: { ...metadata, namespace: fixtureNamespace } };
}

function writeFixture(files: string[], obj: KubeObject): void {
  if (!capture) return;
  for (const file of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, dump(asFixture(obj), { noRefs: true, lineWidth: -1 }));
  }
}

const seen: string[] = [];

/** Runs health.lua on the live object, as Argo CD would, and expects `status`; records the object as fixture `name`. */
async function expectHealth(kind: 'job' | 'deployment', name: string, obj: KubeObject, status: HealthStatusCode, alsoActionInput = false): Promise<void> {
  const health = await evaluateHealth(kind === 'job' ? script.job : script.deployment, obj);
  seen.push(`${kind === 'job' ? 'NomadJob' : 'NomadDeployment'}/testdata/${name}.yaml: ${health.status}: ${health.message}`);
  expect(health.status, `${name}: ${health.message}`).toBe(status);
  expect(health.message).toBeTruthy();
  const dir = kind === 'job' ? jobDir : deploymentDir;
  writeFixture([path.join(dir, 'testdata', `${name}.yaml`), ...(alsoActionInput ? [path.join(deploymentDir, 'actions/testdata', `${name}.yaml`)] : [])], obj);
}

/** RFC 7386 merge patch from `before` to `after`: what Argo CD sends for an action's result. */
function mergePatchBetween(before: Record<string, any>, after: Record<string, any>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    const bothMaps = [old, value].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    if (bothMaps) {
      const inner = mergePatchBetween(old, value);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!isDeepStrictEqual(old, value)) patch[key] = value;
  }
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  return patch;
}

const group = (update: UpdateSpec, image: string, annotations?: Record<string, string>): NomadJobSpec => ({
  update,
  taskGroups: [
    {
      name: 'frontend',
      count: 2,
      networks: [{ ports: [{ label: 'http', to: 8080 }] }],
      services: [{ name: 'web', port: 'http', checks: [{ type: 'http', path: '/ready' }] }],
      tasks: [{ name: 'nginx', driver: 'docker', config: { image, ports: ['http'] } }],
      ...(annotations ? { kubernetes: { annotations } } : {}),
    },
  ],
});
const rolling: UpdateSpec = { maxParallel: 1, minHealthyTime: '3s', healthyDeadline: '1m', progressDeadline: '2m', autoRevert: true };
const canary: UpdateSpec = { ...rolling, canary: 1 };

describe('Argo CD health and actions on live objects a real rollout produces', () => {
  let controller: RunningController;
  let namespace: string;
  let created: KubeObject;
  beforeAll(async () => {
    namespace = await freshNamespace(core, 'argocd');
    // Created before the controller runs, so the object without status is the one Argo CD would see first.
    created = (await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: group(rolling, 'nginx:1') },
    })) as KubeObject;
    controller = await runController(kc, {});
  });
  afterAll(async () => {
    await controller?.stop();
    // What each written fixture reads as, for updating health_test.yaml.
    if (capture && seen.length > 0) process.stderr.write(`[argocd fixtures] written:\n${seen.join('\n')}\n`);
  });

  const getJob = (name = 'web') => custom.getNamespacedCustomObject({ ...nj, namespace, name }) as Promise<KubeObject>;
  const getDeployment = (name: string) => custom.getNamespacedCustomObject({ ...nd, namespace, name }) as Promise<KubeObject>;
  const jobWhere = (what: string, test: (j: KubeObject) => boolean, timeoutMs = 90_000, name = 'web') =>
    waitFor(
      what,
      async () => {
        const j = await getJob(name);
        return test(j) ? j : undefined;
      },
      timeoutMs,
      200,
    );
  const deploymentWhere = (name: string, what: string, test: (d: KubeObject) => boolean, timeoutMs = 90_000) =>
    waitFor(
      what,
      async () => {
        const d = await getDeployment(name).catch(() => undefined);
        return d && test(d) ? d : undefined;
      },
      timeoutMs,
      200,
    );
  const replaceSpec = (spec: NomadJobSpec, name = 'web') =>
    custom.patchNamespacedCustomObject({ ...nj, namespace, name, body: [{ op: 'replace', path: '/spec', value: spec }] }) as Promise<KubeObject>;

  /** What Argo CD does for a resource action: discovery must offer it, action.lua changes the object, a merge patch writes the change. */
  async function runArgoAction(action: string, deployment: string): Promise<KubeObject> {
    const live = await getDeployment(deployment);
    const offered = await discoverActions(script.discovery, live);
    expect(
      offered.find((a) => a.name === action),
      `${action} offered on ${deployment}`,
    ).toMatchObject({ disabled: false });
    const changed = await runAction(script.action(action), live);
    const patch = mergePatchBetween(live, changed);
    expect(Object.keys(patch)).toEqual(['spec']);
    return (await custom.patchNamespacedCustomObject({ ...nd, namespace, name: deployment, body: patch }, mergePatch())) as KubeObject;
  }

  it('a new job: not yet observed, then its first deployment running, then successful', async () => {
    await expectHealth('job', 'progressing_notObserved', created, 'Progressing');

    const running = await deploymentWhere(
      'web-v0',
      'web-v0 running',
      (d) => d.status?.['status'] === 'running' && d.status['taskGroups']?.frontend?.placedAllocs >= 1,
    );
    await expectHealth('deployment', 'progressing_firstRollout', running, 'Progressing', true);
    await expectHealth(
      'job',
      'progressing_firstRollout',
      await jobWhere('web to report web-v0 running', (j) => j.status?.['latestDeployment']?.status === 'running'),
      'Progressing',
    );

    const done = await deploymentWhere('web-v0', 'web-v0 successful', (d) => d.status?.['status'] === 'successful');
    await expectHealth('deployment', 'healthy_successful', done, 'Healthy', true);
    const stable = await jobWhere('web to be Ready', (j) =>
      j.status?.['conditions']?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
    );
    await expectHealth('job', 'healthy_deployed', stable, 'Healthy');
    const discovered = await discoverActions(script.discovery, done);
    expect(discovered.filter((a) => !a.disabled)).toEqual([]);
  });

  it('a canary: spec not observed yet, waiting for promotion, paused and resumed through Argo CD actions, promoted, successful', async () => {
    const changed = await replaceSpec(group(canary, 'nginx:2'));
    await expectHealth('job', 'progressing_newGeneration', changed, 'Progressing');

    const starting = await deploymentWhere(
      'web-v1',
      'the canary to be placed',
      (d) => d.status?.['taskGroups']?.frontend?.placedCanaries?.length === 1 && d.status['taskGroups'].frontend.healthyAllocs === 0,
    );
    await expectHealth('deployment', 'suspended_awaitingPromotion_canaryStarting', starting, 'Suspended', true);
    const healthy = await deploymentWhere('web-v1', 'the canary to be healthy', (d) => d.status?.['taskGroups']?.frontend?.healthyAllocs === 1);
    await expectHealth('deployment', 'suspended_awaitingPromotion', healthy, 'Suspended', true);
    await expectHealth(
      'job',
      'suspended_awaitingPromotion',
      await jobWhere('web to report web-v1', (j) => j.status?.['latestDeployment']?.name === 'web-v1'),
      'Suspended',
    );

    const pausing = await runArgoAction('pause', 'web-v1');
    await expectHealth('deployment', 'progressing_pauseNotObserved', pausing, 'Progressing', true);
    const paused = await deploymentWhere('web-v1', 'web-v1 paused', (d) => d.status?.['status'] === 'paused');
    await expectHealth('deployment', 'suspended_paused', paused, 'Suspended', true);
    await expectHealth(
      'job',
      'suspended_paused',
      await jobWhere('web to report the pause', (j) => j.status?.['latestDeployment']?.status === 'paused'),
      'Suspended',
    );

    await runArgoAction('resume', 'web-v1');
    const resumed = await deploymentWhere(
      'web-v1',
      'web-v1 running again',
      (d) => d.status?.['status'] === 'running' && d.status['observedGeneration'] === d.metadata['generation'],
    );
    await expectHealth('deployment', 'suspended_resumedAwaitingPromotion', resumed, 'Suspended', true);
    // After a resume Nomad's description says "Deployment is running": the job cannot tell that a promotion is still due.
    await expectHealth(
      'job',
      'progressing_resumed',
      await jobWhere('web to report the resume', (j) => j.status?.['latestDeployment']?.status === 'running'),
      'Progressing',
    );

    await runArgoAction('promote', 'web-v1');
    const promoted = await deploymentWhere(
      'web-v1',
      'web-v1 promoted and rolling',
      (d) => d.status?.['status'] === 'running' && d.status['taskGroups']?.frontend?.promoted === true,
    );
    await expectHealth('deployment', 'progressing_promoted', promoted, 'Progressing', true);
    const done = await deploymentWhere('web-v1', 'web-v1 successful', (d) => d.status?.['status'] === 'successful', 120_000);
    await expectHealth('deployment', 'healthy_promoted', done, 'Healthy');
    await expectHealth(
      'job',
      'healthy_promoted',
      await jobWhere('web v1 stable', (j) => j.status?.['stableVersion'] === 1 && j.status['latestDeployment']?.status === 'successful'),
      'Healthy',
    );
  }, 240_000);

  it('a version that never turns healthy: the deployment fails and the job auto-reverts', async () => {
    await replaceSpec(
      group({ ...rolling, healthyDeadline: '5s', progressDeadline: '10s', minHealthyTime: '1s' }, 'nginx:3', { 'sim.caravan.dev/behavior': 'never-ready' }),
    );
    const failed = await deploymentWhere('web-v2', 'web-v2 failed', (d) => d.status?.['status'] === 'failed', 120_000);
    await expectHealth('deployment', 'degraded_progressDeadline', failed, 'Degraded', true);
    const reverted = await jobWhere(
      'the revert to be deployed',
      (j) => j.status?.['revert'] !== undefined && j.status['latestDeployment']?.status === 'successful',
      120_000,
    );
    await expectHealth('job', 'degraded_reverted', reverted, 'Degraded');
    await expectHealth('deployment', 'healthy_revert', await getDeployment(reverted.status!['latestDeployment'].name), 'Healthy');
  }, 240_000);

  it('a deployment cancelled by a newer version, a refused promotion, and one marked failed through Argo CD', async () => {
    const slow: UpdateSpec = { maxParallel: 1, canary: 1, minHealthyTime: '5m', healthyDeadline: '9m', progressDeadline: '10m' };
    const changed = await replaceSpec(group(slow, 'nginx:4'));
    const generation = changed.metadata['generation'] as number;
    const superseded = await jobWhere(
      'a deployment for the new spec',
      (j) => j.status?.['observedGeneration'] === generation && j.status['latestDeployment']?.status === 'running',
    );
    const cancelledName = superseded.status!['latestDeployment'].name as string;
    await replaceSpec(group(slow, 'nginx:5'));
    const cancelled = await deploymentWhere(cancelledName, `${cancelledName} cancelled`, (d) => d.status?.['status'] === 'cancelled');
    await expectHealth('deployment', 'healthy_cancelled', cancelled, 'Healthy', true);

    const latest = await jobWhere(
      'the newest deployment running',
      (j) => j.status?.['latestDeployment']?.status === 'running' && j.status['latestDeployment'].name !== cancelledName,
    );
    const name = latest.status!['latestDeployment'].name as string;
    await deploymentWhere(name, 'its canary placed', (d) => d.status?.['taskGroups']?.frontend?.placedCanaries?.length === 1);
    await runArgoAction('promote', name);
    const refused = await deploymentWhere(name, 'the promotion refused', (d) =>
      d.status?.['conditions']?.some((c: { type: string; status: string }) => c.type === 'IntentHonoured' && c.status === 'False'),
    );
    await expectHealth('deployment', 'progressing_promotionRefused', refused, 'Progressing', true);

    await runArgoAction('fail', name);
    const failed = await deploymentWhere(name, `${name} failed`, (d) => d.status?.['status'] === 'failed');
    await expectHealth('deployment', 'degraded_markedFailed', failed, 'Degraded', true);
    await expectHealth(
      'job',
      'degraded_deploymentFailed',
      await jobWhere('the job to report the failure', (j) => j.status?.['latestDeployment']?.status === 'failed'),
      'Degraded',
    );
  }, 240_000);

  it('a stopped job is healthy once its allocations are gone', async () => {
    const j = await getJob();
    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'web', body: { spec: { stop: true } } }, mergePatch());
    const stopped = await jobWhere(
      'web dead',
      (x) =>
        x.status?.['status'] === 'dead' && x.status['observedGeneration'] === x.metadata['generation'] && x.metadata['generation'] > j.metadata['generation'],
    );
    await expectHealth('job', 'healthy_stopped', stopped, 'Healthy');
  });

  it('batch jobs: dead after their work completed is Healthy, dead with only failures is Degraded', async () => {
    const batch = (name: string, behavior: 'complete' | 'fail') => ({
      apiVersion: 'caravan.dev/v1alpha1',
      kind: 'NomadJob',
      metadata: { name },
      spec: {
        type: 'batch',
        taskGroups: [
          {
            name: 'work',
            count: 1,
            reschedule: { attempts: 0, unlimited: false },
            tasks: [{ name: 'work', driver: 'docker', config: { image: 'report:1' } }],
            kubernetes: { annotations: { 'sim.caravan.dev/behavior': behavior, 'sim.caravan.dev/delay': '1s' } },
          },
        ],
      },
    });
    await custom.createNamespacedCustomObject({ ...nj, namespace, body: batch('report', 'complete') });
    await custom.createNamespacedCustomObject({ ...nj, namespace, body: batch('broken-report', 'fail') });
    const done = await jobWhere(
      'report dead with its work complete',
      (j) => j.status?.['status'] === 'dead' && j.status['summary']?.work?.complete === 1,
      90_000,
      'report',
    );
    await expectHealth('job', 'healthy_batchComplete', done, 'Healthy');
    const failed = await jobWhere(
      'broken-report dead with its work failed',
      (j) => j.status?.['status'] === 'dead' && j.status['summary']?.work?.failed === 1,
      90_000,
      'broken-report',
    );
    await expectHealth('job', 'degraded_batchFailed', failed, 'Degraded');
  }, 200_000);

  it('canaries that promote themselves wait for nobody: Progressing', async () => {
    const auto: UpdateSpec = { ...canary, autoPromote: true };
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'auto' }, spec: group(auto, 'nginx:1') },
    });
    await jobWhere('auto v0 stable', (j) => j.status?.['stableVersion'] === 0, 90_000, 'auto');
    await replaceSpec(group(auto, 'nginx:2'), 'auto');
    const placed = await deploymentWhere(
      'auto-v1',
      'the canary placed',
      (d) => d.status?.['taskGroups']?.frontend?.placedCanaries?.length === 1 && d.status['taskGroups'].frontend.promoted === false,
    );
    await expectHealth('deployment', 'progressing_autoPromotion', placed, 'Progressing', true);
  }, 180_000);

  it('a canary step waiting for approval waits for the operator: Suspended', async () => {
    const stepped = (image: string): NomadJobSpec => ({
      ...group({ ...rolling, minHealthyTime: '1s', canarySteps: [{ count: 1, approval: true }, { count: 2 }] }, image),
      taskGroups: [{ ...group(rolling, image).taskGroups[0]!, count: 4 }],
    });
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'stepped' }, spec: stepped('nginx:1') },
    });
    await jobWhere('stepped v0 stable', (j) => j.status?.['stableVersion'] === 0, 90_000, 'stepped');
    await replaceSpec(stepped('nginx:2'), 'stepped');
    const gate = await deploymentWhere(
      'stepped-v1',
      'the first canary step healthy',
      (d) => d.status?.['taskGroups']?.frontend?.canaryStep === 1 && d.status['taskGroups'].frontend.healthyAllocs === 1,
    );
    await expectHealth('deployment', 'suspended_canaryStepApproval', gate, 'Suspended', true);
  }, 180_000);

  it('a spec Caravan refuses is Degraded', async () => {
    const spec = group(rolling, 'nginx:1');
    spec.taskGroups[0]!.services = [{ name: 'web', port: 'admin', checks: [{ type: 'http', path: '/ready' }] }];
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'refused' }, spec },
    });
    const refused = await jobWhere(
      'refused to be refused',
      (x) => x.status?.['conditions']?.some((c: { reason: string }) => c.reason === 'InvalidSpec'),
      60_000,
      'refused',
    );
    await expectHealth('job', 'degraded_invalidSpec', refused, 'Degraded');
  });
});
