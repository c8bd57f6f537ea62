/**
 * How fast this machine's API server takes Pods from a plain client: create N pods with C requests
 * in flight, and time (1) until every create was accepted, (2) until kube-scheduler bound them all
 * to kwok nodes, (3) until kwok reported them all Running and Ready. This is the physical limit that
 * Caravan's own benchmarks are compared with.
 *
 *   npm run bench:apiserver -- --pods 2000 --concurrency 64
 *
 * Uses $KUBECONFIG when set, otherwise the embedded local cluster (started if needed).
 */
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import PQueue from 'p-queue';
import { targetCluster } from '../src/cli/target-cluster.ts';
import { loadKubeConfig } from '../src/kube/client.ts';
import { benchNamespace } from './bench-namespace.ts';

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const pods = Number(values.pods);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(pods) || pods < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  throw new Error(`--pods and --concurrency must be positive whole numbers, got ${values.pods} and ${values.concurrency}`);
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const target = await targetCluster({ report: say });
const kc = loadKubeConfig(target.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await benchNamespace(core);

const bound = new Set<string>();
const ready = new Set<string>();
let allBound!: () => void;
let allReady!: () => void;
const boundDone = new Promise<void>((r) => (allBound = r));
const readyDone = new Promise<void>((r) => (allReady = r));
const times: { created?: number; bound?: number; ready?: number } = {};
const watch = await new Watch(kc).watch(
  `/api/v1/namespaces/${namespace}/pods`,
  {},
  (_type: string, pod: V1Pod) => {
    const name = pod.metadata?.name;
    if (!name) return;
    if (pod.spec?.nodeName && !bound.has(name)) {
      bound.add(name);
      if (bound.size === pods) {
        times.bound = performance.now();
        allBound();
      }
    }
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) {
      ready.add(name);
      if (ready.size === pods) {
        times.ready = performance.now();
        allReady();
      }
    }
  },
  (error: unknown) => {
    if (error && (error as Error).name !== 'AbortError') say(`watch ended: ${String(error)}`);
  },
);

say(`creating ${pods} pods in ${namespace} with ${concurrency} requests in flight`);
const queue = new PQueue({ concurrency });
const start = performance.now();
for (let i = 0; i < pods; i++) {
  void queue.add(() =>
    core.createNamespacedPod({
      namespace,
      body: { metadata: { name: `bench-${i}`, labels: { bench: 'apiserver' } }, spec: { containers: [{ name: 'app', image: 'bench:1' }] } },
    }),
  );
}
await queue.onIdle();
times.created = performance.now();
await boundDone;
await readyDone;
watch.abort();

const seconds = (t: number | undefined) => ((t! - start) / 1000).toFixed(2);
const rate = (t: number | undefined) => (pods / ((t! - start) / 1000)).toFixed(0);
console.log(`apiserver bench: ${pods} pods, ${concurrency} in flight, ${target.source} cluster ${kc.getCurrentCluster()?.server}`);
console.log(`  all created   ${seconds(times.created).padStart(7)} s   ${rate(times.created).padStart(6)} pods/s accepted by the API server`);
console.log(`  all scheduled ${seconds(times.bound).padStart(7)} s   ${rate(times.bound).padStart(6)} pods/s bound by kube-scheduler`);
console.log(`  all Ready     ${seconds(times.ready).padStart(7)} s   ${rate(times.ready).padStart(6)} pods/s Running and Ready on kwok nodes`);

say(`deleting namespace ${namespace}`);
await core.deleteNamespace({ name: namespace });
