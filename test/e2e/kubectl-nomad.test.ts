import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../../src/project.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

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
    taskGroups?: Record<string, { healthyAllocs: number; placedAllocs: number; promoted: boolean; placedCanaries?: string[] }>;
  };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The plugin as a user runs it: `kubectl nomad …` finds scripts/kubectl-nomad on PATH, which
 * runs src/plugin/main.ts with the project's Node. stdout is a pipe, so output is plain.
 */
function kubectlNomad(args: readonly string[], namespace: string): { done: Promise<Run> } {
  const child = spawn(fromProjectRoot('scripts', 'kubectl-nomad'), [...args, '-n', namespace, '--kubeconfig', inject('kubeconfig')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}
const plugin = (namespace: string, ...args: string[]) => kubectlNomad(args, namespace).done;

/**
 * With KUBECTL_NOMAD_SAMPLES=<dir>, the outputs docs/kubectl-nomad.md quotes are written there,
 * the namespace name replaced by a fixed one.
 */
function sample(name: string, command: string, run: Run, namespace: string): void {
  const dir = process.env['KUBECTL_NOMAD_SAMPLES'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const text = `$ ${command}\n${run.stderr}${run.stdout}`.replaceAll(namespace, 'shop');
  writeFileSync(path.join(dir, `${name}.txt`), text);
}

function web(image: string, update: NomadJobSpec['update'] = {}): NomadJobSpec {
  return {
    update: { maxParallel: 1, minHealthyTime: '2s', healthyDeadline: '30s', progressDeadline: '2m', ...update },
    taskGroups: [{ name: 'frontend', count: 3, tasks: [{ name: 'nginx', driver: 'docker', config: { image } }] }],
  };
}

describe('kubectl nomad against the real cluster and the controller', () => {
  let controller: RunningController;
  let namespace: string;
  beforeAll(async () => {
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'plugin');
  });
  afterAll(async () => {
    await controller?.stop();
  });

  const getJob = () => custom.getNamespacedCustomObject({ ...nj, namespace, name: 'web' }) as Promise<JobObject>;
  const getDeployment = (name: string) => custom.getNamespacedCustomObject({ ...nd, namespace, name }) as Promise<DeploymentObject>;
  const update = (spec: NomadJobSpec) =>
    custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'web', body: [{ op: 'replace', path: '/spec', value: spec }] });
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
  const livePods = async (version: number): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: `caravan.dev/job=web,caravan.dev/job-version=${version}` })).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );

  it('status, history and watch of a first version', async () => {
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: web('nginx:1') },
    });
    const watched = await plugin(namespace, 'watch', 'web', '--timeout', '90s');
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/Deployment web-v0 \(\w{8}\) successful: Deployment completed successfully\n$/);

    const status = await plugin(namespace, 'status', 'web');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Status         = running');
    expect(status.stdout).toContain('Stable Version = 0');
    expect(status.stdout).not.toContain('\x1b');
    expect(status.stdout.split('\n').filter((l) => / frontend +0 +run +running /.test(l))).toHaveLength(3);
  });

  it('status shows a canary awaiting promotion; promote finishes it while watch follows to exit 0', async () => {
    await update(web('nginx:2', { canary: 1 }));
    const watch = kubectlNomad(['watch', 'web', '--timeout', '150s'], namespace);
    await deploymentWhere(
      'web-v1',
      'the canary to wait for promotion',
      (d) => d.status?.statusDescription === 'Deployment is running but requires manual promotion' && d.status.taskGroups?.['frontend']?.healthyAllocs === 1,
    );

    const status = await plugin(namespace, 'status', 'web');
    expect(status.code, status.stderr).toBe(0);
    sample('status-canary', 'kubectl nomad status web', status, namespace);
    expect(status.stdout).toMatch(
      /Latest Deployment\nID {10}= \w{8}\nStatus {6}= running\nDescription = Deployment is running but requires manual promotion\n/,
    );
    expect(status.stdout).toContain('Task Group  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy  Progress Deadline');
    expect(status.stdout).toMatch(/\nfrontend +false +3 +1 +1 +1 +0 +\d{4}-\d\d-\d\dT/);
    expect(status.stdout).toContain('ID        Node ID   Task Group  Version  Desired  Status   Created');
    expect(status.stdout.split('\n').filter((l) => / frontend +1 +run +running /.test(l))).toHaveLength(1);

    const json = await plugin(namespace, 'status', 'web', '-o', 'json');
    sample('status-json', 'kubectl nomad status web -o json', json, namespace);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      job: { id: 'web', version: 1, stableVersion: 0 },
      latestDeployment: { name: 'web-v1', status: 'running', taskGroups: [{ name: 'frontend', promoted: false, canaries: 1, healthy: 1 }] },
    });
    expect(report.allocations).toHaveLength(4);

    const history = await plugin(namespace, 'history', 'web', '-p');
    expect(history.code, history.stderr).toBe(0);
    sample('history', 'kubectl nomad history web -p', history, namespace);
    expect(history.stdout.match(/^Version +=/gm)).toHaveLength(2);
    expect(history.stdout).toContain('~ taskGroups[frontend].tasks[nginx].config.image: "nginx:1" => "nginx:2"');
    const yaml = await plugin(namespace, 'history', 'web', '-o', 'yaml');
    expect(yaml.stdout).toMatch(/^- version: 1\n {2}stable: false\n/);

    const promote = await plugin(namespace, 'promote', 'web');
    expect(promote.code, promote.stderr).toBe(0);
    sample('promote', 'kubectl nomad promote web', promote, namespace);
    expect(promote.stdout).toMatch(/^==> web-v1: promoted \(spec asks: promote all\)/);
    expect((await getDeployment('web-v1')).spec).toMatchObject({ promote: { all: true } });

    const watched = await watch.done;
    sample('watch', 'kubectl nomad watch web', watched, namespace);
    expect(watched.code, watched.stderr + watched.stdout).toBe(0);
    expect(watched.stdout).toContain('web-v1 running: Deployment is running but requires manual promotion | frontend: healthy 1/3, placed 1, canaries 1/1\n');
    expect(watched.stdout).toMatch(/Deployment web-v1 \(\w{8}\) successful: Deployment completed successfully\n$/);
  }, 240_000);

  it('pause, resume, a refused promote, alloc-health and fail act on the latest deployment', async () => {
    await update(web('nginx:3', { canary: 1, healthCheck: 'manual' }));
    const placed = await deploymentWhere(
      'web-v2',
      'the v2 canary to be placed',
      (d) => (d.status?.taskGroups?.['frontend']?.placedCanaries?.length ?? 0) === 1,
    );
    const canaryId = placed.status!.taskGroups!['frontend']!.placedCanaries![0]!;

    const pause = await plugin(namespace, 'pause', 'web');
    sample('pause', 'kubectl nomad pause web', pause, namespace);
    expect(pause.code, pause.stderr).toBe(0);
    expect((await getDeployment('web-v2')).status).toMatchObject({ status: 'paused', statusDescription: 'Deployment is paused' });

    const resume = await plugin(namespace, 'resume', 'web');
    expect(resume.code, resume.stderr).toBe(0);
    expect((await getDeployment('web-v2')).status).toMatchObject({ status: 'running', statusDescription: 'Deployment is running' });

    // Manual health: the canary is not healthy yet, so the controller refuses the promotion.
    const early = await plugin(namespace, 'promote', 'web');
    sample('promote-refused', 'kubectl nomad promote web', early, namespace);
    expect(early.code).toBe(1);
    expect(early.stdout).toContain('==> web-v2: the controller refused the promotion (spec asks: promote all, resumed)\n');
    expect(early.stdout).toContain('Refused     = 1 error occurred:\n\t* Task group "frontend" has 0/1 healthy allocations\n');

    const health = await plugin(namespace, 'alloc-health', canaryId.slice(0, 8), '--healthy');
    sample('alloc-health', `kubectl nomad alloc-health ${canaryId.slice(0, 8)} --healthy`, health, namespace);
    expect(health.code, health.stderr).toBe(0);
    const [canary] = await livePods(2);
    expect(canary?.metadata?.annotations?.['caravan.dev/health']).toBe('healthy');
    await deploymentWhere('web-v2', 'the canary to be counted healthy', (d) => d.status?.taskGroups?.['frontend']?.healthyAllocs === 1);

    const fail = await plugin(namespace, 'fail', 'web');
    sample('fail', 'kubectl nomad fail web', fail, namespace);
    expect(fail.code, fail.stderr).toBe(0);
    expect((await getDeployment('web-v2')).status).toMatchObject({ status: 'failed', statusDescription: 'Deployment marked as failed' });

    const again = await plugin(namespace, 'pause', 'web');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("error: web-v2: can't pause terminal deployment\n");

    const watched = await plugin(namespace, 'watch', 'web');
    sample('watch-failed', 'kubectl nomad watch web; echo "exit code $?"', { ...watched, stdout: `${watched.stdout}exit code ${watched.code}\n` }, namespace);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain('Deployment web-v2');
  }, 180_000);

  it("revert writes version 0's spec back, warns about GitOps drift, and the controller rolls it out", async () => {
    const revert = await plugin(namespace, 'revert', 'web', '0');
    sample('revert', 'kubectl nomad revert web 0', revert, namespace);
    expect(revert.code, revert.stderr).toBe(0);
    expect(revert.stderr).toContain('will report drift');
    expect(revert.stdout).toContain("==> NomadJob web: version 0's spec is now the job's spec, recorded as version 3");
    expect((await getJob()).spec.taskGroups[0]?.tasks[0]?.config?.image).toBe('nginx:1');

    const watched = await plugin(namespace, 'watch', 'web', '--timeout', '150s');
    expect(watched.code, watched.stdout + watched.stderr).toBe(0);
    expect((await livePods(3)).map((p) => p.spec?.containers[0]?.image)).toEqual(['nginx:1', 'nginx:1', 'nginx:1']);

    const history = await plugin(namespace, 'history', 'web', '-o', 'json');
    expect(JSON.parse(history.stdout).map((v: { version: number; stable: boolean }) => [v.version, v.stable])).toEqual([
      [3, true],
      [2, false],
      [1, true],
      [0, true],
    ]);
    const status = await plugin(namespace, 'status', 'web');
    sample('status-after-revert', 'kubectl nomad status web', status, namespace);
  }, 240_000);
});
