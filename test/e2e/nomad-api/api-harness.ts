import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { nomadApiRoutes, type NomadApiRouteOptions } from '../../../src/api/routes/index.ts';
import { KubernetesAccess } from '../../../src/api/kubernetes-access.ts';
import { startNomadApi, type RunningNomadApi } from '../../../src/api/server.ts';
import { TableIndexes } from '../../../src/api/table-indexes.ts';
import { ClusterView } from '../../../src/api/cluster-view.ts';
import { createClusterCaches, type ClusterCaches } from '../../../src/kube/cluster-caches.ts';
import { clusterClients } from '../kube.ts';

export interface ApiUnderTest {
  readonly url: string;
  readonly api: RunningNomadApi;
  readonly cluster: ClusterCaches;
  stop(): Promise<void>;
}

/**
 * The Nomad API as the controller process serves it, in-process, on a free port. `knownLeader`
 * stands in for the leader Lease (the tests run the controller without leader election).
 */
export async function startApi(opts: NomadApiRouteOptions & { knownLeader?: () => boolean } = {}): Promise<ApiUnderTest> {
  const { kc } = clusterClients();
  const cluster = createClusterCaches(kc);
  await cluster.start();
  const indexes = new TableIndexes(cluster);
  const view = new ClusterView(cluster);
  const api = await startNomadApi(
    { kc, cluster, indexes, access: new KubernetesAccess(kc), knownLeader: opts.knownLeader ?? (() => true) },
    nomadApiRoutes(view, opts),
    { port: 0, host: '127.0.0.1' },
  );
  return {
    url: `http://127.0.0.1:${api.port}`,
    api,
    cluster,
    async stop() {
      await api.close();
      indexes.close();
      view.close();
      cluster.stop();
    },
  };
}

/**
 * A ServiceAccount in `namespace` and a token for it; with `rules`, a Role granting them there.
 * Tokens are what Nomad users put in NOMAD_TOKEN.
 */
export async function tokenFor(namespace: string, name: string, rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] = []): Promise<string> {
  const { kc } = clusterClients();
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  if (rules.length > 0) {
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });
  }
  const token = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  return token.status?.token ?? '';
}
