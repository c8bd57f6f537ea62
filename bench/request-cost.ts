/**
 * What each write Caravan makes costs the API server: N requests of each kind, C in flight, and
 * the kube-apiserver's CPU per request read from /proc before and after. Bodies are Caravan's
 * own, as a 2-allocation job's register writes them (the NomadJob, its version, deployment, Pods,
 * statuses and Events, each owned by its job), beside a ConfigMap and a bare Pod status write as
 * anchors. The API server's CPU is what bounds placement on this machine (docs/performance.md).
 *
 *   npm run bench:request-cost -- [--requests 400] [--concurrency 8] [--rounds 3]
 *
 * Runs on the embedded local cluster (started if needed) or the embedded cluster $KUBECONFIG
 * names: it reads its API server's process. No controller may run against it meanwhile.
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { defaultClusterDir } from '../src/cluster/layout.ts';
import { targetCluster } from '../src/cli/target-cluster.ts';
import { loadKubeConfig } from '../src/kube/client.ts';
import { EventSeriesBook } from '../src/controller/event-recorder.ts';
import { installCrds } from '../src/kube/install-crds.ts';
import { controllerRevisionResource, jsonRequests, objectPath, podResource } from '../src/kube/json-requests.ts';
import { canonicalJob } from '../src/model/defaults.ts';
import type { NomadJobSpec } from '../src/model/nomad-job-spec.ts';
import { renderAllocationPod } from '../src/resources/allocation-pod.ts';
import { apiVersion, nomadDeploymentResource, nomadJobResource } from '../src/resources/api-version.ts';
import { versionRevision } from '../src/resources/job-version.ts';
import type { NomadDeploymentStatus } from '../src/resources/nomad-deployment.ts';
import { jobOwnerReference, type NomadJob } from '../src/resources/nomad-job.ts';
import { benchNamespace, removeBenchNamespace } from './bench-namespace.ts';
import { componentPid, cpuSeconds, embeddedClusterDir } from './cluster-processes.ts';
import { settledAt, settledJobStatus as jobStatus } from './caravan-bodies.ts';
import { fmt, renderTable } from './scale-figures.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
  },
});
const whole = (name: string, raw: string | undefined) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${raw}`);
  return n;
};
const requests = whole('requests', values.requests);
const concurrency = whole('concurrency', values.concurrency);
const rounds = whole('rounds', values.rounds);

const say = (line: string) => process.stderr.write(`${line}\n`);
const target = await targetCluster({ report: say });
const kc = loadKubeConfig(target.kubeconfig);
const apiServerPid = componentPid(embeddedClusterDir(target.source, defaultClusterDir()), 'kube-apiserver');
if (apiServerPid === undefined) throw new Error('bench:request-cost reads the API server process of an embedded cluster; none found for this kubeconfig');
await installCrds(kc);
const core = kc.makeApiClient(CoreV1Api);
const json = jsonRequests(kc);

// As bench:scale registers them: 2 allocations, max_parallel 2.
const spec: NomadJobSpec = {
  update: { maxParallel: 2, minHealthyTime: '1s', healthyDeadline: '2m', progressDeadline: '10m' },
  taskGroups: [{ name: 'app', count: 2, tasks: [{ name: 'app', driver: 'docker', config: { image: 'app:1' } }] }],
};
const at = settledAt;
/** A successful deployment's status, its two allocations' health recorded. */
const deploymentStatus = (job: string): NomadDeploymentStatus => ({
  observedGeneration: 1,
  id: '324d208c-4bce-4d9f-ad42-8f4d7773c3c8',
  status: 'successful',
  statusDescription: 'Deployment completed successfully',
  createTime: at,
  modifyTime: at,
  conditions: [{ type: 'IntentHonoured', status: 'True', reason: 'Honoured', message: '', observedGeneration: 1 }],
  taskGroups: {
    app: {
      autoPromote: false,
      autoRevert: false,
      promoted: false,
      desiredCanaries: 0,
      desiredTotal: 2,
      placedAllocs: 2,
      healthyAllocs: 2,
      unhealthyAllocs: 0,
      placedCanaries: [],
      progressDeadline: '10m0s',
      requireProgressBy: at,
      allocationHealth: { [`${job}-app-0-v0`]: `healthy@${at}`, [`${job}-app-1-v0`]: `healthy@${at}` },
    },
  },
});
/** What kwok writes when a Pod starts. */
const runningPodStatus = {
  phase: 'Running',
  hostIP: '127.0.0.1',
  podIP: '10.128.0.7',
  startTime: at,
  conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: at })),
  containerStatuses: [{ name: 'app', image: 'app:1', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: at } } }],
};

interface Kind {
  readonly name: string;
  readonly send: (i: number) => Promise<unknown>;
}

async function measure(kind: Kind): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu0 = cpuSeconds(apiServerPid)!;
  const start = performance.now();
  for (let i = 0; i < requests; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, requests - i) }, (_, k) => kind.send(i + k)));
  }
  const wallMs = (performance.now() - start) / requests;
  return { cpuMs: ((cpuSeconds(apiServerPid)! - cpu0) * 1000) / requests, wallMs };
}

