import { ApiException, Watch, type KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorCode } from './api-error.ts';

/** The part of every Kubernetes object an informer needs. */
export interface ObjectWithMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; managedFields?: unknown };
}

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends ObjectWithMeta> {
  readonly kc: KubeConfig;
  /** Collection path, e.g. /api/v1/pods or /apis/caravan.dev/v1alpha1/nomadjobs. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly pageSize?: number;
  /** Keeps only what is needed of each object; managedFields are always dropped. */
  readonly transform?: (obj: T) => T;
  /** `key`: the object's cache key, the very string the cache and its indexes hold (listeners that keep it share it). */
  readonly onEvent: (event: InformerEvent, obj: T, old: T | undefined, key: string) => void;
  readonly onError?: (error: unknown, retryInMs: number) => void;
  /** After a relist that a 410 Gone forced (the watch fell too far behind): how many objects, how long the cache stood still. */
  readonly onRelist?: (objects: number, ms: number) => void;
  /**
   * Secondary indexes, as client-go's Indexers: each names a function from an object to the
   * value it is filed under (undefined: not filed). `byIndex(name, value)` then answers without
   * scanning the cache.
   */
  readonly indexes?: Readonly<Record<string, (obj: T) => string | undefined>>;
}

export function objectKey(obj: ObjectWithMeta): string {
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata?.name ?? '');
}

/**
 * A cache of one kind of object, kept up to date with a watch, healing itself:
 * - LIST is paginated and kept as plain JSON (client-node's informer does neither);
 * - the watch asks for bookmarks and resumes from the last resourceVersion it saw;
 * - 410 Gone relists, diffing the new list against the cache (deletes included);
 * - any other error reconnects after a backoff (1 s doubling to 30 s), where client-node's
 *   informer would stop for good (ecosystem.md §6).
 */
/** What readers of a cache use: lookups by key, by index, and all of it. Informer is one; a test may hand in another. */
export interface CacheReader<T> {
  get(key: string): T | undefined;
  byIndex(name: string, value: string): T[];
  values(): IterableIterator<T>;
  /** Each cached object with its key, the string instance the cache holds. */
  entries(): IterableIterator<[string, T]>;
  readonly size: number;
}

export class Informer<T extends ObjectWithMeta> implements CacheReader<T> {
  private readonly cache = new Map<string, T>();
  /** index name → value → keys filed under it. */
  private readonly indexed = new Map<string, Map<string, Set<string>>>();
  private resourceVersion = '';
  private stopped = false;
  private abort: AbortController | undefined;
  private syncedResolve!: () => void;
  private readonly syncedPromise = new Promise<void>((resolve) => (this.syncedResolve = resolve));
  private hasSynced = false;
  private readonly opts: InformerOptions<T>;

