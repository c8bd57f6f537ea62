import type { CacheReader, InformerEvent, ObjectWithMeta } from '../kube/informer.ts';

/**
 * A secondary index over one cache, kept by the API from the caches' events (the informers' own
 * indexes are configured in kube/cluster-caches.ts): each object is filed under the value `of`
 * gives it (undefined: not filed), and `get` answers the objects filed under a value without a
 * scan. Keys are kept in the order objects arrived, as the informer keeps them.
 */
export class EventIndex<T extends ObjectWithMeta> {
  /** value → the key filed under it, or the keys when there are several (most values, UIDs and names, have one). */
  private readonly filed = new Map<string, string | Set<string>>();
  private readonly cache: CacheReader<T>;
  private readonly of: (obj: T) => string | undefined;

  /** Files what the cache holds under the cache's own key strings (indexes of one cache hold each once). */
  constructor(cache: CacheReader<T>, of: (obj: T) => string | undefined) {
    this.cache = cache;
    this.of = of;
    for (const [key, obj] of cache.entries()) this.file(this.of(obj), key);
  }

  /** Follows one event of the cache (the cache already holds the change); `key` is the one the cache's event carries. */
  observe(event: InformerEvent, obj: T, old: T | undefined, key: string): void {
    const before = old && this.of(old);
    const after = event === 'delete' ? undefined : this.of(obj);
    if (event !== 'add' && before === after) return;
    if (before !== undefined) this.unfile(before, key);
    if (event === 'delete' && old === undefined) {
      const value = this.of(obj);
      if (value !== undefined) this.unfile(value, key);
    }
    this.file(after, key);
  }

  /** The cached objects filed under `value`, as the cache holds them now. */
  get(value: string): T[] {
    const out: T[] = [];
    for (const key of this.keysOf(value)) {
      const obj = this.cache.get(key);
      // A key the cache holds under another value now (an event not seen yet) is not listed.
      if (obj && this.of(obj) === value) out.push(obj);
    }
    return out;
  }

  /** How many keys are filed under `value` (some may be on their way to another value). */
  count(value: string): number {
    const keys = this.filed.get(value);
    return keys === undefined ? 0 : typeof keys === 'string' ? 1 : keys.size;
  }

  /** The one object filed under `value` (a UID). */
  only(value: string): T | undefined {
    for (const key of this.keysOf(value)) {
      const obj = this.cache.get(key);
      if (obj && this.of(obj) === value) return obj;
    }
    return undefined;
  }

  /** The values that have objects filed under them. */
  values(): IterableIterator<string> {
    return this.filed.keys();
  }

  private keysOf(value: string): Iterable<string> {
    const keys = this.filed.get(value);
    return keys === undefined ? [] : typeof keys === 'string' ? [keys] : keys;
  }

  private file(value: string | undefined, key: string): void {
    if (value === undefined) return;
    const keys = this.filed.get(value);
    if (keys === undefined || keys === key) this.filed.set(value, key);
    else if (typeof keys === 'string') this.filed.set(value, new Set([keys, key]));
    else keys.add(key);
  }

  private unfile(value: string, key: string): void {
    const keys = this.filed.get(value);
    if (keys === key) this.filed.delete(value);
    else if (typeof keys === 'object') {
      keys.delete(key);
      if (keys.size === 1) this.filed.set(value, keys.values().next().value!);
    }
  }
}