function kinds(ns: string, round: number, jobs: NomadJob[]): Kind[] {
  const events = new EventSeriesBook('bench');
  const name = (what: string, i: number) => `${what}-${round}-${i}`;
  const owner = (i: number) => ({ name: jobs[i]!.metadata.name, namespace: ns, uid: jobs[i]!.metadata.uid! });
  const patch = (path: string, body: unknown) => json.patch(path, body, 'merge');
  const pod = (i: number): V1Pod => {
    const rendered = renderAllocationPod({
      job: canonicalJob(owner(i).name, ns, spec),
      jobUid: owner(i).uid,
      version: 0,
      group: 'app',
      index: 0,
      canary: false,
      deployment: name('d', i),
    });
    // On no node: neither kube-scheduler nor kwok takes it up while it is measured.
    return { ...rendered, metadata: { ...rendered.metadata, name: name('p', i) }, spec: { ...rendered.spec!, nodeName: 'nowhere' } };
  };
  return [
    { name: 'POST pods', send: (i) => json.create(objectPath(podResource, ns), pod(i)) },
    { name: 'PATCH pods/status (as kwok)', send: (i) => patch(objectPath(podResource, ns, name('p', i), 'status'), { status: runningPodStatus }) },
    {
      name: 'POST controllerrevisions',
      send: (i) =>
        json.create(objectPath(controllerRevisionResource, ns), {
          ...versionRevision(owner(i), { version: round + 1, spec, submitTime: at, stable: false }),
        }),
    },
    {
      name: 'PATCH controllerrevisions (stable mark)',
      send: (i) =>
        patch(objectPath(controllerRevisionResource, ns, `${owner(i).name}-v${round + 1}`), {
          metadata: { annotations: { 'caravan.dev/stable': 'true' } },
        }),
    },
    {
      name: 'POST nomaddeployments',
      send: (i) =>
        json.create(objectPath(nomadDeploymentResource, ns), {
          apiVersion,
          kind: 'NomadDeployment',
          metadata: { name: name('d', i), ownerReferences: [jobOwnerReference(owner(i))] },
          spec: { job: owner(i).name, jobVersion: round + 1 },
        }),
    },
    {
      name: 'PATCH nomaddeployments/status',
      send: (i) => patch(objectPath(nomadDeploymentResource, ns, name('d', i), 'status'), { status: deploymentStatus(owner(i).name) }),
    },
    {
      name: 'PATCH nomadjobs/status',
      send: (i) => patch(objectPath(nomadJobResource, ns, owner(i).name, 'status'), { status: { ...jobStatus, version: round } }),
    },
    {
      name: 'POST events (events.k8s.io)',
      send: (i) => {
        // The body Caravan's event recorder writes for a deployment's first Event.
        const write = events.next(
          {
            regarding: { apiVersion, kind: 'NomadDeployment', name: name('d', i), namespace: ns },
            type: 'Normal',
            reason: 'Created',
            note: `created deployment ${name('d', i)} for job version 0`,
          },
          Date.now(),
        );
        if (write.kind !== 'create') throw new Error(`expected a new Event, got ${write.kind}`);
        return json.create(objectPath({ group: 'events.k8s.io', version: 'v1', plural: 'events' }, ns), write.event);
      },
    },
    {
      name: 'POST configmaps (1 KiB, anchor)',
      send: (i) =>
        json.create(objectPath({ group: '', version: 'v1', plural: 'configmaps' }, ns), { metadata: { name: name('cm', i) }, data: { x: 'y'.repeat(1024) } }),
    },
  ];
}

const ns = await benchNamespace(core);
try {
  say(`creating ${requests} NomadJobs in ${ns}, then ${rounds} round(s) of ${requests} requests of each kind, ${concurrency} in flight`);
  const jobs: NomadJob[] = [];
  const createJobs = {
    name: 'POST nomadjobs',
    send: async (i: number) => {
      const created = await json.create<NomadJob>(objectPath(nomadJobResource, ns), {
        apiVersion,
        kind: 'NomadJob',
        metadata: { name: `job-${i}` },
        spec,
      });
      jobs[i] = created;
    },
  };
  const results = new Map<string, { cpuMs: number; wallMs: number }[]>();
  results.set(createJobs.name, [await measure(createJobs)]);
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds(ns, round, jobs)) results.set(kind.name, [...(results.get(kind.name) ?? []), await measure(kind)]);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = [...results].map(([name, runs]) => [
    name,
    fmt(median(runs.map((r) => r.cpuMs)), 2, 'ms'),
    runs.map((r) => r.cpuMs.toFixed(2)).join(' / '),
    fmt(median(runs.map((r) => r.wallMs)), 2, 'ms'),
  ]);
  console.log(renderTable([['request', 'kube-apiserver CPU per request (median)', 'each round', 'wall per request (median)'], ...rows]));
} finally {
  await removeBenchNamespace(core, ns);
}
