import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
} from '@kubernetes/client-node';
import { dump, loadAll } from 'js-yaml';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiErrorCode, loadKubeConfig } from '../../src/kube/client.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../../src/project.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, eventReasons, freshNamespace, isPodReady, waitFor } from './kube.ts';
import { killCommand } from '../../src/api/nomad/alloc-lifecycle.ts';
import { execInContainer } from '../../src/kube/pod-exec.ts';

// Issue 7: `kubectl apply -k deploy/` is accepted, and its RBAC is enough for the controller to
// complete a rollout: the controller runs here as its own process, authenticated only by a token
// of deploy/'s ServiceAccount. The Deployment's own Pods cannot run the real image on kwok nodes:
// kwok plays their kubelet and reports them Running and Ready without running anything, so they
// never compete for the Lease. They do show that the Pod template passes the namespace's
// restricted Pod Security admission and fits a node.

const { kc: admin, core } = clusterClients();
const custom = admin.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const caravanNamespace = 'caravan-system';
const serviceAccount = 'caravan';

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `kubectl apply -k deploy/ --server-side`, as a user runs it. Without kubectl (CI machines need
 * not have it), the same objects go in by server-side apply through the API; the CRDs, which
 * kustomize takes from crds/, are then the ones the run's global setup installed from the same
 * source.
 */
async function applyDeploy(kc: KubeConfig): Promise<string> {
  if (hasKubectl()) {
    return execFileSync(
      'kubectl',
      ['--kubeconfig', inject('kubeconfig'), 'apply', '-k', fromProjectRoot('deploy'), '--server-side', '--field-manager=caravan-e2e'],
      { encoding: 'utf8' },
    );
  }
  const dir = fromProjectRoot('deploy', 'base');
  const kustomization = loadAll(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0] as { resources: string[] };
  const objects = kustomization.resources
    .filter((r) => r.endsWith('.yaml'))
    .flatMap((file) => loadAll(readFileSync(path.join(dir, file), 'utf8')) as KubernetesObject[]);
  const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: string[] = [];
  for (const obj of objects.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'))) {
    const body = clusterScoped.includes(obj.kind!) ? obj : { ...obj, metadata: { ...obj.metadata, namespace: caravanNamespace } };
    await api.patch(body, undefined, undefined, 'caravan-e2e', false, PatchStrategy.ServerSideApply);
    applied.push(`${obj.kind}/${obj.metadata?.name} serverside-applied`);
  }
  return applied.join('\n');
}

/** A kubeconfig for the same server and CA as the admin's, authenticated by `token` alone. */
function tokenKubeconfig(token: string): string {
  const cluster = admin.getCurrentCluster()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caravan-sa-'));
  const file = path.join(dir, 'kubeconfig');
  const ca = cluster.caFile ? { 'certificate-authority': cluster.caFile } : { 'certificate-authority-data': cluster.caData };
  writeFileSync(
    file,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: cluster.server, ...ca } }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: serviceAccount, context: { cluster: 'local', user: serviceAccount } }],
      'current-context': serviceAccount,
    }),
    { mode: 0o600 },
  );
  return file;
}

function web(image: string): NomadJobSpec {
  return {
    update: { maxParallel: 1, minHealthyTime: '1s', healthyDeadline: '30s', progressDeadline: '2m' },
    taskGroups: [{ name: 'frontend', count: 2, tasks: [{ name: 'nginx', driver: 'docker', config: { image } }] }],
  };
}

