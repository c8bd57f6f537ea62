import type { KubeConfig, V1ControllerRevision, V1Node, V1Pod } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log/logger.ts';
import { collectionPath, nomadDeploymentResource, nomadJobResource } from '../resources/api-version.ts';
import { childLabels } from '../resources/child-job.ts';
import { caravanPodSelector, labels } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { cachedPod } from '../resources/allocation-pod.ts';
import { cachedJob, type NomadJob } from '../resources/nomad-job.ts';
import { nodeFacts } from '../resources/node.ts';
import { Informer, type CacheReader, type InformerEvent } from './informer.ts';
import { internStrings, OwnerReferenceTable, StringTable } from './interned.ts';

/**
 * What a reconcile reads: the caches of NomadJobs, NomadDeployments, Caravan's Pods, Nodes and job
 * versions (ControllerRevisions labelled caravan.dev/job). A reconcile reads nothing else from the
 * API server; its own writes it waits to see in them (src/controller/expectations.ts).
 */
export interface Caches {
  readonly jobs: CacheReader<NomadJob>;
  readonly deployments: CacheReader<NomadDeployment>;
  readonly pods: CacheReader<V1Pod>;
  readonly nodes: CacheReader<V1Node>;
  readonly revisions: CacheReader<V1ControllerRevision>;
}

export type CacheKind = keyof Caches;

/**
 * The caches' indexes: a job's Pods, deployments and versions by `namespace/job`, the Pods on a
 * node by node name, and a periodic or parameterized parent's children by `namespace/parent`, so
 * no reconcile or API read scans every cached object.
 */
export const cacheIndexes = { byJob: 'job', byNode: 'node', byParent: 'parent' } as const;
const jobOfLabels = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => {
  const job = o.metadata?.labels?.[labels.job];
  return job === undefined ? undefined : `${o.metadata?.namespace}/${job}`;
};

/** A child job's parent as `namespace/parent`, from its caravan.dev/parent-job label. */
export const parentOfLabels = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => {
  const parent = o.metadata?.labels?.[childLabels.parent];
  return parent === undefined ? undefined : `${o.metadata?.namespace}/${parent}`;
};

/** Told of every change any cache sees: the controller enqueues, the HTTP API wakes blocked queries. */
/** `key`: the object's cache key, the string instance its informer holds. */
export type CacheListener = (kind: CacheKind, event: InformerEvent, obj: { metadata?: { resourceVersion?: string } }, old: unknown, key: string) => void;

export interface ClusterCaches {
  readonly caches: Caches;
  /** Job versions: the same cache as `caches.revisions`. */
  readonly revisions: Informer<V1ControllerRevision>;
  /** Lists every kind and resolves once all of them are synced. */
  start(): Promise<void>;
  stop(): void;
  readonly synced: boolean;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: CacheListener): () => void;
}

/**
 * The informers for what Caravan reads: NomadJobs, NomadDeployments, Caravan's Pods and Nodes.
 * They run on every replica, leader or not, as controller-runtime's caches do: a standby serves
 * the HTTP API from them and takes over leadership with warm caches.
 */
export function createClusterCaches(kc: KubeConfig, opts: { logger?: Logger } = {}): ClusterCaches {
  const logger = opts.logger ?? silentLogger;
  const listeners = new Set<CacheListener>();
  const tell = (kind: CacheKind) => (event: InformerEvent, obj: { metadata?: { resourceVersion?: string } }, old: unknown, key: string) => {
    for (const listener of listeners) listener(kind, event, obj, old, key);
  };
  /** An informer's troubles, logged under the resource's name. */
  const logged = (what: string) => ({
    onError: (error: unknown, retryIn: number) => logger.warn({ resource: what, retryInMs: retryIn, err: error }, `${what} watch failed; reconnecting`),
    onRelist: (objects: number, ms: number) => logger.warn({ resource: what, objects, ms }, `${what} watch fell too far behind (410 Gone): relisted`),
  });
  // One table for every cache: a job's name, UID and namespace repeat across its Pods, deployments and versions.
  const strings = new StringTable();
  const owners = new OwnerReferenceTable();
  const interned =
    <T extends object>(transform: (obj: T) => T = (obj) => obj) =>
    (obj: T) =>
      internStrings(transform(obj), strings, owners);
  const informers = {
    jobs: new Informer<NomadJob>({
      kc,
      path: collectionPath(nomadJobResource),
      transform: interned(cachedJob),
      indexes: { [cacheIndexes.byParent]: parentOfLabels },
      onEvent: tell('jobs'),
      ...logged('NomadJob'),
    }),
    deployments: new Informer<NomadDeployment>({
      kc,
      path: collectionPath(nomadDeploymentResource),
      transform: interned<NomadDeployment>(),
      indexes: { [cacheIndexes.byJob]: (d) => `${d.metadata.namespace}/${d.spec.job}` },
      onEvent: tell('deployments'),
      ...logged('NomadDeployment'),
    }),
    pods: new Informer<V1Pod>({
      kc,
      path: '/api/v1/pods',
      labelSelector: caravanPodSelector(),
      transform: interned(cachedPod),
      indexes: { [cacheIndexes.byJob]: jobOfLabels, [cacheIndexes.byNode]: (p) => p.spec?.nodeName },
      onEvent: tell('pods'),
      ...logged('Pod'),
    }),
    nodes: new Informer<V1Node>({
      kc,
      path: '/api/v1/nodes',
      transform: nodeFacts,
      onEvent: tell('nodes'),
      ...logged('Node'),
    }),
    revisions: new Informer<V1ControllerRevision>({
      kc,
      path: '/apis/apps/v1/controllerrevisions',
      transform: interned<V1ControllerRevision>(),
      labelSelector: labels.job,
      indexes: { [cacheIndexes.byJob]: jobOfLabels },
      onEvent: tell('revisions'),
      ...logged('ControllerRevision'),
    }),
  };
  let synced = false;
  const caches: Caches = informers;
  return {
    caches,
    revisions: informers.revisions,
    async start() {
      await Promise.all(Object.values(informers).map((i) => i.start()));
      synced = true;
    },
    stop() {
      for (const informer of Object.values(informers)) informer.stop();
    },
    get synced() {
      return synced;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
