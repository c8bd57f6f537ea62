/**
 * Caravan at scale (issue 15 §6), every figure of docs/performance.md in one run against one cluster:
 *
 *  1. baseline: the raw pod-create rate of the API server (as bench/apiserver.ts: J×C Pods from a
 *     plain client, times to all created / bound / Ready); its Pods are deleted before step 2;
 *     the floor: the J NomadJobs, their Pods and one status each written from this process with no
 *     controller, the least any controller that reports in the job's status costs the cluster;
 *  2. Caravan: J NomadJobs of C allocations registered at once, driven by a real controller process
 *     (`caravan controller`, spawned here): time to all stable (status.stableVersion 0), allocations/s
 *     and its ratio to the baseline; the controller's RSS and heap at steady state; reconciles and
 *     API writes over an idle window; the Nomad API's latencies; the reaction to ≥50 single updates
 *     (job patched → its first Pod of the new version seen by a watch);
 *  3. bytes per cached object, measured in this process through createClusterCaches' informers;
 *  4. the anchor: the same register, updates and memory with apps/v1 Deployments and kube-controller-manager;
 *  5. sharding (with --replicas): the register with 1, 2, 4 … controllers running --shards, and the
 *     fail-over of a killed replica's shard Leases.
 *
 *   npm run bench:scale -- --jobs 1000 --count 2
 *   npm run bench:scale -- --jobs 10000 --count 10 --nodes 320 --json /tmp/scale.json
 *
 * Uses $KUBECONFIG when set, otherwise the embedded local cluster (started if needed).
 */
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  Watch,
  type V1Deployment,
  type V1Lease,
  type V1Pod,
} from '@kubernetes/client-node';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import PQueue from 'p-queue';
import { clusterLayout, defaultClusterDir } from '../src/cluster/layout.ts';
import { up } from '../src/cluster/local-cluster.ts';
import { targetCluster } from '../src/cli/target-cluster.ts';
import { apiErrorCode, loadKubeConfig } from '../src/kube/client.ts';
import { createClusterCaches } from '../src/kube/cluster-caches.ts';
import { ClusterView } from '../src/api/cluster-view.ts';
import { jsonRequests, objectPath, podResource } from '../src/kube/json-requests.ts';
import { canonicalJob } from '../src/model/defaults.ts';
import { Informer } from '../src/kube/informer.ts';
import { installCrds } from '../src/kube/install-crds.ts';
import type { NomadJobSpec } from '../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../src/project.ts';
import { apiVersion, nomadJobResource } from '../src/resources/api-version.ts';
import { labels } from '../src/resources/labels.ts';
import type { NomadJob } from '../src/resources/nomad-job.ts';
import { benchNamespace, removeBenchNamespace } from './bench-namespace.ts';
import { settledJobStatus } from './caravan-bodies.ts';
import { componentPid, cpuSeconds, embeddedClusterDir } from './cluster-processes.ts';
import {
  difference,
  distribution,
  type Distribution,
  fmt,
  freePodCapacity,
  mib,
  nodesNeeded,
  parsePrometheusText,
  podsThatFit,
  type PromSample,
  renderTable,
  sumBy,
  sumSamples,
} from './scale-figures.ts';

// ---------------------------------------------------------------------------------------------
// Options

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    count: { type: 'string', default: '2' },
    updates: { type: 'string', default: '50' },
    replicas: { type: 'string' },
    shards: { type: 'string', default: '4' },
    'idle-seconds': { type: 'string', default: '60' },
    'api-requests': { type: 'string', default: '200' },
    'skip-anchor': { type: 'boolean', default: false },
    'skip-baseline': { type: 'boolean', default: false },
    'skip-floor': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '64' },
    'controller-concurrency': { type: 'string' },
    'max-parallel': { type: 'string' },
    'lease-duration': { type: 'string', default: '15' },
    'progress-deadline': { type: 'string', default: '10m' },
    'phase-timeout': { type: 'string', default: '1800' },
    nodes: { type: 'string' },
    'keep-nodes': { type: 'boolean', default: false },
    'controller-entry': { type: 'string', default: 'dist/cli/main.js' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    `npm run bench:scale -- [--jobs 1000] [--count 2] [--updates 50] [--idle-seconds 60] [--replicas 1,2,4 [--shards 4]]
  [--skip-baseline] [--skip-floor] [--skip-anchor] [--concurrency 64] [--controller-concurrency n] [--max-parallel n] [--lease-duration 15]
  [--progress-deadline 10m]
  [--nodes n [--keep-nodes]] [--controller-entry dist/cli/main.js] [--phase-timeout 1800] [--json file] [--keep]
See docs/performance.md.
`,
  );
  process.exit(0);
}
const whole = (name: string, raw: string | undefined, min = 1): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${raw}`);
  return n;
};
const jobs = whole('jobs', values.jobs);
const count = whole('count', values.count);
const updates = whole('updates', values.updates, 0);
const idleSeconds = whole('idle-seconds', values['idle-seconds'], 0);
const apiRequests = whole('api-requests', values['api-requests']);
const concurrency = whole('concurrency', values.concurrency);
const shards = whole('shards', values.shards);
const leaseDuration = whole('lease-duration', values['lease-duration']);
const phaseTimeoutMs = whole('phase-timeout', values['phase-timeout']) * 1000;
// Nomad's default. Nomad fails a deployment none of whose allocations is healthy this long after
// placement; on this 2-core machine kwok marks Pods running up to ~15 minutes after their create
// in the 10k run, so that run gives them longer (docs/performance.md).
const progressDeadline = values['progress-deadline']!;
if (!/^[0-9]+(s|m|h)$/.test(progressDeadline)) throw new Error(`--progress-deadline must be a duration such as 10m or 1h, got ${progressDeadline}`);
const maxParallel = values['max-parallel'] === undefined ? count : whole('max-parallel', values['max-parallel']);
const controllerConcurrency = values['controller-concurrency'] === undefined ? undefined : whole('controller-concurrency', values['controller-concurrency']);
const wantedNodes = values.nodes === undefined ? undefined : whole('nodes', values.nodes);
const replicaCounts = (values.replicas ?? '1').split(',').map((r) => whole('replicas', r.trim()));
const shardingRequested = values.replicas !== undefined;
const controllerEntry = path.resolve(fromProjectRoot(), values['controller-entry']!);
// The controller runs as it is deployed: built (bundled), with the image's NODE_OPTIONS and GLIBC_TUNABLES (Dockerfile's ENV).
if (values['controller-entry'] === 'dist/cli/main.js') execFileSync(fromProjectRoot('scripts', 'build.sh'), [], { cwd: fromProjectRoot(), stdio: 'inherit' });
const controllerEnv = imageEnvironment(['NODE_OPTIONS', 'GLIBC_TUNABLES']);
const pods = jobs * count;

/** The image's value of each variable (the Dockerfile's ENV lines), unless this process has it set. */
function imageEnvironment(names: readonly string[]): Record<string, string> {
  const dockerfile = readFileSync(path.join(fromProjectRoot(), 'Dockerfile'), 'utf8');
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name] ?? new RegExp(`^ENV ${name}=(\\S+)$`, 'm').exec(dockerfile)?.[1];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

const say = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const seconds = (ms: number) => ms / 1000;

// ---------------------------------------------------------------------------------------------
// The cluster

const clusterDir = defaultClusterDir();
const previousNodes = (() => {
  try {
    return (JSON.parse(readFileSync(clusterLayout(clusterDir).stateFile, 'utf8')) as { nodes?: number }).nodes;
  } catch {
    return undefined;
  }
})();
const target = await targetCluster({ report: say, ...(wantedNodes !== undefined && !process.env['KUBECONFIG'] ? { nodes: wantedNodes } : {}) });
if (wantedNodes !== undefined && target.source !== 'local') say(`--nodes ${wantedNodes} is ignored: the cluster is not the embedded local one`);
const kubeconfig = target.kubeconfig;
const kc = loadKubeConfig(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
await installCrds(kc);

const namespaces: string[] = [];
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];
const notes: string[] = [];
const note = (line: string) => {
  notes.push(line);
  say(`note: ${line}`);
};

/** The JSON report (written with --json) and the table's source. */
const report: Record<string, unknown> = {
  command: `npm run bench:scale -- ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)), node: process.version },
  commit: gitCommit(),
  cluster: { source: target.source, server: kc.getCurrentCluster()?.server },
  jobs,
  count,
  pods,
  notes,
};

