import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import { Informer, objectKey } from '../kube/informer.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { labels } from '../model/labels.ts';
import type { NomadDeploymentObject } from './deployment-object.ts';
import { JobReconciler, type Caches } from './reconciler.ts';
import { WorkQueue } from './work-queue.ts';

export interface RunningController {
  readonly queue: WorkQueue;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  readonly concurrency?: number;
  readonly logger?: Logger;
  readonly metrics?: ControllerMetrics;
}

/**
 * Watches NomadJobs, their NomadDeployments, Caravan's Pods and Nodes, and reconciles each job
 * through the keyed queue: every change becomes its job's key. Objects seen in the first LIST go
 * in at low priority, so live changes overtake the startup flood.
 */
export async function runController(kc: KubeConfig, opts: ControllerOptions = {}): Promise<RunningController> {
  const logger = opts.logger ?? silentLogger;
  const { metrics } = opts;
  const queue = new WorkQueue({
    concurrency: opts.concurrency ?? 4,
    onError: (key, error, retryIn) => {
      const [namespace, job] = key.split('/');
      logger.warn({ namespace, job, retryInMs: retryIn, err: error }, 'reconcile failed; retrying');
    },
    ...(metrics ? { observer: metrics.queueObserver } : {}),
  });
  let started = false;
  const enqueue = (key: string | undefined) => key && queue.add(key, started ? 'normal' : 'low');
  const onInformerError = (what: string) => (error: unknown, retryIn: number) => logger.warn({ resource: what, retryInMs: retryIn, err: error }, `${what} watch failed; reconnecting`);

  const caches: Caches = {
    jobs: new Informer({ kc, path: '/apis/caravan.dev/v1alpha1/nomadjobs', onEvent: (_e, job) => enqueue(objectKey(job)), onError: onInformerError('NomadJob') }),
    deployments: new Informer<NomadDeploymentObject>({
      kc,
      path: '/apis/caravan.dev/v1alpha1/nomaddeployments',
      onEvent: (_e, d) => enqueue(`${d.metadata.namespace}/${d.spec.job}`),
      onError: onInformerError('NomadDeployment'),
    }),
    pods: new Informer<V1Pod>({
      kc,
      path: '/api/v1/pods',
      labelSelector: `${labels.managedBy}=caravan`,
      onEvent: (_e, pod) => enqueue(pod.metadata?.labels?.[labels.job] ? `${pod.metadata.namespace}/${pod.metadata.labels[labels.job]}` : undefined),
      onError: onInformerError('Pod'),
    }),
    nodes: new Informer<V1Node>({
      kc,
      path: '/api/v1/nodes',
      // Only readiness matters here: a node going away or NotReady loses its allocations.
      transform: (node) => ({ metadata: node.metadata!, status: { conditions: node.status?.conditions?.filter((c) => c.type === 'Ready') ?? [] } }) as V1Node,
      onEvent: (event, node, old) => {
        const ready = (n: V1Node | undefined) => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (event === 'add' || ready(node) === ready(old)) return;
        for (const pod of caches.pods.values()) if (pod.spec?.nodeName === node.metadata?.name) enqueue(`${pod.metadata?.namespace}/${pod.metadata?.labels?.[labels.job]}`);
      },
      onError: onInformerError('Node'),
    }),
  };
  await Promise.all([caches.jobs.start(), caches.deployments.start(), caches.pods.start(), caches.nodes.start()]);
  started = true;
  const reconciler = new JobReconciler(kc, caches, { logger, ...(metrics ? { metrics } : {}) });
  metrics?.observe({ queueDepth: () => queue.depth, deployments: () => caches.deployments.values() });
  queue.start(async (key) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await reconciler.reconcile(key);
      metrics?.reconciled(result?.requeueAfterMs !== undefined ? 'requeue_after' : 'success', seconds());
      return result;
    } catch (error) {
      metrics?.reconciled('error', seconds());
      throw error;
    }
  });
  logger.info({ jobs: caches.jobs.size, pods: caches.pods.size }, 'controller started: caches synced');
  return {
    queue,
    async stop() {
      await queue.shutdown();
      for (const informer of Object.values(caches)) informer.stop();
    },
  };
}
