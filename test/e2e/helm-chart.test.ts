import {
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1ClusterRole,
  type V1Deployment,
} from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromProjectRoot } from '../../src/project.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

// Issue 16: the Helm chart in charts/caravan. helm itself is built from Go modules into
// ~/.cache/caravan like the control plane (scripts/build-helm.sh; cached after the first run).
// The chart's Pods cannot run the image on kwok nodes (kwok reports them Ready without running
// anything), so the rollout is driven by a controller process authenticated only by a token of the
// chart's ServiceAccount, with its Lease in the release namespace: the image's own entrypoint in a
// chroot of its layers as user 1000 when `npm run image` has built it and this machine is root,
// else the controller from the source tree.

const { kc: admin, core, apps } = clusterClients();
const custom = admin.makeApiClient(CustomObjectsApi);
const objects = KubernetesObjectApi.makeApiClient(admin);
const chart = fromProjectRoot('charts', 'caravan');
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const helm = execFileSync(fromProjectRoot('scripts', 'build-helm.sh'), { encoding: 'utf8' }).trim().split('\n').at(-1)!;
const release = 'caravan-helm';
const chroot = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((p) => existsSync(p));
const imageLayout = fromProjectRoot('build', 'image', 'oci');

/**
 * The image `npm run image` built, unpacked, when this machine can run it (root, umoci, chroot);
 * else undefined, and the controller runs from the source tree.
 */
