/**
 * A micro-benchmark of the Nomad and Cloud Foundry API handlers over in-memory caches (issue 15):
 * N settled service jobs with two versions each, one successful deployment each and `--pods`
 * running allocations each, rendered with Caravan's own code (test/unit/api/cluster-fixture.ts),
 * spread over 10 namespaces. Each request goes through the fastify app in process (app.inject:
 * routing, authorization against an allow-all stub, the handler, JSON serialization), with no
 * API server and no informer (an allocation read's list of the Pod's Events goes to an address
 * that refuses it at once): it measures the cost of Caravan's handlers and nothing about a real
 * API server, etcd or a cluster.
 *
 *   node bench/api-lists.ts --jobs 10000 --count 10
 *   node --expose-gc bench/api-lists.ts --jobs 10000 --count 10    (a full GC before each request's series)
 *   node --cpu-prof bench/api-lists.ts --jobs 1000 --only allocations
 *
 * Prints p50 and p99 per request in ms of wall time (p99 of 10 samples is their maximum), the time
 * of the first request, which fills the API's memos, and the p50 of the process's CPU time per
 * request (user + system, GC threads included), which other load on the machine does not inflate
 * as it does wall time. Between rounds a few objects change (a job's status, a Pod's), as they
 * would on a live cluster, so memos are exercised as in use.
 */
import type { V1Pod } from '@kubernetes/client-node';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cfApiRoutes } from '../src/api/cf/routes/index.ts';
import { buildCfApi } from '../src/api/cf/server.ts';
import { CfView } from '../src/api/cf/cf-view.ts';
import { ClusterView } from '../src/api/cluster-view.ts';
import type { KubernetesAccess } from '../src/api/kubernetes-access.ts';
import { placementEvaluationId } from '../src/api/nomad/evaluation.ts';
import { nomadApiRoutes } from '../src/api/routes/index.ts';
import { buildNomadApi } from '../src/api/server.ts';
import { TableIndexes } from '../src/api/table-indexes.ts';
import type { NomadJob } from '../src/resources/nomad-job.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { populateCluster } from '../test/unit/api/cluster-fixture.ts';
import { MemoryCluster } from '../test/unit/api/memory-cluster.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    pods: { type: 'string', default: '10' },
    count: { type: 'string', default: '10' },
    only: { type: 'string', default: '' },
    budget: { type: 'string', default: '60' },
  },
});
const jobs = Number(values.jobs);
const podsPerJob = Number(values.pods);
const count = Number(values.count);
const budgetMs = Number(values.budget) * 1000;
const only = values.only ? new RegExp(values.only) : undefined;
for (const [name, n] of Object.entries({ jobs, pods: podsPerJob, count })) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, got ${n}`);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const t0 = performance.now();
const cluster = new MemoryCluster();
let rv = populateCluster(cluster, { jobs, podsPerJob, namespaces: 10, nodes: 100 });
say(
  `fixture: ${cluster.jobs.size} jobs, ${cluster.revisionCache.size} versions, ${cluster.deployments.size} deployments, ${cluster.pods.size} pods in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

globalThis.gc?.();
// With --expose-gc both heap figures are after a full collection.
const heapAtStart = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
const kc = new KubeConfig();
kc.loadFromClusterAndUser({ name: 'none', server: 'https://127.0.0.1:1', skipTLSVerify: true }, { name: 'none' });
const access = { authenticate: async () => ({ username: 'bench', groups: [] }), allowed: async () => true } as unknown as KubernetesAccess;
const indexes = new TableIndexes(cluster);
const view = new ClusterView(cluster);
const nomad = await buildNomadApi({ kc, cluster, indexes, access, knownLeader: () => true }, nomadApiRoutes(view));
const cf = await buildCfApi({ kc, cf: new CfView(view), indexes, access }, cfApiRoutes);

const someJob = [...cluster.jobs.values()][Math.floor(jobs / 2)]!;
const somePod = cluster.pods.byIndex('job', `${someJob.metadata.namespace}/${someJob.metadata.name}`)[0]!;
const someDeployment = cluster.deployments.byIndex('job', `${someJob.metadata.namespace}/${someJob.metadata.name}`)[0]!;
const ns = someJob.metadata.namespace;
const job = someJob.metadata.name;
const q = encodeURIComponent;

