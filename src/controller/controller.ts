import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import { cacheIndexes, createClusterCaches, type CacheKind, type ClusterCaches } from '../kube/cluster-caches.ts';
import { objectKey } from '../kube/informer.ts';
import { jobPodsReader } from '../kube/job-pods.ts';
import { VersionConflict } from '../kube/job-version-store.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { childLabels } from '../resources/child-job.ts';
import { labels } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { nodeEventAffectsAllocations, nodeEventAffectsPerNodeJobs } from './node-events.ts';
import { kubernetesWriter } from './cluster-writer.ts';
import { JobReconciler } from './reconciler.ts';
import { shardOf } from './shard-hash.ts';
import { TerminalError, WorkQueue, type Priority } from './work-queue.ts';

export interface RunningController {
  readonly queue: WorkQueue;
  /** The shards this controller reconciles now, lowest first. */
  ownedShards(): number[];
  /** Starts reconciling one shard's jobs: every cached one is queued at low priority, as at start-up. */
  takeShard(shard: number): void;
  /** Stops queueing the shard's jobs, drops those queued, and resolves when its running reconciles have finished. */
  handBackShard(shard: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  readonly concurrency?: number;
  readonly logger?: Logger;
  readonly metrics?: ControllerMetrics;
  /** Caches already started (shared with the HTTP API); without them the controller starts its own. */
  readonly caches?: ClusterCaches;
  /** Nomad's job_gc_threshold for dead children (`--job-gc-threshold`); 4h by default. */
  readonly jobGcThresholdMs?: number;
  /**
   * `--shards` (issue 15 §5): the controller starts with no shard and reconciles only the jobs of
   * the shards it is handed (takeShard). Without it, it owns every job from the start.
   */
  readonly shards?: number;
}

/**
 * Reconciles at once. A reconcile spends most of its time waiting for its few sequential writes,
 * so more workers than cores keep the API server busy (docs/performance.md has the figures).
 */
export const defaultConcurrency = 16;

/** The NomadJob a cached object belongs to, as a queue key. */
function jobKeyOf(kind: CacheKind, obj: unknown): string | undefined {
  if (kind === 'jobs') return objectKey(obj as NomadJob);
  if (kind === 'deployments') {
    const d = obj as NomadDeployment;
    return `${d.metadata.namespace}/${d.spec.job}`;
  }
  if (kind === 'pods' || kind === 'revisions') {
    // A job's Pods and versions carry its name; a reconcile waiting to see a version it recorded
    // goes on when the version arrives.
    const o = obj as V1Pod;
    const job = o.metadata?.labels?.[labels.job];
    return job ? `${o.metadata?.namespace}/${job}` : undefined;
  }
  return undefined;
}

/**
 * Reconciles each NomadJob through the keyed queue: every change to a job, its deployments or
 * its Pods becomes its job's key, and a node going NotReady or away becomes the keys of the jobs
 * with Pods on it. What the caches held when the controller started goes in at low priority, so
 * live changes overtake the startup flood.
 */
export async function runController(kc: KubeConfig, opts: ControllerOptions = {}): Promise<RunningController> {
  const logger = opts.logger ?? silentLogger;
  const { metrics } = opts;
  const concurrency = opts.concurrency ?? defaultConcurrency;
  const queue = new WorkQueue({
    concurrency,
    onError: (key, error, retryIn) => {
      const [namespace, job] = key.split('/');
      if (retryIn === undefined) logger.error({ namespace, job, err: error }, 'reconcile failed; not retried until the job changes');
      else logger.warn({ namespace, job, retryInMs: retryIn, err: error }, 'reconcile failed; retrying');
    },
    ...(metrics ? { observer: metrics.queueObserver } : {}),
  });
  const shared = opts.caches;
  const cluster = shared ?? createClusterCaches(kc, { logger });
  const { caches } = cluster;
  // Subscribing after the first LIST, then queueing what it found at low priority, loses no
  // change (the caches are level-triggered) and keeps the startup flood behind live changes.
  if (!shared) await cluster.start();
  const shardCount = opts.shards ?? 1;
  // Each shard's tenure gets a fresh reconciler, so one taken back later starts from the cluster,
  // as a restarted controller does, not from what it expected when it last held the shard.
  const reconcilers = new Map<number, JobReconciler>();
  const writer = kubernetesWriter(kc, { logger });
  const readPods = jobPodsReader(kc);
  const newReconciler = () =>
    new JobReconciler({
      caches,
      writer,
      readPods,
      logger,
      ...(metrics ? { metrics } : {}),
      ...(opts.jobGcThresholdMs !== undefined ? { jobGcThresholdMs: opts.jobGcThresholdMs } : {}),
    });
  // Every key is queued through here: a replica queues only the jobs of the shards it holds. A
  // child's parent is queued by its own key's shard, which may be another replica's.
  const add = (key: string, priority: Priority = 'normal') => {
    if (reconcilers.has(shardOf(key, shardCount))) queue.add(key, priority);
  };
  const unsubscribe = cluster.subscribe((kind, event, obj, old) => {
    if (kind !== 'nodes') {
      const key = jobKeyOf(kind, obj);
      if (key) add(key);
      // A child's change concerns its parent too: prohibit_overlap, garbage collection.
      const parent = kind === 'jobs' ? (obj as NomadJob).metadata.labels?.[childLabels.parent] : undefined;
      if (parent) add(`${(obj as NomadJob).metadata.namespace}/${parent}`);
      return;
    }
    if (nodeEventAffectsPerNodeJobs(event, obj as V1Node, old as V1Node | undefined)) {
      for (const job of caches.jobs.values()) if (job.spec?.type === 'system' || job.spec?.type === 'sysbatch') add(objectKey(job));
    }
    if (!nodeEventAffectsAllocations(event, obj as V1Node, old as V1Node | undefined)) return;
    const node = (obj as V1Node).metadata?.name;
    for (const pod of node === undefined ? [] : caches.pods.byIndex(cacheIndexes.byNode, node)) {
      const key = jobKeyOf('pods', pod);
      if (key) add(key);
    }
  });
  const takeShard = (shard: number) => {
    if (reconcilers.has(shard)) return;
    reconcilers.set(shard, newReconciler());
    for (const kind of ['jobs', 'deployments', 'pods'] as const) {
      for (const obj of caches[kind].values()) {
        const key = jobKeyOf(kind, obj);
        if (key && shardOf(key, shardCount) === shard) add(key, 'low');
      }
    }
  };
  const handBackShard = async (shard: number) => {
    if (!reconcilers.delete(shard)) return;
    await queue.drop((key) => shardOf(key, shardCount) === shard);
  };
  if (opts.shards === undefined) takeShard(0);
  // The rollout gauges cover the jobs this replica reconciles, so that summing over replicas
  // counts each deployment once.
  const ownedDeployments = function* () {
    for (const d of caches.deployments.values()) if (reconcilers.has(shardOf(`${d.metadata.namespace}/${d.spec.job}`, shardCount))) yield d;
  };
  metrics?.observe({ queueDepth: () => queue.depth, deployments: ownedDeployments, maxConcurrentReconciles: concurrency });
  queue.start(async (key) => {
    const reconciler = reconcilers.get(shardOf(key, shardCount));
    if (!reconciler) return undefined; // its shard was handed back while it waited
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await reconciler.reconcile(key);
      metrics?.reconciled(result?.requeueAfterMs !== undefined ? 'requeue_after' : 'success', seconds());
      return result;
    } catch (error) {
      metrics?.reconciled('error', seconds());
      // A version number another spec already holds is not cured by retrying (controller-runtime's TerminalError).
      throw error instanceof VersionConflict ? new TerminalError(error.message, { cause: error }) : error;
    }
  });
  logger.info({ jobs: caches.jobs.size, pods: caches.pods.size }, 'controller started: caches synced');
  return {
    queue,
    ownedShards: () => [...reconcilers.keys()].sort((a, b) => a - b),
    takeShard,
    handBackShard,
    async stop() {
      unsubscribe();
      await queue.shutdown();
      await writer.close();
      if (!shared) cluster.stop();
    },
  };
}