function imageRootfs(): string | undefined {
  if (!existsSync(imageLayout) || !chroot || process.getuid?.() !== 0) return undefined;
  const { version } = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { version: string };
  const bundle = path.join(mkdtempSync(path.join(os.tmpdir(), 'caravan-helm-image-')), 'bundle');
  try {
    execFileSync('umoci', ['unpack', '--image', `${imageLayout}:${version}`, bundle], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return path.join(bundle, 'rootfs');
}
const namespace = 'caravan-helm-system';

function helmRun(args: string[]): string {
  return execFileSync(helm, [...args, '--kubeconfig', inject('kubeconfig')], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function template(values: string[]): (KubernetesObject & Record<string, any>)[] {
  const out = execFileSync(helm, ['template', release, chart, '--namespace', namespace, ...values.flatMap((v) => ['--set', v])], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return (loadAll(out) as (KubernetesObject & Record<string, any>)[]).filter(Boolean);
}

/** One line per rule, as deploy-manifests.test.ts compares them. */
const rules = (role: V1ClusterRole) => (role.rules ?? []).map((r) => JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? [], r.verbs]));

const valueSets: [name: string, values: string[]][] = [
  ['the defaults', []],
  [
    'everything on: both APIs with TLS and a NodePort and a LoadBalancer, placement, resources, 3 replicas sharing 6 shards',
    [
      'replicaCount=3',
      'shards=6',
      'controller.concurrency=32',
      'controller.kubeApiQps=200',
      'controller.kubeApiBurst=400',
      'controller.logLevel=debug',
      'leaderElection.leaseDuration=30',
      'nomadApi.tlsSecret=nomad-api-tls',
      'nomadApi.service.type=NodePort',
      'cfApi.enabled=true',
      'cfApi.tlsSecret=cf-api-tls',
      'cfApi.service.type=LoadBalancer',
      'resources.limits.memory=1Gi',
      'nodeSelector.caravan\\.dev/datacenter=dc1',
      'tolerations[0].key=dedicated,tolerations[0].operator=Exists',
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=kubernetes.io/os',
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=In',
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]=linux',
    ],
  ],
  [
    'the least: no CRDs, no Nomad API, no NetworkPolicy, no PDB, no aggregated roles',
    ['crds.install=false', 'nomadApi.enabled=false', 'networkPolicy.enabled=false', 'podDisruptionBudget.enabled=false', 'aggregatedRoles.enabled=false'],
  ],
];

describe('charts/caravan (issue 16)', () => {
  let controller: ChildProcess | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    if (controller && controller.exitCode === null) {
      controller.kill('SIGTERM');
      await Promise.race([once(controller, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
      if (controller.exitCode === null) controller.kill('SIGKILL');
    }
    try {
      helmRun(['uninstall', release, '--namespace', namespace, '--wait']);
    } catch {}
    await core.deleteNamespace({ name: namespace }).catch(() => {});
  });

  it('passes helm lint', () => {
    expect(execFileSync(helm, ['lint', chart], { encoding: 'utf8' })).toContain('0 chart(s) failed');
  });

  it.each(valueSets)('renders %s, and the API server accepts every object (server-side dry run)', async (_, values) => {
    const rendered = template(values);
    expect(rendered.length).toBeGreaterThan(5);
    for (const obj of rendered) {
      await objects.patch(obj, undefined, 'All', 'caravan-helm-e2e', true, PatchStrategy.ServerSideApply);
    }
  });

  it('holds the same least-privilege rules as deploy/', () => {
    const rendered = template([]);
    const base = (file: string) => loadAll(readFileSync(fromProjectRoot('deploy', 'base', file), 'utf8')) as (KubernetesObject & Record<string, any>)[];
    const byName = (list: KubernetesObject[], kind: string, name: string) => list.find((o) => o.kind === kind && o.metadata?.name === name) as V1ClusterRole;
    expect(rules(byName(rendered, 'ClusterRole', `${release}-controller`))).toEqual(rules(base('cluster-role.yaml')[0] as V1ClusterRole));
    expect(rules(byName(rendered, 'Role', `${release}-leader-election`))).toEqual(rules(base('leader-election-role.yaml')[0] as V1ClusterRole));
    for (const role of ['admin', 'edit', 'view']) {
      const theirs = base('aggregated-roles.yaml').find((o) => o.metadata?.name === `caravan-aggregate-to-${role}`) as V1ClusterRole;
      const ours = byName(rendered, 'ClusterRole', `${release}-aggregate-to-${role}`);
      expect(rules(ours)).toEqual(rules(theirs));
      expect(ours.metadata?.labels?.[`rbac.authorization.k8s.io/aggregate-to-${role}`]).toBe('true');
    }
    const wildcards = rendered
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((r) => (r.rules as any[]).flatMap((rule) => [...rule.verbs, ...rule.resources, ...rule.apiGroups]))
      .filter((f: string) => f.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('deploy/install.yaml is the chart rendered with its defaults (scripts/render-install.sh)', () => {
    const fresh = `${inject('clusterDir')}/install.yaml`;
    execFileSync(fromProjectRoot('scripts', 'render-install.sh'), [fresh], { stdio: 'ignore' });
    expect(readFileSync(fromProjectRoot('deploy', 'install.yaml'), 'utf8'), 'run scripts/render-install.sh').toBe(readFileSync(fresh, 'utf8'));
  });

  it('with shards, the leader-election Role names the members Lease and every shard Lease (issue 15 §5), and no more', () => {
    const roleOf = (values: string[]) => template(values).find((o) => o.kind === 'Role' && o.metadata?.name === `${release}-leader-election`) as V1ClusterRole;
    const names = (values: string[]) => roleOf(values).rules!.flatMap((r) => r.resourceNames ?? []);
    expect(names([])).toEqual(['caravan-controller']);
    expect(names(['shards=3'])).toEqual([
      'caravan-controller',
      'caravan-controller-members',
      'caravan-controller-shard-0-of-3',
      'caravan-controller-shard-1-of-3',
      'caravan-controller-shard-2-of-3',
    ]);
    expect(rules(roleOf(['shards=3'])).length).toBe(rules(roleOf([])).length);
  });

  it('the ServiceMonitor toggle renders a ServiceMonitor with honorLabels', () => {
    expect(template([]).filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
    const [monitor] = template(['metrics.serviceMonitor.enabled=true']).filter((o) => o.kind === 'ServiceMonitor');
    expect(monitor?.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics', honorLabels: true })]);
  });

  it('values reach the controller: arguments, TLS mounts, placement', () => {
    const deployment = template(valueSets[1]![1]).find((o) => o.kind === 'Deployment') as V1Deployment;
    const pod = deployment.spec!.template.spec!;
    expect(deployment.spec!.replicas).toBe(3);
    expect(pod.containers[0]!.args).toEqual([
      'controller',
      '--concurrency=32',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--lease-duration=30',
      '--shards=6',
      '--log-level=debug',
      '--metrics-port=8080',
      '--api-port=4646',
      '--api-tls-cert=/etc/caravan/nomad-api-tls/tls.crt',
      '--api-tls-key=/etc/caravan/nomad-api-tls/tls.key',
      '--cf-api-port=9022',
      '--cf-api-tls-cert=/etc/caravan/cf-api-tls/tls.crt',
      '--cf-api-tls-key=/etc/caravan/cf-api-tls/tls.key',
    ]);
    expect(pod.volumes?.map((v) => v.secret?.secretName).filter(Boolean)).toEqual(['nomad-api-tls', 'cf-api-tls']);
    expect(pod.nodeSelector).toEqual({ 'caravan.dev/datacenter': 'dc1' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    expect(pod.affinity?.nodeAffinity).toBeDefined();
  });

  it('helm install gives a Deployment with its replicas available', () => {
    // The CRDs are already installed (by the run's setup, not by Helm), so the chart leaves them out.
    const out = helmRun(['install', release, chart, '--namespace', namespace, '--set', 'crds.install=false', '--wait', '--timeout', '3m']);
    expect(out).toContain('STATUS: deployed');
    return waitFor(
      'the chart Deployment to have 2 available replicas',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: release, namespace });
        return d.status?.availableReplicas === 2 ? d : undefined;
      },
      60_000,
      500,
    );
  }, 240_000);

  it("the controller, with only the chart's ServiceAccount, completes a rollout", async () => {
    const token = await core.createNamespacedServiceAccountToken({ name: 'caravan', namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const cluster = admin.getCurrentCluster()!;
    // The CA inline, so the kubeconfig also works inside the image's root filesystem.
    const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
    const sa = new KubeConfig();
    sa.loadFromOptions({
      clusters: [{ name: 'local', server: cluster.server, skipTLSVerify: false, ...(caData ? { caData } : {}) }],
      users: [{ name: 'caravan', token: token.status!.token }],
      contexts: [{ name: 'caravan', cluster: 'local', user: 'caravan' }],
      currentContext: 'caravan',
    });
    const args = ['controller', '--lease-namespace', namespace, '--metrics-port', '0', '--api-port', '0', '--cf-api-port', '0'];
    const rootfs = imageRootfs();
    if (rootfs) {
      // The image's own controller (npm run image), as its user, in a chroot of its layers.
      writeFileSync(path.join(rootfs, 'tmp', 'kubeconfig'), sa.exportConfig(), { mode: 0o644 });
      controller = spawn(chroot!, ['--userspec=1000:1000', rootfs, '/usr/local/bin/caravan', ...args], {
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', KUBECONFIG: '/tmp/kubeconfig' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } else {
      const kubeconfig = `${inject('clusterDir')}/helm-chart-sa.kubeconfig`;
      writeFileSync(kubeconfig, sa.exportConfig(), { mode: 0o600 });
      controller = spawn(process.execPath, [fromProjectRoot('src', 'cli', 'main.ts'), ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    console.log(`controller from ${rootfs ? 'the image (build/image/oci, chroot)' : 'the source tree (no image built)'}`);
    for (const stream of [controller.stdout!, controller.stderr!]) stream.on('data', (chunk: Buffer) => log.push(chunk.toString()));

    const jobs = await freshNamespace(core, 'helm-rollout');
    const spec = (image: string) => ({
      update: { maxParallel: 1, minHealthyTime: '1s', healthyDeadline: '30s', progressDeadline: '2m' },
      taskGroups: [{ name: 'frontend', count: 2, tasks: [{ name: 'nginx', driver: 'docker', config: { image } }] }],
    });
    await custom.createNamespacedCustomObject({
      ...nj,
      namespace: jobs,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: spec('nginx:1') },
    });
    const job = () => custom.getNamespacedCustomObject({ ...nj, namespace: jobs, name: 'web' }) as Promise<NomadJob & { status?: Record<string, any> }>;
    await waitFor('web version 0 stable', async () => ((await job()).status?.stableVersion === 0 ? true : undefined), 120_000, 500);
    await custom.patchNamespacedCustomObject({ ...nj, namespace: jobs, name: 'web', body: [{ op: 'replace', path: '/spec', value: spec('nginx:2') }] });
    const done = await waitFor(
      'web version 1 deployed',
      async () => {
        const j = await job();
        return j.status?.latestDeployment?.jobVersion === 1 && j.status.latestDeployment.status === 'successful' ? j : undefined;
      },
      120_000,
      500,
    );
    expect(done.status).toMatchObject({ version: 1, stableVersion: 1, running: 2 });
    expect(log.join('')).toContain(`(lease ${namespace}/caravan-controller)`);
    expect(
      log
        .join('')
        .split('\n')
        .filter((line) => /HTTP-Code: 40[13]|is forbidden/.test(line)),
    ).toEqual([]);
  }, 300_000);

  it("with shards: 2, the chart's Role lets a replica hold every shard Lease with only the ServiceAccount's token (issue 15 §5)", async () => {
    if (controller && controller.exitCode === null) {
      controller.kill('SIGTERM'); // it hands caravan-controller back: a sharded replica waits while it is held
      await once(controller, 'exit');
    }
    helmRun(['upgrade', release, chart, '--namespace', namespace, '--reuse-values', '--set', 'shards=2']);
    const token = await core.createNamespacedServiceAccountToken({ name: 'caravan', namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const sa = new KubeConfig();
    sa.loadFromOptions({
      clusters: [admin.getCurrentCluster()!],
      users: [{ name: 'caravan', token: token.status!.token }],
      contexts: [{ name: 'caravan', cluster: admin.getCurrentCluster()!.name, user: 'caravan' }],
      currentContext: 'caravan',
    });
    const kubeconfig = `${inject('clusterDir')}/helm-chart-sa-shards.kubeconfig`;
    writeFileSync(kubeconfig, sa.exportConfig(), { mode: 0o600 });
    const args = [
      'controller',
      '--lease-namespace',
      namespace,
      '--lease-duration',
      '3',
      '--shards',
      '2',
      '--metrics-port',
      '-1',
      '--api-port',
      '-1',
      '--cf-api-port',
      '-1',
    ];
    const sharded: string[] = [];
    controller = spawn(process.execPath, [fromProjectRoot('src', 'cli', 'main.ts'), ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [controller.stdout!, controller.stderr!]) stream.on('data', (chunk: Buffer) => sharded.push(chunk.toString()));
    const pid = controller.pid!;
    const leases = admin.makeApiClient(CoordinationV1Api);
    await waitFor(
      'the replica to hold both shard Leases',
      async () => {
        const held = await Promise.all(
          [0, 1].map((i) =>
            leases
              .readNamespacedLease({ namespace, name: `caravan-controller-shard-${i}-of-2` })
              .then((l) => l.spec?.holderIdentity?.includes(`-${pid}-`))
              .catch(() => false),
          ),
        );
        return held.every(Boolean) ? true : undefined;
      },
      60_000,
      500,
    );
    expect(
      sharded
        .join('')
        .split('\n')
        .filter((line) => /HTTP-Code: 40[13]|is forbidden|Forbidden/.test(line)),
    ).toEqual([]);
  }, 120_000);
});
