/**
 * Caravan end to end: J jobs of C allocations each, registered at once and then all updated at
 * once (a rolling update, max_parallel M), driven by the controller in this process. Prints the
 * time until every version 0 is stable and until every version 1 is, the allocations per second
 * that makes, the reconciles it took, the controller's memory, and how fast the Nomad API's
 * GET /v1/jobs answers with those jobs in its caches.
 *
 *   npm run bench:rollout -- --jobs 20 --count 25 --max-parallel 5
 *
 * Uses $KUBECONFIG when set, otherwise the embedded local cluster (started if needed).
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { ClusterView } from '../src/api/cluster-view.ts';
import { KubernetesAccess } from '../src/api/kubernetes-access.ts';
import { nomadApiRoutes } from '../src/api/routes/index.ts';
import { startNomadApi } from '../src/api/server.ts';
import { TableIndexes } from '../src/api/table-indexes.ts';
import { targetCluster } from '../src/cli/target-cluster.ts';
import { runController } from '../src/controller/controller.ts';
import { loadKubeConfig } from '../src/kube/client.ts';
import { createClusterCaches } from '../src/kube/cluster-caches.ts';
import { benchNamespace } from './bench-namespace.ts';
import { installCrds } from '../src/kube/install-crds.ts';
import { ControllerMetrics } from '../src/metrics/controller-metrics.ts';
import type { NomadJobSpec } from '../src/model/nomad-job-spec.ts';
import { apiVersion, nomadJobResource } from '../src/resources/api-version.ts';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '20' }, count: { type: 'string', default: '25' }, 'max-parallel': { type: 'string', default: '5' } },
});
const jobs = Number(values.jobs);
const count = Number(values.count);
const maxParallel = Number(values['max-parallel']);
for (const [name, n] of [
  ['--jobs', jobs],
  ['--count', count],
  ['--max-parallel', maxParallel],
] as const) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const kc = loadKubeConfig((await targetCluster({ report: say })).kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const namespace = await benchNamespace(core);

await installCrds(kc);
const cluster = createClusterCaches(kc);
await cluster.start();
const metrics = new ControllerMetrics();
const controller = await runController(kc, { caches: cluster, metrics, concurrency: 8 });
const nj = { ...nomadJobResource, namespace };
const spec = (image: string): NomadJobSpec => ({
  update: { maxParallel, minHealthyTime: '1s', healthyDeadline: '2m', progressDeadline: '10m' },
  taskGroups: [{ name: 'app', count, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
});
const names = Array.from({ length: jobs }, (_, i) => `job-${i}`);
const stable = (version: number) => names.every((n) => cluster.caches.jobs.get(`${namespace}/${n}`)?.status?.stableVersion === version);
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 200));
};

const t0 = performance.now();
await Promise.all(
  names.map((name) => custom.createNamespacedCustomObject({ ...nj, body: { apiVersion, kind: 'NomadJob', metadata: { name }, spec: spec('app:1') } })),
);
await until(() => stable(0));
const registered = (performance.now() - t0) / 1000;
const t1 = performance.now();
await Promise.all(names.map((name) => custom.patchNamespacedCustomObject({ ...nj, name, body: [{ op: 'replace', path: '/spec', value: spec('app:2') }] })));
await until(() => stable(1));
const rolled = (performance.now() - t1) / 1000;
const memory = process.memoryUsage();

// The Nomad API over the same caches: sequential GET /v1/jobs with a real token.
const indexes = new TableIndexes(cluster);
const view = new ClusterView(cluster);
const api = await startNomadApi({ kc, cluster, indexes, access: new KubernetesAccess(kc), knownLeader: () => true }, nomadApiRoutes(view), {
  port: 0,
  host: '127.0.0.1',
});
await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'bench' } } });
const token =
  (await core.createNamespacedServiceAccountToken({ name: 'bench', namespace, body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token ?? '';
const requests = 200;
const t2 = performance.now();
for (let i = 0; i < requests; i++) {
  const res = await fetch(`http://127.0.0.1:${api.port}/v1/jobs?namespace=${namespace}`, { headers: { 'X-Nomad-Token': token } });
  await res.arrayBuffer();
}
const listMs = (performance.now() - t2) / requests;

const reconciles = (await metrics.registry.getSingleMetricAsString('controller_runtime_reconcile_total'))
  .split('\n')
  .filter((l) => !l.startsWith('#'))
  .reduce((n, l) => n + Number(l.split(' ').pop() ?? 0), 0);
console.log(`jobs ${jobs} × count ${count} (${jobs * count} allocations), max_parallel ${maxParallel}`);
console.log(`register → all version 0 stable: ${registered.toFixed(1)} s (${((jobs * count) / registered).toFixed(0)} allocations/s)`);
console.log(`update → all version 1 stable:   ${rolled.toFixed(1)} s (${((jobs * count) / rolled).toFixed(0)} allocations replaced/s)`);
console.log(`reconciles: ${reconciles}`);
console.log(`controller process: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`);
console.log(`Nomad API GET /v1/jobs (${jobs} jobs, token checked): ${listMs.toFixed(1)} ms per request, sequential`);

await api.close();
indexes.close();
view.close();
await controller.stop();
cluster.stop();
await core.deleteNamespace({ name: namespace });
