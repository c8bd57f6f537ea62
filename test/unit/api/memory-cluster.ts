/**
 * ClusterCaches held in memory, for tests and bench/api-lists.ts: the same kinds, keys and
 * indexes as src/kube/cluster-caches.ts, and the same events (a change is in the cache before
 * its listeners hear of it), but filled by the caller instead of by watches.
 */
import type { V1ControllerRevision, V1Node, V1Pod } from '@kubernetes/client-node';
import { cacheIndexes, type CacheKind, type CacheListener, type ClusterCaches } from '../../../src/kube/cluster-caches.ts';
import { objectKey, type CacheReader, type Informer, type InformerEvent, type ObjectWithMeta } from '../../../src/kube/informer.ts';
import { labels } from '../../../src/resources/labels.ts';
import type { NomadDeployment } from '../../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';

type IndexFunctions<T> = Readonly<Record<string, (obj: T) => string | undefined>>;

/** One kind's cache: a map by `namespace/name` with client-go style secondary indexes (keys kept in insertion order, as Informer does). */
export class MemoryCache<T extends ObjectWithMeta> implements CacheReader<T> {
  private readonly cache = new Map<string, T>();
  private readonly indexed = new Map<string, Map<string, Set<string>>>();
  private readonly indexes: IndexFunctions<T>;

  constructor(indexes: IndexFunctions<T> = {}) {
    this.indexes = indexes;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  byIndex(name: string, value: string): T[] {
    if (!this.indexes[name]) throw new Error(`memory cache has no index ${JSON.stringify(name)}`);
    const keys = this.indexed.get(name)?.get(value);
    return keys ? [...keys].map((k) => this.cache.get(k)!) : [];
  }

  values(): IterableIterator<T> {
    return this.cache.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.cache.entries();
  }

  get size(): number {
    return this.cache.size;
  }

  /** Stores the object; returns the copy it replaced. */
  put(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    for (const [name, of] of Object.entries(this.indexes)) {
      const before = old && of(old);
      const value = of(obj);
      if (old && before === value) continue;
      if (before !== undefined) this.unfile(name, before, key);
      if (value === undefined) continue;
      const values = this.indexed.get(name) ?? new Map<string, Set<string>>();
      this.indexed.set(name, values);
      const keys = values.get(value) ?? new Set<string>();
      values.set(value, keys);
      keys.add(key);
    }
    return old;
  }

  /** Removes the object under `key`; returns it. */
  remove(key: string): T | undefined {
    const old = this.cache.get(key);
    if (!old) return undefined;
    for (const [name, of] of Object.entries(this.indexes)) {
      const value = of(old);
      if (value !== undefined) this.unfile(name, value, key);
    }
    this.cache.delete(key);
    return old;
  }

  private unfile(name: string, value: string, key: string): void {
    const keys = this.indexed.get(name)?.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.indexed.get(name)!.delete(value);
  }
}

const jobOfLabels = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => {
  const job = o.metadata?.labels?.[labels.job];
  return job === undefined ? undefined : `${o.metadata?.namespace}/${job}`;
};

/** The caches of createClusterCaches, in memory. `apply` and `delete` change them and tell the listeners. */
export class MemoryCluster implements ClusterCaches {
  readonly jobs = new MemoryCache<NomadJob>();
  readonly deployments = new MemoryCache<NomadDeployment>({ [cacheIndexes.byJob]: (d) => `${d.metadata.namespace}/${d.spec.job}` });
  readonly pods = new MemoryCache<V1Pod>({ [cacheIndexes.byJob]: jobOfLabels, [cacheIndexes.byNode]: (p) => p.spec?.nodeName });
  readonly nodes = new MemoryCache<V1Node>();
  readonly revisionCache = new MemoryCache<V1ControllerRevision>({ [cacheIndexes.byJob]: jobOfLabels });
  readonly caches = { jobs: this.jobs, deployments: this.deployments, pods: this.pods, nodes: this.nodes, revisions: this.revisionCache };
  // The API reads revisions through CacheReader's methods only.
  readonly revisions = this.revisionCache as unknown as Informer<V1ControllerRevision>;
  readonly synced = true;
  private readonly listeners = new Set<CacheListener>();

  async start(): Promise<void> {}
  stop(): void {}

  subscribe(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private cacheOf(kind: CacheKind): MemoryCache<ObjectWithMeta> {
    return this.caches[kind] as MemoryCache<ObjectWithMeta>;
  }

  /** Adds or replaces an object, as a watch event would. */
  apply<T extends ObjectWithMeta>(kind: CacheKind, obj: T): T {
    const old = this.cacheOf(kind).put(obj);
    this.tell(kind, old ? 'update' : 'add', obj, old);
    return obj;
  }

  delete(kind: CacheKind, obj: ObjectWithMeta): void {
    const old = this.cacheOf(kind).remove(objectKey(obj));
    if (old) this.tell(kind, 'delete', obj, old);
  }

  private tell(kind: CacheKind, event: InformerEvent, obj: ObjectWithMeta, old: unknown): void {
    const key = objectKey(obj);
    for (const listener of this.listeners) listener(kind, event, obj, old, key);
  }
}