function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: fromProjectRoot(), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: fromProjectRoot(), encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (src/ modified)` : head;
  } catch {
    return undefined;
  }
}

/** A metric's value in a scrape, or undefined when the scrape has none. */
function sampleOf(samples: PromSample[], name: string): number | undefined {
  return samples.some((s) => s.name === name) ? sumSamples(samples, name) : undefined;
}

async function until(what: string, check: () => boolean, timeoutMs = phaseTimeoutMs, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds(timeoutMs)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function newNamespace(): Promise<string> {
  const ns = await benchNamespace(core);
  namespaces.push(ns);
  return ns;
}

/** Deletes a namespace and waits until it (and so its Pods) is gone. */
async function deleteNamespace(ns: string, timeoutMs = 15 * 60_000): Promise<void> {
  const i = namespaces.indexOf(ns);
  if (i >= 0) namespaces.splice(i, 1);
  if (values.keep) return;
  const started = performance.now();
  await removeBenchNamespace(core, ns);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await core.readNamespace({ name: ns });
    } catch (error) {
      if (apiErrorCode(error) === 404) break;
      throw error;
    }
    if (Date.now() > deadline) {
      note(`namespace ${ns} was still terminating after ${seconds(timeoutMs)} s; going on`);
      return;
    }
    await sleep(1000);
  }
  say(`namespace ${ns} deleted in ${seconds(performance.now() - started).toFixed(1)} s`);
}

/**
 * Pods a new run can still place: the allocations' Pods that fit on the schedulable Ready nodes
 * (pods, CPU and memory: a kwok node's 32 cores take 320 of the default 100 MHz tasks, fewer than
 * its 500 pods) minus the Pods not finished.
 */
async function podCapacity(): Promise<{ free: number; nodes: number; podsPerNode: number; inUse: number }> {
  const task = canonicalJob('capacity', 'default', jobSpec('app:1')).taskGroups[0]!.tasks[0]!.resources;
  const request = { cpuMilli: task.cores > 0 ? task.cores * 1000 : task.cpu, memoryBytes: task.memoryMB * 2 ** 20 };
  const nodes = (await core.listNode()).items.map((n) => ({
    allocatablePods: podsThatFit(n.status?.allocatable ?? {}, request),
    schedulable: !n.spec?.unschedulable && (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  }));
  let inUse = 0;
  let cont: string | undefined;
  do {
    const page = await core.listPodForAllNamespaces({
      limit: 5000,
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
      ...(cont ? { _continue: cont } : {}),
    });
    inUse += page.items.length;
    cont = page.metadata?._continue || undefined;
  } while (cont);
  const schedulable = nodes.filter((n) => n.schedulable);
  return {
    free: freePodCapacity(nodes, inUse),
    nodes: schedulable.length,
    podsPerNode: schedulable.length === 0 ? 0 : Math.min(...schedulable.map((n) => n.allocatablePods)),
    inUse,
  };
}

/** VmRSS and VmHWM (peak) of a process, from /proc; undefined when it cannot be read. */
function processMemory(pid: number | undefined): { rss: number; peak: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** A JSON-patch replace of one path, as client-node sends an array body. */
const replace = (p: string, value: unknown) => [{ op: 'replace', path: p, value }];

/** The resourceVersion a watch starts from so it sees only what happens next. */
async function currentPodVersion(ns: string): Promise<string> {
  return (await core.listNamespacedPod({ namespace: ns, limit: 1 })).metadata?.resourceVersion ?? '';
}

/**
 * Watches the Pods of `ns` from now on and hands every event to `onEvent`; reconnects from the last
 * resourceVersion seen when the server ends the watch. Returns the function that stops it.
 */
async function watchPods(ns: string, onEvent: (type: string, pod: V1Pod) => void): Promise<() => void> {
  let resourceVersion = await currentPodVersion(ns);
  let stopped = false;
  let abort: AbortController | undefined;
  const once = () =>
    new Promise<boolean>((resolve) => {
      let gone = false;
      new Watch(kc)
        .watch(
          `/api/v1/namespaces/${ns}/pods`,
          { resourceVersion, allowWatchBookmarks: true },
          (type: string, pod: V1Pod & { code?: number }) => {
            if (type === 'ERROR') {
              if (pod.code === 410) gone = true;
              return;
            }
            if (pod.metadata?.resourceVersion) resourceVersion = pod.metadata.resourceVersion;
            if (type !== 'BOOKMARK') onEvent(type, pod);
          },
          (error: unknown) => {
            if (error && !stopped && (error as Error).name !== 'AbortError') say(`pod watch in ${ns} ended: ${String(error)}; reconnecting`);
            resolve(gone);
          },
        )
        .then(
          (controller) => (abort = controller),
          (error: unknown) => {
            say(`pod watch in ${ns} failed: ${String(error)}; reconnecting`);
            resolve(false);
          },
        );
    });
  void (async () => {
    while (!stopped) {
      const gone = await once();
      if (stopped) return;
      if (gone) {
        note(`the pod watch in ${ns} fell behind (410 Gone) and restarted from now: events between were not seen`);
        resourceVersion = await currentPodVersion(ns);
      }
      await sleep(200);
    }
  })();
  return () => {
    stopped = true;
    abort?.abort();
  };
}

// ---------------------------------------------------------------------------------------------
// 1. The baseline: the API server's own pod-create rate

interface Baseline {
  created: number;
  bound: number;
  ready: number;
  readyRate: number;
  load: ApiServerLoad;
}

async function baseline(): Promise<Baseline> {
  const ns = await newNamespace();
  const bound = new Set<string>();
  const ready = new Set<string>();
  const times: { bound?: number; ready?: number } = {};
  const stopWatch = await watchPods(ns, (_type, pod) => {
    const name = pod.metadata?.name;
    if (!name) return;
    if (pod.spec?.nodeName && !bound.has(name)) {
      bound.add(name);
      if (bound.size === pods) times.bound = performance.now();
    }
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) {
      ready.add(name);
      if (ready.size === pods) times.ready = performance.now();
    }
  });
  say(`baseline: creating ${pods} Pods in ${ns}, ${concurrency} requests in flight`);
  const queue = new PQueue({ concurrency });
  const loadBefore = await apiServerLoad();
  const start = performance.now();
  for (let i = 0; i < pods; i++) {
    void queue.add(() =>
      core.createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: `bench-${i}`, labels: { bench: 'scale' } }, spec: { containers: [{ name: 'app', image: 'bench:1' }] } },
      }),
    );
  }
  await queue.onIdle();
  const created = performance.now();
  say(`baseline: all created in ${seconds(created - start).toFixed(1)} s`);
  let last = Date.now();
  await until('every baseline Pod Ready', () => {
    if (Date.now() - last > 15_000) {
      last = Date.now();
      say(`  ${bound.size} bound, ${ready.size} Ready`);
    }
    return times.ready !== undefined;
  });
  const load = loadBetween(loadBefore, await apiServerLoad());
  stopWatch();
  const result = {
    created: seconds(created - start),
    bound: seconds(times.bound! - start),
    ready: seconds(times.ready! - start),
    readyRate: pods / seconds(times.ready! - start),
    load,
  };
  say(`baseline: all created ${result.created.toFixed(1)} s, bound ${result.bound.toFixed(1)} s, Ready ${result.ready.toFixed(1)} s; deleting its Pods`);
  await deleteNamespace(ns);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Controller processes

interface Replica {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly metricsPort: number;
  readonly apiPort: number | undefined;
  readonly logFile: string;
}

async function spawnController(ns: string, extra: readonly string[], withApi: boolean): Promise<Replica> {
  const metricsPort = await freePort();
  const apiPort = withApi ? await freePort() : undefined;
  const logFile = path.join(os.tmpdir(), `caravan-bench-scale-${ns}-${metricsPort}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const args = [
    controllerEntry,
    'controller',
    '--api-port',
    String(apiPort ?? -1),
    '--cf-api-port',
    withApi ? '0' : '-1',
    '--metrics-port',
    String(metricsPort),
    '--log-level',
    'warn',
    '--lease-namespace',
    ns,
    '--lease-duration',
    String(leaseDuration),
    ...(controllerConcurrency === undefined ? [] : ['--concurrency', String(controllerConcurrency)]),
    ...extra,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, KUBECONFIG: kubeconfig ?? '', ...controllerEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.once('exit', () => children.delete(child));
  const replica = { child, pid: child.pid!, metricsPort, apiPort, logFile };
  await until(
    `the controller (pid ${child.pid}) to answer /readyz; its log: ${logFile}`,
    () => {
      if (child.exitCode !== null) throw new Error(`the controller exited with ${child.exitCode}; its log: ${logFile}\n${tail(logFile)}`);
      return readyzOk.has(metricsPort);
    },
    120_000,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return replica;
}

/** Metrics ports whose /readyz said 200, polled in the background while a replica starts. */
const readyzOk = new Set<number>();
const readyzPoller = setInterval(() => {
  for (const child of children) {
    const port = Number(child.spawnargs[child.spawnargs.indexOf('--metrics-port') + 1]);
    if (readyzOk.has(port)) continue;
    fetch(`http://127.0.0.1:${port}/readyz`)
      .then((res) => {
        if (res.ok) readyzOk.add(port);
        return res.arrayBuffer();
      })
      .catch(() => {});
  }
}, 250);

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function scrape(replica: Replica): Promise<PromSample[]> {
  const res = await fetch(`http://127.0.0.1:${replica.metricsPort}/metrics`);
  return parsePrometheusText(await res.text());
}

async function stopController(replica: Replica, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => replica.child.once('exit', () => r()));
  replica.child.kill(signal);
  await Promise.race([exited, sleep(30_000)]);
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
}

