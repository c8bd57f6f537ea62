/** One shared copy per key, bounded: past `limit` entries it starts over (objects keep the copies they got). */
class SharedCopies<T> {
  private readonly copies = new Map<string, T>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  share(key: string, value: T): T {
    const found = this.copies.get(key);
    if (found !== undefined) return found;
    if (this.copies.size >= this.limit) this.copies.clear();
    this.copies.set(key, value);
    return value;
  }

  has(key: string): boolean {
    return this.copies.has(key);
  }

  get size(): number {
    return this.copies.size;
  }
}

/**
 * One copy of each repeated string in the caches. JSON.parse makes a new string for every value,
 * so 100,000 cached Pods held 100,000 copies of their namespace, of "Running" and "True", of
 * their job's name and owner UID, their node's name and the second they started in. Interned
 * through one table, a cached Pod takes a third less heap (bench/scale.ts prints the bytes per
 * cached object).
 *
 * Values unique to one object (its name, UID, resourceVersion, Pod IP, container ID, allocation
 * name) are left as they are: interning them would only grow the table.
 */
export class StringTable {
  private readonly strings: SharedCopies<string>;

  constructor(limit = 200_000) {
    this.strings = new SharedCopies(limit);
  }

  intern(s: string): string {
    return this.strings.share(s, s);
  }

  has(s: string): boolean {
    return this.strings.has(s);
  }

  get size(): number {
    return this.strings.size;
  }
}

/** Properties whose values are unique to an object, wherever they appear in it. */
const uniqueAnywhere = new Set(['resourceVersion', 'podIP', 'containerID', 'caravan.dev/alloc-name']);
/** Properties unique to an object when they are its own metadata's (an owner's name and UID repeat). */
const uniqueInMetadata = new Set(['name', 'uid']);

/**
 * Replaces the object's repeated string values, in place, with the table's copies; the object
 * is an informer's own, freshly decoded. Owner references, the same for all of a job's Pods,
 * are shared as a whole (`owners`).
 */
export function internStrings<T extends object>(obj: T, table: StringTable, owners?: OwnerReferenceTable): T {
  walk(obj as Record<string, unknown>, '', table);
  const metadata = (obj as { metadata?: { ownerReferences?: unknown[] } }).metadata;
  if (owners && metadata?.ownerReferences) metadata.ownerReferences = owners.share(metadata.ownerReferences);
  return obj;
}

function walk(node: Record<string, unknown> | unknown[], parentKey: string, table: StringTable): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') node[i] = table.intern(v);
      else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, parentKey, table);
    }
    return;
  }
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (typeof v === 'string') {
      if (!uniqueAnywhere.has(key) && !(parentKey === 'metadata' && uniqueInMetadata.has(key))) node[key] = table.intern(v);
    } else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, key, table);
  }
}

/** Equal owner-reference lists, one shared copy (keyed by their JSON). */
export class OwnerReferenceTable {
  private readonly lists: SharedCopies<unknown[]>;

  constructor(limit = 100_000) {
    this.lists = new SharedCopies(limit);
  }

  share<T>(list: T[]): T[] {
    return this.lists.share(JSON.stringify(list), list) as T[];
  }
}