  constructor(opts: InformerOptions<T>) {
    this.opts = opts;
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** The cached objects filed under `value` in index `name` (see InformerOptions.indexes). */
  byIndex(name: string, value: string): T[] {
    if (!this.opts.indexes?.[name]) throw new Error(`informer for ${this.opts.path} has no index ${JSON.stringify(name)}`);
    const keys = this.indexed.get(name)?.get(value);
    return keys ? [...keys].map((k) => this.cache.get(k)!) : [];
  }

  private put(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    for (const [name, of] of Object.entries(this.opts.indexes ?? {})) {
      const before = old && of(old);
      const value = of(obj);
      // An update filed under the same value keeps its place, so byIndex lists in the cache's order.
      if (old && before === value) continue;
      if (before !== undefined) this.unfile(name, before, key);
      if (value === undefined) continue;
      const values = this.indexed.get(name) ?? new Map<string, Set<string>>();
      this.indexed.set(name, values);
      const keys = values.get(value) ?? new Set<string>();
      values.set(value, keys);
      keys.add(key);
    }
  }

  private remove(key: string): void {
    const old = this.cache.get(key);
    for (const [name, of] of Object.entries(this.opts.indexes ?? {})) {
      const value = old && of(old);
      if (value !== undefined) this.unfile(name, value, key);
    }
    this.cache.delete(key);
  }

  private unfile(name: string, value: string, key: string): void {
    const keys = this.indexed.get(name)?.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.indexed.get(name)!.delete(value);
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

  /** Starts listing and watching; resolves once the first LIST is in the cache. */
  start(): Promise<void> {
    void this.run();
    return this.syncedPromise;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private clean(obj: T): T {
    const { managedFields: _, ...metadata } = obj.metadata ?? {};
    const stripped = { ...obj, metadata } as T;
    return this.opts.transform ? this.opts.transform(stripped) : stripped;
  }

  private async run(): Promise<void> {
    let backoff = 1000;
    let gone = false;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === '') {
          const started = Date.now();
          await this.relist();
          if (gone) this.opts.onRelist?.(this.cache.size, Date.now() - started);
          gone = false;
        }
        await this.watch();
        backoff = 1000;
      } catch (error) {
        if (this.stopped) return;
        if (apiErrorCode(error) === 410) {
          this.resourceVersion = '';
          gone = true;
          continue;
        }
        this.opts.onError?.(error, backoff);
        await sleep(backoff);
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  }

  /**
   * Lists every object, page by page, applying each page as it comes: after a 410 the list is
   * newer than anything cached (the watch fell behind it), so the cache moves forward page by
   * page instead of standing still until the last one (at 100k Pods on a loaded API server, over a
   * minute). What the list no longer holds is deleted at its end.
   */
  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let continueToken: string | undefined;
    let listVersion = '';
    do {
      const query = new URLSearchParams({ limit: String(this.opts.pageSize ?? 500) });
      if (continueToken) query.set('continue', continueToken);
      if (this.opts.labelSelector) query.set('labelSelector', this.opts.labelSelector);
      const page = (await this.getJson(`${this.opts.path}?${query}`)) as { items: T[]; metadata: { resourceVersion: string; continue?: string } };
      for (const item of page.items) this.applyListed(this.clean(item), seen);
      continueToken = page.metadata.continue || undefined;
      listVersion = page.metadata.resourceVersion;
    } while (continueToken && !this.stopped);
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.remove(key);
        this.opts.onEvent('delete', old, old, key);
      }
    }
    this.resourceVersion = listVersion;
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  private applyListed(obj: T, seen: Set<string>): void {
    const key = objectKey(obj);
    seen.add(key);
    const old = this.cache.get(key);
    if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.put(key, obj);
    this.opts.onEvent(old ? 'update' : 'add', obj, old, key);
  }

  /** One watch connection, until the server or the client ends it. */
  private watch(): Promise<void> {
    return new Promise((resolve, reject) => {
      let gone = false;
      const query: Record<string, string | boolean> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: '300' };
      if (this.opts.labelSelector) query['labelSelector'] = this.opts.labelSelector;
      new Watch(this.opts.kc)
        .watch(
          this.opts.path,
          query,
          (type: string, raw: T & { code?: number }) => {
            if (type === 'ERROR') {
              if (raw.code === 410) gone = true;
              return;
            }
            if (type === 'BOOKMARK') {
              if (raw.metadata?.resourceVersion) this.resourceVersion = raw.metadata.resourceVersion;
              return;
            }
            const obj = this.clean(raw);
            const key = objectKey(obj);
            const old = this.cache.get(key);
            if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
            if (type === 'DELETED') {
              this.remove(key);
              this.opts.onEvent('delete', obj, old, key);
            } else {
              this.put(key, obj);
              this.opts.onEvent(old ? 'update' : 'add', obj, old, key);
            }
          },
          (error: unknown) => {
            if (gone) reject(new ApiException(410, 'resourceVersion too old', undefined, {}));
            else if (!error || this.stopped || (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') resolve();
            else reject(watchError(error));
          },
        )
        .then(
          (controller) => (this.abort = controller),
          (error: unknown) => reject(error),
        );
    });
  }

  private async getJson(path: string): Promise<unknown> {
    const options: https.RequestOptions = { headers: { Accept: 'application/json' } };
    await this.opts.kc.applyToHTTPSOptions(options);
    const url = new URL(path, this.opts.kc.getCurrentCluster()!.server);
    return new Promise((resolve, reject) => {
      https
        .get(url, options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            // The same error client-node's typed clients raise, so it is logged the same way.
            if (res.statusCode === 200) resolve(JSON.parse(body));
            else reject(new ApiException(res.statusCode ?? 0, `GET ${path}`, body, {}));
          });
          res.on('error', reject);
        })
        .on('error', reject);
    });
  }
}

/** client-node's Watch fails a non-200 answer with Error(statusText) and a statusCode: give it the typed clients' shape. */
function watchError(error: unknown): unknown {
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  return typeof statusCode === 'number' ? new ApiException(statusCode, (error as Error).message, undefined, {}) : error;
}