/** Whether the controller takes --shards (another change adds it): read from its --help. */
function controllerTakesShards(): boolean {
  try {
    const help = execFileSync(process.execPath, [controllerEntry, 'controller', '--help'], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: kubeconfig ?? '' },
    });
    return /--shards\b/.test(help);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The API server's load during a register: what every client asked of it, and its CPU

const clusterComponentPid = (name: 'kube-controller-manager' | 'kube-apiserver' | 'etcd') => componentPid(embeddedClusterDir(target.source, clusterDir), name);

/** The API server's request counter (watches left out: they stay open) and the CPU of it and etcd so far. */
interface ApiServerLoad {
  readonly requests: number | undefined;
  readonly apiServerCpu: number | undefined;
  readonly etcdCpu: number | undefined;
}

async function apiServerLoad(): Promise<ApiServerLoad> {
  return {
    requests: await apiServerRequests(),
    apiServerCpu: cpuSeconds(clusterComponentPid('kube-apiserver')),
    etcdCpu: cpuSeconds(clusterComponentPid('etcd')),
  };
}

/** `apiserver_request_total` summed over everything but WATCH; undefined when /metrics cannot be read. */
async function apiServerRequests(): Promise<number | undefined> {
  try {
    return parsePrometheusText(await jsonRequests(kc).getText('/metrics'))
      .filter((x) => x.name === 'apiserver_request_total' && x.labels['verb'] !== 'WATCH')
      .reduce((n, x) => n + x.value, 0);
  } catch {
    return undefined;
  }
}

/** How much a counter (CPU seconds, requests) rose between two readings; undefined when either is missing. */
const increase = (before: number | undefined, after: number | undefined) => (before === undefined || after === undefined ? undefined : after - before);

/** What the API server did between two readings: the same figures, as differences. */
function loadBetween(before: ApiServerLoad, after: ApiServerLoad): ApiServerLoad {
  return {
    requests: increase(before.requests, after.requests),
    apiServerCpu: increase(before.apiServerCpu, after.apiServerCpu),
    etcdCpu: increase(before.etcdCpu, after.etcdCpu),
  };
}

// ---------------------------------------------------------------------------------------------
// 1b. The floor: the user's NomadJobs and their Pods, with no controller

interface Floor {
  /** From the first NomadJob create to every Pod Ready: the jobs and their Pods alone. */
  readonly ready: number;
  /** To every job's one status write, each sent min_healthy_time after its Pods were Ready. */
  readonly statuses: number;
  readonly readyRate: number;
  readonly stableRate: number;
  readonly load: ApiServerLoad;
  /** This process's CPU: it plays the controller. */
  readonly controllerCpu: number;
}

/** Nomad's min_healthy_time in jobSpec(): no controller can call a job stable sooner after its Pods are Ready. */
const minHealthyMs = 1000;

/**
 * What no controller can beat on this cluster: this process registers the J NomadJobs (as in
 * step 2) and itself creates each job's C Pods right after its NomadJob (the baseline's Pods,
 * labelled with the job), then writes each job's status once, a settled one with stableVersion 0,
 * min_healthy_time after its last Pod turned Ready. No version, deployment, Event or second status
 * is written, and Pods carry nothing of Caravan's. Any controller that records a job's rollout in
 * its status does at least these writes, so placement ÷ baseline cannot pass this ratio here. No
 * controller may run meanwhile: it would reconcile these jobs.
 */