const requests: [api: 'nomad' | 'cf', path: string][] = [
  ['nomad', '/v1/jobs?namespace=*'],
  ['nomad', '/v1/jobs?namespace=*&per_page=100'],
  ['nomad', `/v1/jobs?namespace=*&per_page=100&next_token=${q(`${ns}.${job}`)}`],
  ['nomad', '/v1/jobs?namespace=team-3&per_page=100'],
  ['nomad', `/v1/jobs?namespace=*&per_page=100&filter=${q('Status == "running" and Meta.tier == "web"')}`],
  ['nomad', `/v1/jobs?namespace=*&filter=${q('Type == "service" and "*" in Datacenters')}`],
  ['nomad', '/v1/deployments?namespace=*'],
  ['nomad', '/v1/deployments?namespace=*&per_page=100'],
  ['nomad', `/v1/deployments?namespace=*&per_page=100&filter=${q('Status == "successful"')}`],
  ['nomad', '/v1/allocations?namespace=*&per_page=100'],
  ['nomad', '/v1/allocations?namespace=team-3&per_page=100&task_states=false'],
  ['nomad', `/v1/allocations?namespace=*&per_page=100&filter=${q('ClientStatus == "running" and Job.Meta.tier == "web"')}`],
  ['nomad', '/v1/allocations?namespace=*&task_states=false'],
  ['nomad', '/v1/allocations?namespace=*'],
  ['nomad', `/v1/job/${job}?namespace=${ns}`],
  ['nomad', `/v1/job/${job}/versions?namespace=${ns}`],
  ['nomad', `/v1/job/${job}/allocations?namespace=${ns}`],
  ['nomad', `/v1/deployment/${someDeployment.metadata.uid}?namespace=${ns}`],
  ['nomad', `/v1/deployment/allocations/${someDeployment.metadata.uid}?namespace=${ns}`],
  ['nomad', `/v1/allocation/${somePod.metadata?.uid}?namespace=${ns}`],
  ['nomad', `/v1/evaluation/${placementEvaluationId(someJob.metadata.uid ?? '', 1)}?namespace=${ns}`],
  ['cf', '/v3/apps?per_page=50'],
  ['cf', '/v3/deployments?per_page=50'],
  ['cf', `/v3/apps/${someJob.metadata.uid}`],
  ['cf', `/v3/deployments/${someDeployment.metadata.uid}`],
];

/** A few changes between rounds, as a live cluster makes them: one job's status, one Pod's. */
function churn(round: number): void {
  const j = cluster.jobs.get(`${ns}/${job}`)!;
  cluster.apply<NomadJob>('jobs', { ...j, metadata: { ...j.metadata, resourceVersion: String(++rv) }, status: { ...j.status!, running: round } });
  const p = cluster.pods.get(`${somePod.metadata?.namespace}/${somePod.metadata?.name}`)!;
  cluster.apply<V1Pod>('pods', { ...p, metadata: { ...p.metadata, resourceVersion: String(++rv) } });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
say(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.availableParallelism()} cores`,
);
say(`${'request'.padEnd(110)} ${'first'.padStart(9)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'cpu p50'.padStart(9)}   n  bytes`);
for (const [api, path] of requests) {
  if (only && !only.test(path)) continue;
  const app = api === 'nomad' ? nomad : cf;
  const headers = api === 'nomad' ? { 'x-nomad-token': 'bench' } : { authorization: 'bearer bench' };
  const times: number[] = [];
  const cpu: number[] = [];
  let first = 0;
  let bytes = 0;
  // The previous request's garbage (a full allocation list is over 100 MB of JSON) is not this one's.
  globalThis.gc?.();
  const started = performance.now();
  for (let i = 0; i <= count && performance.now() - started < budgetMs; i++) {
    const before = performance.now();
    const cpuBefore = process.cpuUsage();
    const response = await app.inject({ method: 'GET', url: path, headers });
    const ms = performance.now() - before;
    const used = process.cpuUsage(cpuBefore);
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    bytes = response.body.length;
    if (i === 0) first = ms;
    else {
      times.push(ms);
      cpu.push((used.user + used.system) / 1000);
    }
    churn(i);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const f = (ms: number | undefined) => (ms === undefined ? '-' : ms.toFixed(1)).padStart(9);
  say(
    `${path.slice(0, 110).padEnd(110)} ${f(first)} ${f(times.length ? pct(times, 50) : undefined)} ${f(times.length ? pct(times, 99) : undefined)} ${f(cpu.length ? pct(cpu, 50) : undefined)} ${String(times.length).padStart(3)}  ${bytes}`,
  );
}
const heapMb = () => (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
globalThis.gc?.();
say(`heap after the requests (the caches, the API's indexes and memos): ${heapMb()} MiB; the caches alone: ${heapAtStart} MiB`);
view.close();
indexes.close();
await nomad.close();
await cf.close();
