import { compareTokenKeys, tokened, type Tokened } from './paginate.ts';

/** Token order; two objects with one token (which Nomad's tokens never have) by key. */
const byToken = (a: Tokened<string>, b: Tokened<string>) => compareTokenKeys(a.key, b.key) || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0);

/**
 * Cache keys in pagination-token order, kept as objects come and go (an object's token never
 * changes: its namespace and name, or its CreateIndex and UID). Changes are queued and applied
 * when the order is next read: a few by binary insertion, many by sorting once.
 */
export class OrderedKeys {
  private ordered: Tokened<string>[] = [];
  private readonly current = new Map<string, Tokened<string>>();
  private readonly pending = new Map<string, Tokened<string> | null>();

  set(key: string, token: string): void {
    this.place(tokened(key, token));
  }

  /** set, with the token already parsed (one entry can be in several orders); false when the key already had that token. */
  place(entry: Tokened<string>): boolean {
    const was = this.pending.has(entry.item) ? this.pending.get(entry.item) : this.current.get(entry.item);
    if (was && compareTokenKeys(was.key, entry.key) === 0) return false;
    this.pending.set(entry.item, entry);
    return true;
  }

  /** The key's entry, if it is in the order. */
  entry(key: string): Tokened<string> | undefined {
    return this.pending.has(key) ? (this.pending.get(key) ?? undefined) : this.current.get(key);
  }

  delete(key: string): void {
    if (this.pending.get(key) === null || (!this.pending.has(key) && !this.current.has(key))) return;
    this.pending.set(key, null);
  }

  get size(): number {
    this.settle();
    return this.ordered.length;
  }

  /** The keys in ascending token order. */
  keys(): readonly Tokened<string>[] {
    this.settle();
    return this.ordered;
  }

  private settle(): void {
    if (this.pending.size === 0) return;
    if (this.pending.size > 64 && this.pending.size * 8 > this.ordered.length) this.rebuild();
    else for (const [key, entry] of this.pending) this.apply(key, entry);
    this.pending.clear();
  }

  private rebuild(): void {
    for (const [key, entry] of this.pending) {
      if (entry) this.current.set(key, entry);
      else this.current.delete(key);
    }
    this.ordered = [...this.current.values()].sort(byToken);
  }

  private apply(key: string, entry: Tokened<string> | null): void {
    const old = this.current.get(key);
    if (old) this.ordered.splice(this.position(old), 1);
    if (entry) {
      this.ordered.splice(this.position(entry), 0, entry);
      this.current.set(key, entry);
    } else this.current.delete(key);
  }

  /** Where `entry` is, or would go, in the order. */
  private position(entry: Tokened<string>): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byToken(this.ordered[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