async function floor(): Promise<Floor> {
  const ns = await newNamespace();
  const podsReady = new Map<string, number>();
  const ready = new Set<string>();
  const queue = new PQueue({ concurrency });
  const json = jsonRequests(kc);
  const status = {
    ...settledJobStatus,
    desired: count,
    running: count,
    summary: { app: { queued: 0, complete: 0, failed: 0, running: count, starting: 0, lost: 0 } },
  };
  let written = 0;
  const times: { ready?: number; statuses?: number } = {};
  const writeStatus = (job: string) =>
    void queue.add(async () => {
      await json.patch(objectPath(nomadJobResource, ns, job, 'status'), { status }, 'merge');
      if (++written === jobs) times.statuses = performance.now();
    });
  const stopWatch = await watchPods(ns, (_type, pod) => {
    const name = pod.metadata?.name;
    const job = pod.metadata?.labels?.[labels.job];
    if (!name || !job || ready.has(name) || !pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    ready.add(name);
    if (ready.size === pods) times.ready = performance.now();
    const n = (podsReady.get(job) ?? 0) + 1;
    podsReady.set(job, n);
    if (n === count) setTimeout(() => writeStatus(job), minHealthyMs);
  });
  say(`floor: registering ${jobs} NomadJobs in ${ns} and creating their ${pods} Pods from this process, no controller running`);
  const loadBefore = await apiServerLoad();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (const name of names) {
    void queue.add(async () => {
      await json.create(objectPath(nomadJobResource, ns), { apiVersion, kind: 'NomadJob', metadata: { name }, spec: jobSpec('app:1') });
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          json.create(objectPath(podResource, ns), {
            metadata: { name: `${name}-${i}`, labels: { bench: 'scale', [labels.job]: name } },
            spec: { containers: [{ name: 'app', image: 'bench:1' }] },
          }),
        ),
      );
    });
  }
  await until('every floor job’s status written', () => times.statuses !== undefined);
  const load = loadBetween(loadBefore, await apiServerLoad());
  const used = process.cpuUsage(cpuBefore);
  const controllerCpu = (used.user + used.system) / 1e6;
  stopWatch();
  const result = {
    ready: seconds(times.ready! - start),
    statuses: seconds(times.statuses! - start),
    readyRate: pods / seconds(times.ready! - start),
    stableRate: pods / seconds(times.statuses! - start),
    load,
    controllerCpu,
  };
  say(`floor: all Ready ${result.ready.toFixed(1)} s, every status written ${result.statuses.toFixed(1)} s; deleting its jobs and Pods`);
  await deleteNamespace(ns);
  return result;
}

// ---------------------------------------------------------------------------------------------
// 2. Caravan

