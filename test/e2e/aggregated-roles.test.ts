import { CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, RbacAuthorizationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiErrorCode } from '../../src/kube/client.ts';
import { fromProjectRoot } from '../../src/project.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

// Issue 16: a namespace admin can use NomadJobs. deploy/base/aggregated-roles.yaml adds Caravan's
// kinds to the built-in admin, edit and view ClusterRoles through the cluster's own
// clusterrole-aggregation controller; nothing here binds Caravan's roles directly. The
// NomadDeployment is written by the test as the cluster admin (the controller is not running
// here): what is checked is what RBAC lets each account do to it.

const { kc: clusterAdmin, core } = clusterClients();
const rbac = clusterAdmin.makeApiClient(RbacAuthorizationV1Api);
const asClusterAdmin = clusterAdmin.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const nd = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments' };

/** The HTTP status a call answers with: 200 when it succeeds, else the API server's code. */
async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (error) {
    return apiErrorCode(error) ?? -1;
  }
}

/** Clients that authenticate with a token of `namespace/account` only. */
async function clientsOf(namespace: string, account: string): Promise<{ custom: CustomObjectsApi; objects: KubernetesObjectApi }> {
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
  const token = await core.createNamespacedServiceAccountToken({ name: account, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const cluster = clusterAdmin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'local' }],
    users: [{ name: account, token: token.status!.token }],
    contexts: [{ name: account, cluster: 'local', user: account }],
    currentContext: account,
  });
  return { custom: kc.makeApiClient(CustomObjectsApi), objects: KubernetesObjectApi.makeApiClient(kc) };
}

async function bind(namespace: string, account: string, clusterRole: 'admin' | 'view'): Promise<void> {
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `${account}-${clusterRole}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
    },
  });
}

function job(namespace: string, name: string): KubernetesObject & { spec: object } {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadJob',
    metadata: { name, namespace },
    spec: { taskGroups: [{ name: 'frontend', count: 1, tasks: [{ name: 'web', driver: 'docker', config: { image: 'nginx:1.27' } }] }] },
  };
}

describe('the built-in admin, edit and view roles cover NomadJobs and NomadDeployments (issue 16)', () => {
  let home: string;
  let elsewhere: string;
  let admin: Awaited<ReturnType<typeof clientsOf>>;
  let viewer: Awaited<ReturnType<typeof clientsOf>>;

  beforeAll(async () => {
    const objects = KubernetesObjectApi.makeApiClient(clusterAdmin);
    for (const role of loadAll(readFileSync(fromProjectRoot('deploy', 'base', 'aggregated-roles.yaml'), 'utf8')) as KubernetesObject[]) {
      await objects.patch(role, undefined, undefined, 'caravan-e2e', true, PatchStrategy.ServerSideApply);
    }
    for (const builtIn of ['admin', 'edit', 'view']) {
      await waitFor(`the ${builtIn} ClusterRole to aggregate caravan.dev`, async () => {
        const role = await rbac.readClusterRole({ name: builtIn });
        return role.rules?.some((r) => r.apiGroups?.includes('caravan.dev') && r.resources?.includes('nomaddeployments/status')) ? true : undefined;
      });
    }
    home = await freshNamespace(core, 'team');
    elsewhere = await freshNamespace(core, 'other-team');
    admin = await clientsOf(home, 'alice');
    viewer = await clientsOf(home, 'victor');
    await bind(home, 'alice', 'admin');
    await bind(home, 'victor', 'view');
    await asClusterAdmin.createNamespacedCustomObject({
      ...nd,
      namespace: home,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadDeployment', metadata: { name: 'web-v1' }, spec: { job: 'web', jobVersion: 1 } },
    });
    await asClusterAdmin.patchNamespacedCustomObjectStatus({
      ...nd,
      namespace: home,
      name: 'web-v1',
      body: [{ op: 'add', path: '/status', value: { status: 'running', statusDescription: 'Deployment is running but requires manual promotion' } }],
    });
  });

  it('a namespace admin applies a NomadJob (server-side apply), and reads it and its status', async () => {
    const applied = await admin.objects.patch(job(home, 'web'), undefined, undefined, 'alice', true, PatchStrategy.ServerSideApply);
    expect(applied.metadata?.namespace).toBe(home);
    expect(await statusOf(() => admin.custom.getNamespacedCustomObjectStatus({ ...nj, namespace: home, name: 'web' }))).toBe(200);
    expect(await statusOf(() => admin.custom.listNamespacedCustomObject({ ...nj, namespace: home }))).toBe(200);
  });

  it('a namespace admin promotes a deployment and reads its status, but cannot write status, create or delete deployments', async () => {
    const promote = { spec: { promote: { all: true } } };
    expect(
      await statusOf(() =>
        admin.custom.patchNamespacedCustomObject({
          ...nd,
          namespace: home,
          name: 'web-v1',
          body: [{ op: 'add', path: '/spec/promote', value: promote.spec.promote }],
        }),
      ),
    ).toBe(200);
    const status = (await admin.custom.getNamespacedCustomObjectStatus({ ...nd, namespace: home, name: 'web-v1' })) as {
      spec: typeof promote.spec;
      status: { status: string };
    };
    expect(status.spec.promote).toEqual({ all: true });
    expect(status.status.status).toBe('running');
    const forged = [{ op: 'replace', path: '/status/status', value: 'successful' }];
    expect(await statusOf(() => admin.custom.patchNamespacedCustomObjectStatus({ ...nd, namespace: home, name: 'web-v1', body: forged }))).toBe(403);
    expect(await statusOf(() => admin.custom.deleteNamespacedCustomObject({ ...nd, namespace: home, name: 'web-v1' }))).toBe(403);
  });

  it('the same admin can do nothing with NomadJobs in another namespace', async () => {
    expect(await statusOf(() => admin.objects.patch(job(elsewhere, 'web'), undefined, undefined, 'alice', true, PatchStrategy.ServerSideApply))).toBe(403);
    expect(await statusOf(() => admin.custom.listNamespacedCustomObject({ ...nj, namespace: elsewhere }))).toBe(403);
    expect(await statusOf(() => admin.custom.listClusterCustomObject(nj))).toBe(403);
  });

  it('a view account reads jobs, deployments and their status, and writes nothing', async () => {
    await waitFor('the NomadJob web', () => asClusterAdmin.getNamespacedCustomObject({ ...nj, namespace: home, name: 'web' }));
    expect(await statusOf(() => viewer.custom.getNamespacedCustomObject({ ...nj, namespace: home, name: 'web' }))).toBe(200);
    expect(await statusOf(() => viewer.custom.getNamespacedCustomObjectStatus({ ...nd, namespace: home, name: 'web-v1' }))).toBe(200);
    expect(await statusOf(() => viewer.objects.patch(job(home, 'api'), undefined, undefined, 'victor', true, PatchStrategy.ServerSideApply))).toBe(403);
    expect(
      await statusOf(() =>
        viewer.custom.patchNamespacedCustomObject({ ...nd, namespace: home, name: 'web-v1', body: [{ op: 'add', path: '/spec/paused', value: true }] }),
      ),
    ).toBe(403);
    expect(await statusOf(() => viewer.custom.deleteNamespacedCustomObject({ ...nj, namespace: home, name: 'web' }))).toBe(403);
  });
});