describe("deploy/ on the real cluster: the controller with only its ServiceAccount's rights", () => {
  let applyOutput: string;
  let controller: ChildProcess | undefined;
  let saKubeconfig: string;
  let namespace: string;
  const log: string[] = [];

  beforeAll(async () => {
    applyOutput = await applyDeploy(admin);
    const token = await core.createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace: caravanNamespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    if (!token.status?.token) throw new Error(`TokenRequest for ${caravanNamespace}/${serviceAccount} returned no token`);
    saKubeconfig = tokenKubeconfig(token.status.token);
    namespace = await freshNamespace(core, 'deploy-rbac');

    controller = spawn(
      process.execPath,
      [
        fromProjectRoot('src', 'cli', 'main.ts'),
        'controller',
        '--lease-namespace',
        caravanNamespace,
        '--metrics-port',
        '0',
        '--api-port',
        '0',
        '--cf-api-port',
        '0',
      ],
      {
        env: { ...process.env, KUBECONFIG: saKubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const logDir = path.join(inject('clusterDir'), 'logs');
    mkdirSync(logDir, { recursive: true });
    const file = createWriteStream(path.join(logDir, 'controller-deploy-rbac.log'), { flags: 'a' });
    for (const stream of [controller.stdout!, controller.stderr!]) {
      stream.on('data', (chunk: Buffer) => log.push(chunk.toString()));
      stream.pipe(file, { end: false });
    }
  });

  afterAll(async () => {
    if (controller && controller.exitCode === null) {
      controller.kill('SIGTERM');
      await Promise.race([once(controller, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
      if (controller.exitCode === null) controller.kill('SIGKILL');
    }
    // Leave the cluster as we found it for later files; the CRDs stay, they were there before.
    await core.deleteNamespace({ name: caravanNamespace }).catch(() => {});
    const rbac = KubernetesObjectApi.makeApiClient(admin);
    for (const kind of ['ClusterRoleBinding', 'ClusterRole']) {
      await rbac.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'caravan-controller' } }).catch(() => {});
    }
  });

  it('`kubectl apply -k deploy/ --server-side` is accepted, and the controller Deployment gets its 2 replicas', async () => {
    const expected = hasKubectl()
      ? [
          'customresourcedefinition.apiextensions.k8s.io/nomadjobs.caravan.dev',
          'namespace/caravan-system',
          'clusterrole.rbac.authorization.k8s.io/caravan-controller',
          'deployment.apps/caravan',
          'networkpolicy.networking.k8s.io/caravan',
        ]
      : ['Namespace/caravan-system', 'ClusterRole/caravan-controller', 'Deployment/caravan', 'NetworkPolicy/caravan'];
    for (const object of expected) expect(applyOutput).toContain(`${object} serverside-applied`);
    const apps = clusterClients().apps;
    const available = await waitFor(
      'Deployment caravan-system/caravan to have 2 available replicas',
      async () => {
        const d: V1Deployment = await apps.readNamespacedDeployment({ name: 'caravan', namespace: caravanNamespace });
        return d.status?.availableReplicas === 2 ? d : undefined;
      },
      90_000,
      500,
    );
    expect(available.spec?.replicas).toBe(2);
  });

  it("the controller, with the ServiceAccount's token, becomes leader on the Lease in caravan-system", async () => {
    const leases = admin.makeApiClient(CoordinationV1Api);
    const lease = await waitFor(
      'Lease caravan-system/caravan-controller',
      async () => {
        try {
          const l = await leases.readNamespacedLease({ name: 'caravan-controller', namespace: caravanNamespace });
          return l.spec?.holderIdentity ? l : undefined;
        } catch (error) {
          if (apiErrorCode(error) === 404) return undefined;
          throw error;
        }
      },
      60_000,
      500,
    );
    expect(lease.spec?.holderIdentity?.startsWith(`${os.hostname()}-${controller!.pid}-`)).toBe(true);
  });

  const job = () => custom.getNamespacedCustomObject({ ...nj, namespace, name: 'web' }) as Promise<NomadJob & { status?: Record<string, any> }>;
  const pods = async () =>
    (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);

  it('runs a NomadJob with count 2: version 0 stable, 2 Ready Pods', async () => {
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: web('nginx:1') },
    });
    const stable = await waitFor(
      'web version 0 to be stable',
      async () => {
        const j = await job();
        return j.status?.stableVersion === 0 && j.status.latestDeployment?.status === 'successful' ? j : undefined;
      },
      90_000,
      500,
    );
    expect(stable.status).toMatchObject({ version: 0, stableVersion: 0, desired: 2, running: 2 });
    const running = await pods();
    expect(running).toHaveLength(2);
    expect(running.every(isPodReady)).toBe(true);
  }, 120_000);

  it('rolls an updated job out to the end: version 1 successful, both Pods replaced', async () => {
    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'web', body: [{ op: 'replace', path: '/spec', value: web('nginx:2') }] });
    const done = await waitFor(
      'web version 1 to be deployed',
      async () => {
        const j = await job();
        return j.status?.latestDeployment?.jobVersion === 1 && j.status.latestDeployment.status === 'successful' ? j : undefined;
      },
      120_000,
      500,
    );
    expect(done.status).toMatchObject({ version: 1, stableVersion: 1, running: 2 });
    expect((await pods()).map((p) => p.spec?.containers[0]?.image)).toEqual(['nginx:2', 'nginx:2']);
    expect(await eventReasons(core, namespace, ['Successful'])).toContain('Successful');
  }, 150_000);

  it("may exec into an allocation's container, as the Nomad API's alloc restart and alloc signal do", async () => {
    const pod = (await pods())[0]!;
    const outcome = await execInContainer(loadKubeConfig(saKubeconfig), {
      namespace,
      pod: pod.metadata!.name!,
      container: pod.spec!.containers[0]!.name,
      command: killCommand('SIGNULL'),
    });
    expect(outcome).toEqual({ kind: 'ok' });
  });

  it('the controller was never refused (no 403 in its log)', () => {
    expect(controller!.exitCode).toBeNull();
    const text = log.join('');
    expect(text).toContain('is the leader (lease caravan-system/caravan-controller)');
    // An API refusal reads `HTTP-Code: 403 ... "x" is forbidden: User "system:serviceaccount:..."`.
    expect(text.split('\n').filter((line) => /HTTP-Code: 40[13]|is forbidden/.test(line))).toEqual([]);
  });

  it('the token is refused what the controller never does', async () => {
    const sa = loadKubeConfig(saKubeconfig);
    const refused = async (call: Promise<unknown>) =>
      apiErrorCode(
        await call.then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
    expect(await refused(sa.makeApiClient(CoreV1Api).listSecretForAllNamespaces())).toBe(403);
    // It may patch NomadJobs (the Nomad API writes them for callers RBAC allows), never replace them.
    const web = await custom.getNamespacedCustomObject({ ...nj, namespace, name: 'web' });
    expect(await refused(sa.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObject({ ...nj, namespace, name: 'web', body: web }))).toBe(403);
    expect(await refused(sa.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'caravan-controller', namespace: 'kube-system' }))).toBe(403);
    expect(await refused(sa.makeApiClient(CoreV1Api).readNamespacedPod({ name: 'web-frontend-0-v1', namespace }))).toBe(403);
  });
});