const jobSpec = (image: string): NomadJobSpec => ({
  update: { maxParallel, minHealthyTime: '1s', healthyDeadline: '2m', progressDeadline },
  taskGroups: [{ name: 'app', count, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
});
const names = Array.from({ length: jobs }, (_, i) => `job-${i}`);

function jobInformer(ns: string): Informer<NomadJob> {
  const { group, version, plural } = nomadJobResource;
  return new Informer<NomadJob>({ kc, path: `/apis/${group}/${version}/namespaces/${ns}/${plural}`, onEvent: () => {} });
}

/**
 * Registers the J jobs at once (`concurrency` creates in flight) and waits until every one's
 * version 0 is stable. Deployments that fail end the wait with an error once every job is
 * stable or failed: the run broke there, and the error says how.
 */
async function registerJobs(ns: string, informer: Informer<NomadJob>): Promise<{ seconds: number; createdSeconds: number }> {
  const tally = () => {
    let stable = 0;
    const failed = new Map<string, number>();
    for (const name of names) {
      const status = informer.get(`${ns}/${name}`)?.status;
      if (status?.stableVersion === 0) stable++;
      else if (status?.latestDeployment?.status === 'failed') {
        const why = status.latestDeployment.statusDescription;
        failed.set(why, (failed.get(why) ?? 0) + 1);
      }
    }
    return { stable, failed, failedCount: [...failed.values()].reduce((a, b) => a + b, 0) };
  };
  const stable = () => {
    if (informer.size < jobs) return false;
    const t = tally();
    if (t.stable + t.failedCount === jobs && t.failedCount > 0)
      throw new Error(`${t.failedCount} of ${jobs} deployments failed (${[...t.failed].map(([why, n]) => `${n}: ${why}`).join('; ')}); ${t.stable} stable`);
    return t.stable === jobs;
  };
  const queue = new PQueue({ concurrency });
  const start = performance.now();
  for (const name of names) {
    void queue.add(() =>
      custom.createNamespacedCustomObject({
        ...nomadJobResource,
        namespace: ns,
        body: { apiVersion, kind: 'NomadJob', metadata: { name }, spec: jobSpec('app:1') },
      }),
    );
  }
  await queue.onIdle();
  const created = performance.now();
  let last = 0;
  await until('every NomadJob stable at version 0', () => {
    if (Date.now() - last > 15_000) {
      last = Date.now();
      const t = tally();
      say(`  ${t.stable}/${jobs} jobs stable${t.failedCount > 0 ? `, ${t.failedCount} failed` : ''} after ${seconds(performance.now() - start).toFixed(0)} s`);
    }
    return stable();
  });
  return { seconds: seconds(performance.now() - start), createdSeconds: seconds(created - start) };
}

/** What a run of single updates measured, each from its patch's start (ms). */
interface Reactions {
  /** To the first Pod of the new version (a watch's ADDED): the reaction. */
  readonly ms: number[];
  /** To the patch's answer. */
  readonly answeredMs: number[];
  /** To the first old Pod of the job seen stopping (a watch's MODIFIED with a deletionTimestamp). */
  readonly stopSeenMs: number[];
  readonly failures: number;
}

/**
 * ≥N single updates, one at a time: patch → the first Pod of the new version; then its rollout ends
 * before the next. The patch's answer and the first old Pod's stop are timed too: where the
 * reaction's time goes (issue 15 §3), and which comes first, the stop or the new Pod.
 */
async function reactions(
  ns: string,
  n: number,
  update: (i: number, name: string) => Promise<void>,
  isNew: (pod: V1Pod, i: number, name: string) => boolean,
  isOld: (pod: V1Pod, i: number, name: string) => boolean,
  settled: (i: number, name: string) => boolean,
): Promise<Reactions> {
  const ms: number[] = [];
  const answeredMs: number[] = [];
  const stopSeenMs: number[] = [];
  let failures = 0;
  /** The update under way: its first new Pod is awaited (`done`) until `newSeen`; its first old Pod's stop is noted. */
  let current: { i: number; name: string; start: number; done: (t: number) => void; newSeen: boolean; stopSeen?: number } | undefined;
  const stop = await watchPods(ns, (type, pod) => {
    const u = current;
    if (!u) return;
    if (type === 'ADDED' && !u.newSeen && isNew(pod, u.i, u.name)) {
      u.newSeen = true;
      u.done(performance.now() - u.start);
    }
    if (type === 'MODIFIED' && u.stopSeen === undefined && pod.metadata?.deletionTimestamp && isOld(pod, u.i, u.name)) u.stopSeen = performance.now() - u.start;
  });
  try {
    for (let i = 0; i < n; i++) {
      const name = names[i % jobs]!;
      const start = performance.now();
      const { promise: seen, resolve } = Promise.withResolvers<number>();
      const u: NonNullable<typeof current> = { i, name, start, done: resolve, newSeen: false };
      current = u;
      await update(i, name);
      answeredMs.push(performance.now() - start);
      const took = await Promise.race([seen, sleep(120_000).then(() => -1)]);
      if (took < 0) {
        failures++;
        u.newSeen = true;
        say(`  update ${i} of ${name}: no new Pod within 120 s`);
      } else ms.push(took);
      await until(`${name} settled after update ${i}`, () => settled(i, name), 300_000).catch((error: unknown) => note((error as Error).message));
      if (u.stopSeen !== undefined) stopSeenMs.push(u.stopSeen);
      if ((i + 1) % 10 === 0) say(`  ${i + 1}/${n} updates`);
    }
  } finally {
    current = undefined;
    stop();
  }
  return { ms, answeredMs, stopSeenMs, failures };
}

/** A token for the Nomad API: a ServiceAccount bound to cluster-admin (removed at the end). */
async function nomadToken(ns: string): Promise<string> {
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'bench-scale' } } });
  const binding = `bench-scale-${ns}`;
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: binding },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'bench-scale', namespace: ns }],
    },
  });
  cleanups.push(async () => {
    await rbac.deleteClusterRoleBinding({ name: binding }).catch(() => {});
  });
  const res = await core.createNamespacedServiceAccountToken({
    name: 'bench-scale',
    namespace: ns,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return res.status?.token ?? '';
}

interface Latency extends Distribution {
  /** The request as shown in the report (namespace left out, filter decoded). */
  readonly label: string;
  readonly path: string;
  readonly items: number | undefined;
  readonly bytes: number | undefined;
}

async function apiLatency(port: number, token: string, label: string, pathAndQuery: string, n: number): Promise<Latency> {
  const ms: number[] = [];
  let items: number | undefined;
  let bytes: number | undefined;
  for (let i = 0; i < n + 2; i++) {
    const start = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { headers: { 'X-Nomad-Token': token } });
    const body = await res.arrayBuffer();
    const took = performance.now() - start;
    if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 300)}`);
    if (i < 2) continue; // warm-up: token review, access decision, first JIT
    ms.push(took);
    bytes = body.byteLength;
    const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    items = Array.isArray(parsed) ? parsed.length : undefined;
  }
  return { label, path: pathAndQuery, items, bytes, ...distribution(ms) };
}

interface IdleWindow {
  /** How long the work queue took to empty after all stable, before the window began. */
  drainSeconds: number;
  seconds: number;
  reconciles: number;
  requests: Record<string, number>;
  writes: number;
  leaseUpdates: number;
  writesWithoutLeases: number;
}

async function idleWindow(replica: Replica, ns: string): Promise<IdleWindow> {
  let leaseUpdates = 0;
  let counting = false;
  const leases = new Informer<V1Lease>({
    kc,
    path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
    onEvent: (event) => {
      if (counting && event === 'update') leaseUpdates++;
    },
  });
  await leases.start();
  // At 10,000 jobs the queue still holds the jobs' last passes when the last turns stable: the
  // window begins once it has been empty (no key queued, no reconcile running) for 2 s.
  const drainStart = performance.now();
  for (let quietSince: number | undefined; quietSince === undefined || performance.now() - quietSince < 2000; await sleep(250)) {
    if (performance.now() - drainStart > phaseTimeoutMs) throw new Error(`timed out after ${seconds(phaseTimeoutMs)} s waiting for the work queue to empty`);
    const s = await scrape(replica);
    const busy = sumSamples(s, 'workqueue_depth') + sumSamples(s, 'controller_runtime_active_workers');
    quietSince = busy > 0 ? undefined : (quietSince ?? performance.now());
  }
  const drainSeconds = seconds(performance.now() - drainStart);
  const before = await scrape(replica);
  counting = true;
  const start = performance.now();
  await sleep(idleSeconds * 1000);
  const after = await scrape(replica);
  counting = false;
  const took = seconds(performance.now() - start);
  leases.stop();
  const requests = difference(sumBy(before, 'rest_client_requests_total', 'method'), sumBy(after, 'rest_client_requests_total', 'method'));
  const writes = Object.entries(requests)
    .filter(([method]) => method !== 'GET')
    .reduce((n, [, v]) => n + v, 0);
  return {
    drainSeconds,
    seconds: took,
    reconciles: sumSamples(after, 'controller_runtime_reconcile_total') - sumSamples(before, 'controller_runtime_reconcile_total'),
    requests,
    writes,
    leaseUpdates,
    writesWithoutLeases: writes - leaseUpdates,
  };
}

/** The bytes each cached object takes in this process: heap after gc, before and after each informer's first sync. */
async function bytesPerCachedObject(): Promise<Record<string, { objects: number; bytes: number | undefined }>> {
  const gc = exposeGc();
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const cluster = createClusterCaches(kc);
  const informers = {
    Pod: cluster.caches.pods,
    NomadJob: cluster.caches.jobs,
    NomadDeployment: cluster.caches.deployments,
    ControllerRevision: cluster.revisions,
  } as const;
  const out: Record<string, { objects: number; bytes: number | undefined }> = {};
  // The first informer to sync pays what any first sync costs (code compiled, buffers grown,
  // module garbage collected): with a few hundred objects that made the Pods' figure negative.
  // The Nodes' cache, not measured, pays it instead.
  if (cluster.caches.nodes instanceof Informer) await cluster.caches.nodes.start();
  for (const [kind, informer] of Object.entries(informers)) {
    if (!(informer instanceof Informer)) {
      out[kind] = { objects: informer.size, bytes: undefined };
      continue;
    }
    const before = heap();
    await informer.start();
    await sleep(200);
    const after = heap();
    out[kind] = { objects: informer.size, bytes: informer.size === 0 ? undefined : (after - before) / informer.size };
  }
  // What the Nomad API keeps beside the caches (its indexes and orders), per cached Pod.
  const before = heap();
  const view = new ClusterView(cluster);
  for (const kind of ['jobs', 'deployments', 'pods'] as const) for (const namespace of ['*', ...view.namespaces()]) view.ordered(kind, namespace);
  const after = heap();
  const pods = cluster.caches.pods.size;
  out['Nomad API indexes, per Pod'] = { objects: pods, bytes: pods === 0 ? undefined : (after - before) / pods };
  view.close();
  cluster.stop();
  return out;
}

/** global.gc, exposed at run time when node was started without --expose-gc. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

// ---------------------------------------------------------------------------------------------
// 4. The anchor: Deployments and kube-controller-manager

function kcmPid(): number | undefined {
  return clusterComponentPid('kube-controller-manager');
}

const deploymentBody = (name: string, image: string): V1Deployment => ({
  metadata: { name, labels: { bench: 'scale' } },
  spec: {
    replicas: count,
    minReadySeconds: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
  },
});

function deploymentDone(d: V1Deployment | undefined): boolean {
  if (!d?.status) return false;
  return (
    (d.status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    d.status.updatedReplicas === count &&
    d.status.availableReplicas === count &&
    (d.status.replicas ?? 0) === count
  );
}

async function anchor(): Promise<Record<string, unknown>> {
  const ns = await newNamespace();
  const kcm = kcmPid();
  const memBefore = processMemory(kcm);
  const informer = new Informer<V1Deployment>({ kc, path: `/apis/apps/v1/namespaces/${ns}/deployments`, onEvent: () => {} });
  await informer.start();
  say(`anchor: creating ${jobs} Deployments of ${count} replicas in ${ns}`);
  const queue = new PQueue({ concurrency });
  const loadBefore = await apiServerLoad();
  const cpuBefore = cpuSeconds(kcm);
  const start = performance.now();
  for (const name of names) void queue.add(() => apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody(name, 'app:1') }));
  await queue.onIdle();
  await until('every Deployment available', () => informer.size >= jobs && names.every((n) => deploymentDone(informer.get(`${ns}/${n}`))));
  const register = seconds(performance.now() - start);
  const load = loadBetween(loadBefore, await apiServerLoad());
  const controllerCpu = increase(cpuBefore, cpuSeconds(kcm));
  say(`anchor: all available in ${register.toFixed(1)} s`);
  await sleep(5000);
  const memSteady = processMemory(kcm);
  say(`anchor: ${updates} single updates`);
  const reaction = await reactions(
    ns,
    updates,
    async (i, name) => {
      await apps.patchNamespacedDeployment({ namespace: ns, name, body: replace('/spec/template/spec/containers/0/image', `app:u${i}`) });
    },
    (pod, i, name) => pod.metadata?.labels?.['app'] === name && pod.spec?.containers[0]?.image === `app:u${i}`,
    (pod, i, name) => pod.metadata?.labels?.['app'] === name && pod.spec?.containers[0]?.image !== `app:u${i}`,
    (i, name) => {
      const d = informer.get(`${ns}/${name}`);
      return deploymentDone(d) && d?.spec?.template.spec?.containers[0]?.image === `app:u${i}`;
    },
  );
  informer.stop();
  await deleteNamespace(ns);
  return {
    registerSeconds: register,
    podsPerSecond: pods / register,
    load,
    controllerCpu,
    reactionMs: distribution(reaction.ms),
    reactionAnsweredMs: distribution(reaction.answeredMs),
    reactionStopSeenMs: distribution(reaction.stopSeenMs),
    reactionFailures: reaction.failures,
    kubeControllerManager: kcm === undefined ? undefined : { pid: kcm, rssBefore: memBefore?.rss, rssSteady: memSteady?.rss, peak: memSteady?.peak },
  };
}

// ---------------------------------------------------------------------------------------------
// 5. Sharding

function shardLeaseName(i: number, n: number): string {
  return `caravan-controller-shard-${i}-of-${n}`;
}

async function sharding(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { shards, replicas: replicaCounts };
  if (!controllerTakesShards()) {
    note(`sharding unavailable: \`caravan controller\` (${path.relative(fromProjectRoot(), controllerEntry)}) has no --shards option yet`);
    out['available'] = false;
    return out;
  }
  out['available'] = true;
  const runs: Record<string, unknown>[] = [];
  out['runs'] = runs;
  const biggest = Math.max(...replicaCounts);
  for (const r of replicaCounts) {
    const ns = await newNamespace();
    const informer = jobInformer(ns);
    await informer.start();
    const replicas: Replica[] = [];
    const leases = new Informer<V1Lease>({ kc, path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, onEvent: () => {} });
    await leases.start();
    try {
      say(`sharding: ${r} replica(s) with --shards ${shards} in ${ns}`);
      for (let i = 0; i < r; i++) replicas.push(await spawnController(ns, ['--shards', String(shards)], false));
      const holders = () => Array.from({ length: shards }, (_, i) => leases.get(`${ns}/${shardLeaseName(i, shards)}`)?.spec?.holderIdentity ?? '');
      await until(`every shard Lease held in ${ns}`, () => holders().every((h) => h !== ''), 120_000).catch((error: unknown) => note((error as Error).message));
      const registered = await registerJobs(ns, informer);
      const run: Record<string, unknown> = { replicas: r, allStableSeconds: registered.seconds, allocationsPerSecond: pods / registered.seconds };
      runs.push(run);
      say(`sharding: ${r} replica(s): all stable in ${registered.seconds.toFixed(1)} s`);
      if (r === biggest && r >= 2) {
        const held = holders();
        const victim = replicas.find((rep) => held.some((h) => h.includes(`-${rep.pid}-`))) ?? replicas[0]!;
        const lost = held.map((h, i) => (h.includes(`-${victim.pid}-`) ? i : -1)).filter((i) => i >= 0);
        say(`sharding: kill -9 of pid ${victim.pid}, holding shard(s) ${lost.join(', ') || 'none found by pid'}`);
        const killedAt = performance.now();
        victim.child.kill('SIGKILL');
        await until(
          'the killed replica’s shards taken over',
          () => {
            const now = holders();
            return lost.every((i) => now[i] !== '' && !now[i]!.includes(`-${victim.pid}-`));
          },
          Math.max(120_000, leaseDuration * 10_000),
        );
        const takeover = seconds(performance.now() - killedAt);
        await sleep(leaseDuration * 1000);
        const stillStable = names.every((n) => informer.get(`${ns}/${n}`)?.status?.stableVersion === 0);
        const podsNow = (await core.listNamespacedPod({ namespace: ns, labelSelector: labels.job })).items.filter((p) => !p.metadata?.deletionTimestamp).length;
        run['failover'] = { killedPid: victim.pid, shardsLost: lost, takeoverSeconds: takeover, allStillStable: stillStable, podsAfter: podsNow };
        say(`sharding: shards taken over in ${takeover.toFixed(1)} s; all jobs still stable: ${stillStable}; Pods ${podsNow}/${pods}`);
      }
    } finally {
      for (const rep of replicas) await stopController(rep);
      leases.stop();
      informer.stop();
      await deleteNamespace(ns);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run

async function otherControllers(): Promise<string[]> {
  const leases = await kc.makeApiClient(CoordinationV1Api).listLeaseForAllNamespaces();
  const fresh = Date.now() - 60_000;
  return leases.items
    .filter((l) => l.metadata?.name?.startsWith('caravan-controller') && l.spec?.holderIdentity && new Date(l.spec.renewTime ?? 0).getTime() > fresh)
    .map((l) => `${l.metadata?.namespace}/${l.metadata?.name} (${l.spec?.holderIdentity})`);
}

async function main(): Promise<void> {
  const capacity = await podCapacity();
  report['capacity'] = capacity;
  if (capacity.free < pods) {
    const need = nodesNeeded(pods, capacity.podsPerNode || 500, capacity.inUse);
    throw new Error(
      `the cluster has room for ${capacity.free} more Pods (${capacity.nodes} schedulable nodes), and this run needs ${pods}; ` +
        (target.source === 'local' ? `rerun with --nodes ${need + 1} (or run \`caravan cluster up --nodes ${need + 1}\`)` : 'add nodes'),
    );
  }
  const others = await otherControllers();
  if (others.length > 0) note(`other Caravan controllers hold fresh Leases on this cluster and reconcile every namespace too: ${others.join(', ')}`);

  if (!values['skip-baseline']) report['baseline'] = await baseline();
  if (!values['skip-floor'] && others.length > 0) note('the floor was not measured: another controller would reconcile its NomadJobs');
  else if (!values['skip-floor']) report['floor'] = await floor();

  // 2. Caravan, one controller process.
  const ns = await newNamespace();
  const informer = jobInformer(ns);
  await informer.start();
  say(`caravan: starting the controller (${path.relative(fromProjectRoot(), controllerEntry)}) with its Lease in ${ns}`);
  const replica = await spawnController(ns, [], true);
  const leading = async () => sumSamples(await scrape(replica), 'leader_election_master_status') >= 1;
  {
    const deadline = Date.now() + 120_000;
    while (!(await leading())) {
      if (Date.now() > deadline) throw new Error(`the controller did not lead within 120 s; its log: ${replica.logFile}`);
      await sleep(250);
    }
  }
  const memStart = processMemory(replica.pid);
  say(`caravan: registering ${jobs} jobs × ${count} allocations in ${ns}`);
  const loadBefore = await apiServerLoad();
  const cpuBefore = cpuSeconds(replica.pid);
  const registered = await registerJobs(ns, informer);
  const load = loadBetween(loadBefore, await apiServerLoad());
  const controllerCpu = increase(cpuBefore, cpuSeconds(replica.pid));
  const baselineRate = (report['baseline'] as Baseline | undefined)?.readyRate;
  const caravan: Record<string, unknown> = {
    controllerPid: replica.pid,
    createdSeconds: registered.createdSeconds,
    allStableSeconds: registered.seconds,
    allocationsPerSecond: pods / registered.seconds,
    ratioToBaseline: baselineRate === undefined ? undefined : pods / registered.seconds / baselineRate,
    load,
    controllerCpu,
  };
  report['caravan'] = caravan;
  say(`caravan: all stable in ${registered.seconds.toFixed(1)} s (${(pods / registered.seconds).toFixed(0)} allocations/s)`);

  await sleep(5000);
  const metrics = await scrape(replica);
  const mem = processMemory(replica.pid);
  const heapUsed = sampleOf(metrics, 'nodejs_heap_size_used_bytes');
  const heapTotal = sampleOf(metrics, 'nodejs_heap_size_total_bytes');
  if (heapUsed === undefined) note('the controller’s /metrics has no nodejs_heap_size_used_bytes (prom-client default metrics not collected)');
  caravan['memory'] = { rssAtStart: memStart?.rss, rss: mem?.rss, peakRss: mem?.peak, heapUsed, heapTotal };

  if (idleSeconds > 0) {
    say(`caravan: idle for ${idleSeconds} s`);
    caravan['idle'] = await idleWindow(replica, ns);
    // The same figures once V8 has had an idle window to collect the register's garbage.
    const after = await scrape(replica);
    const idleMem = processMemory(replica.pid);
    caravan['memoryAfterIdle'] = {
      rss: idleMem?.rss,
      heapUsed: sampleOf(after, 'nodejs_heap_size_used_bytes'),
      heapTotal: sampleOf(after, 'nodejs_heap_size_total_bytes'),
    };
  }

  say('caravan: Nomad API latencies');
  const token = await nomadToken(ns);
  const q = `namespace=${ns}`;
  const filter = 'Status == "running" and Name matches "^job-1"';
  const port = replica.apiPort!;
  caravan['apiNamespace'] = ns;
  caravan['api'] = [
    await apiLatency(port, token, '/v1/jobs?per_page=100', `/v1/jobs?${q}&per_page=100`, apiRequests),
    await apiLatency(port, token, '/v1/jobs', `/v1/jobs?${q}`, 20),
    await apiLatency(port, token, '/v1/deployments', `/v1/deployments?${q}`, 20),
    await apiLatency(port, token, '/v1/allocations', `/v1/allocations?${q}`, 20),
    await apiLatency(port, token, `/v1/jobs?filter=${filter}`, `/v1/jobs?${q}&filter=${encodeURIComponent(filter)}`, 20),
  ];

  if (updates > 0) {
    say(`caravan: ${updates} single updates, one at a time`);
    const versions = new Map<string, number>();
    const reaction = await reactions(
      ns,
      updates,
      async (i, name) => {
        versions.set(name, (versions.get(name) ?? 0) + 1);
        await custom.patchNamespacedCustomObject({
          ...nomadJobResource,
          namespace: ns,
          name,
          body: replace('/spec/taskGroups/0/tasks/0/config/image', `app:u${i}`),
        });
      },
      (pod, _i, name) => pod.metadata?.labels?.[labels.job] === name && pod.metadata.labels[labels.jobVersion] === String(versions.get(name)),
      (pod, _i, name) => pod.metadata?.labels?.[labels.job] === name && pod.metadata.labels[labels.jobVersion] !== String(versions.get(name)),
      (_i, name) => informer.get(`${ns}/${name}`)?.status?.stableVersion === versions.get(name),
    );
    caravan['reactionMs'] = distribution(reaction.ms);
    caravan['reactionAnsweredMs'] = distribution(reaction.answeredMs);
    caravan['reactionStopSeenMs'] = distribution(reaction.stopSeenMs);
    caravan['reactionFailures'] = reaction.failures;
  }

  say('caravan: bytes per cached object (this process, createClusterCaches)');
  caravan['bytesPerObject'] = await bytesPerCachedObject();

  await stopController(replica);
  informer.stop();
  await deleteNamespace(ns);

  if (!values['skip-anchor']) report['anchor'] = await anchor();
  if (shardingRequested) report['sharding'] = await sharding();
}

let failed: unknown;
try {
  await main();
} catch (error) {
  failed = error;
  say(`bench:scale failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  clearInterval(readyzPoller);
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
  for (const ns of [...namespaces]) await deleteNamespace(ns).catch((error: unknown) => say(`deleting ${ns}: ${String(error)}`));
  if (wantedNodes !== undefined && target.source === 'local' && previousNodes !== undefined && previousNodes !== wantedNodes && !values['keep-nodes']) {
    say(`restoring the local cluster's ${previousNodes} kwok nodes (--keep-nodes keeps ${wantedNodes})`);
    await up({ dir: clusterDir, nodes: previousNodes, report: say }).catch((error: unknown) => say(`restoring nodes: ${String(error)}`));
  }
}

const text = renderReport();
console.log(text);
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ ...report, ...(failed ? { error: String(failed) } : {}) }, null, 2)}\n`);
  say(`wrote ${values.json}`);
}
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------------------------
// The report

/** A register's API server and etcd CPU seconds, as one cell. */
function cpu(load: ApiServerLoad | undefined): string {
  return load?.apiServerCpu === undefined ? 'n/a' : `${fmt(load.apiServerCpu, 1, 's')} / ${fmt(load.etcdCpu, 1, 's')}`;
}

/** Requests per Pod placed during a register. */
function perPod(load: ApiServerLoad | undefined): string {
  return fmt(load?.requests === undefined ? undefined : load.requests / pods, 1);
}

function renderReport(): string {
  const b = report['baseline'] as Baseline | undefined;
  const c = (report['caravan'] ?? {}) as {
    allStableSeconds?: number;
    allocationsPerSecond?: number;
    ratioToBaseline?: number;
    memory?: { rssAtStart?: number; rss?: number; peakRss?: number; heapUsed?: number; heapTotal?: number };
    memoryAfterIdle?: { rss?: number; heapUsed?: number; heapTotal?: number };
    idle?: IdleWindow;
    api?: Latency[];
    reactionMs?: Distribution;
    reactionAnsweredMs?: Distribution;
    reactionStopSeenMs?: Distribution;
    reactionFailures?: number;
    bytesPerObject?: Record<string, { objects: number; bytes: number | undefined }>;
    load?: ApiServerLoad;
    controllerCpu?: number;
  };
  const a = report['anchor'] as
    | {
        registerSeconds: number;
        podsPerSecond: number;
        load?: ApiServerLoad;
        controllerCpu?: number;
        reactionMs: Distribution;
        reactionAnsweredMs?: Distribution;
        reactionStopSeenMs?: Distribution;
        reactionFailures: number;
        kubeControllerManager?: { rssBefore?: number; rssSteady?: number; peak?: number };
      }
    | undefined;
  const lines: string[] = [];
  lines.push(`bench:scale — ${report['command']}`);
  lines.push(
    `${report['date']} · ${os.cpus().length} cores (${(report['machine'] as { cpu: string }).cpu}) · Node ${process.version} · commit ${report['commit'] ?? '?'} · ${target.source} cluster ${kc.getCurrentCluster()?.server}`,
  );
  lines.push(`${jobs} jobs × ${count} allocations = ${pods} Pods; max_parallel ${maxParallel}; ${updates} single updates; idle window ${idleSeconds} s`);
  lines.push('');
  const ms = (d: Distribution | undefined, k: 'p50' | 'p90' | 'p99') => fmt(d?.[k], 0, 'ms');
  const rows: string[][] = [['figure', 'Caravan', 'Deployments + kcm', 'API server baseline']];
  rows.push(['register → all stable / available', fmt(c.allStableSeconds, 1, 's'), fmt(a?.registerSeconds, 1, 's'), fmt(b?.ready, 1, 's')]);
  rows.push(['placement rate (Pods/s to Ready)', fmt(c.allocationsPerSecond, 0, '/s'), fmt(a?.podsPerSecond, 0, '/s'), fmt(b?.readyRate, 0, '/s')]);
  rows.push(['  ratio to the baseline', fmt(c.ratioToBaseline, 2), a && b ? fmt(a.podsPerSecond / b.readyRate, 2) : 'n/a', b ? '1.00' : 'n/a']);
  rows.push(['  API server requests per Pod (every client)', perPod(c.load), perPod(a?.load), perPod(b?.load)]);
  rows.push(['  API server / etcd CPU', cpu(c.load), cpu(a?.load), cpu(b?.load)]);
  rows.push(['  controller CPU (Caravan / kube-controller-manager)', fmt(c.controllerCpu, 1, 's'), fmt(a?.controllerCpu, 1, 's'), '']);
  for (const k of ['p50', 'p90', 'p99'] as const) {
    rows.push([`reaction to an update, ${k} (first new Pod seen)`, ms(c.reactionMs, k), ms(a?.reactionMs, k), '']);
  }
  rows.push(['  the patch answered, p50', ms(c.reactionAnsweredMs, 'p50'), ms(a?.reactionAnsweredMs, 'p50'), '']);
  rows.push(['  an old Pod seen stopping, p50', ms(c.reactionStopSeenMs, 'p50'), ms(a?.reactionStopSeenMs, 'p50'), '']);
  rows.push([
    '  updates measured (timed out)',
    c.reactionMs ? `${c.reactionMs.n} (${c.reactionFailures ?? 0})` : 'n/a',
    a ? `${a.reactionMs.n} (${a.reactionFailures})` : 'n/a',
    '',
  ]);
  rows.push(['controller RSS at steady state', fmt(mib(c.memory?.rss), 0, 'MiB'), fmt(mib(a?.kubeControllerManager?.rssSteady), 0, 'MiB'), '']);
  rows.push(['  RSS before the register', fmt(mib(c.memory?.rssAtStart), 0, 'MiB'), fmt(mib(a?.kubeControllerManager?.rssBefore), 0, 'MiB'), '']);
  rows.push(['  peak RSS (VmHWM)', fmt(mib(c.memory?.peakRss), 0, 'MiB'), fmt(mib(a?.kubeControllerManager?.peak), 0, 'MiB'), '']);
  rows.push(['controller heap used / total', `${fmt(mib(c.memory?.heapUsed), 0)} / ${fmt(mib(c.memory?.heapTotal), 0, 'MiB')}`, '', '']);
  if (c.memoryAfterIdle) {
    rows.push(['  RSS after the idle window', fmt(mib(c.memoryAfterIdle.rss), 0, 'MiB'), '', '']);
    rows.push(['  heap used / total after it', `${fmt(mib(c.memoryAfterIdle.heapUsed), 0)} / ${fmt(mib(c.memoryAfterIdle.heapTotal), 0, 'MiB')}`, '', '']);
  }
  lines.push(renderTable(rows));
  const f = report['floor'] as Floor | undefined;
  if (f) {
    const ratio = (rate: number) => (b ? fmt(rate / b.readyRate, 2) : 'n/a');
    lines.push('');
    lines.push('the floor, no controller: this process registers the NomadJobs, creates their Pods, and writes each job’s status once');
    lines.push(
      renderTable([
        ['figure', 'time', 'rate', 'ratio to the baseline'],
        ['NomadJobs and their Pods → all Ready', fmt(f.ready, 1, 's'), fmt(f.readyRate, 0, '/s'), ratio(f.readyRate)],
        ['… and one status each, min_healthy_time after → all written', fmt(f.statuses, 1, 's'), fmt(f.stableRate, 0, '/s'), ratio(f.stableRate)],
        ['  API server requests per Pod (every client)', '', perPod(f.load), ''],
        ['  API server / etcd CPU', '', cpu(f.load), ''],
        ['  this process’s CPU (it plays the controller)', '', fmt(f.controllerCpu, 1, 's'), ''],
      ]),
    );
  }
  if (b) lines.push(`baseline detail: all created ${b.created.toFixed(1)} s, all bound ${b.bound.toFixed(1)} s, all Ready ${b.ready.toFixed(1)} s`);

  if (c.idle) {
    lines.push('');
    const methods = Object.entries(c.idle.requests)
      .filter(([, v]) => v !== 0)
      .map(([m, v]) => `${m} ${v}`)
      .join(', ');
    lines.push(
      `idle ${c.idle.seconds.toFixed(0)} s at steady state (after the work queue emptied, ${c.idle.drainSeconds.toFixed(1)} s after all stable): ${c.idle.reconciles} reconciles; Kubernetes requests ${methods || 'none'}; ` +
        `writes ${c.idle.writes} (${c.idle.leaseUpdates} Lease renewals, ${c.idle.writesWithoutLeases} others)`,
    );
  }
  if (c.api) {
    lines.push('');
    lines.push(
      renderTable([
        [`Nomad API, namespace=<bench>, sequential, X-Nomad-Token`, 'requests', 'items', 'bytes', 'p50', 'p99'],
        ...c.api.map((l) => [`GET ${l.label}`, String(l.n), fmt(l.items), fmt(l.bytes), fmt(l.p50, 1, 'ms'), fmt(l.p99, 1, 'ms')]),
      ]),
    );
  }
  if (c.bytesPerObject) {
    lines.push('');
    lines.push(
      renderTable([
        ['cached object (createClusterCaches, heap after gc)', 'objects', 'bytes each'],
        ...Object.entries(c.bytesPerObject).map(([kind, v]) => [kind, String(v.objects), fmt(v.bytes, 0, 'B')]),
      ]),
    );
  }
  const s = report['sharding'] as
    | { available: boolean; runs?: { replicas: number; allStableSeconds: number; failover?: Record<string, unknown> }[] }
    | undefined;
  if (s) {
    lines.push('');
    if (!s.available) lines.push('sharding: unavailable (the controller has no --shards option yet)');
    else {
      lines.push(
        renderTable([
          [`sharding (--shards ${shards})`, 'all stable', 'allocations/s'],
          ...(s.runs ?? []).map((r) => [`${r.replicas} replica(s)`, fmt(r.allStableSeconds, 1, 's'), fmt(pods / r.allStableSeconds, 0, '/s')]),
        ]),
      );
      for (const r of s.runs ?? []) {
        if (r.failover) {
          const f = r.failover as { killedPid: number; shardsLost: number[]; takeoverSeconds: number; allStillStable: boolean; podsAfter: number };
          lines.push(
            `kill -9 of one of ${r.replicas} replicas (pid ${f.killedPid}, shards ${f.shardsLost.join(', ')}): taken over in ${f.takeoverSeconds.toFixed(1)} s ` +
              `(lease duration ${leaseDuration} s); all jobs still stable: ${f.allStillStable ? 'yes' : 'NO'}; Pods ${f.podsAfter}/${pods}`,
          );
        }
      }
    }
  }
  if (notes.length > 0) {
    lines.push('');
    for (const n of notes) lines.push(`note: ${n}`);
  }
  if (failed) lines.push(`\nTHE RUN FAILED: ${String((failed as Error).message ?? failed)}`);
  return lines.join('\n');
}
