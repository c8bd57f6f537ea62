/**
 * What a reconcile wrote and the caches have not shown yet (Kubernetes' ReplicaSet controller
 * calls these expectations). Planning on caches older than one's own writes would repeat them:
 * health counted twice, a deployment created twice. Until they are met, or `timeoutMs` passes,
 * the job's key waits.
 */
/** The objects a reconcile writes and then waits to see in its caches. */
export type ExpectedKind = 'pod' | 'deployment' | 'job' | 'revision';

export interface ObservedVersions {
  /** The resourceVersion the cache holds for an object, or undefined when it has none. */
  resourceVersionOf(kind: ExpectedKind, name: string): string | undefined;
}

/** An object written, as the caches name it. */
interface Written {
  readonly kind: ExpectedKind;
  readonly name: string;
}

interface Pending {
  readonly since: number;
  /** By kind/name: the resourceVersion the cache must reach. */
  readonly present: Map<string, Written & { readonly resourceVersion: string }>;
  /** By kind/name: deleted, so the cache must drop it. */
  readonly absent: Map<string, Written>;
}

const key = (kind: string, name: string) => `${kind}/${name}`;

export class Expectations {
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;

  constructor(timeoutMs = 30_000) {
    this.timeoutMs = timeoutMs;
  }

  /** After a create or update: the cache must hold this resourceVersion (or newer). */
  expectVersion(jobKey: string, kind: ExpectedKind, name: string, resourceVersion: string, now: number): void {
    this.entry(jobKey, now).present.set(key(kind, name), { kind, name, resourceVersion });
  }

  /** After a delete: the cache must no longer hold the object. */
  expectGone(jobKey: string, kind: ExpectedKind, name: string, now: number): void {
    this.entry(jobKey, now).absent.set(key(kind, name), { kind, name });
  }

  /** Whether anything written for the job is still to show in the caches (nothing is forgotten). */
  awaiting(jobKey: string): boolean {
    return this.pending.has(jobKey);
  }

  /** Whether the caches show everything written for the job (forgets what they show). */
  satisfied(jobKey: string, caches: ObservedVersions, now: number): boolean {
    const p = this.pending.get(jobKey);
    if (!p) return true;
    if (now - p.since > this.timeoutMs) {
      this.pending.delete(jobKey);
      return true;
    }
    for (const [k, w] of p.present) {
      const seen = caches.resourceVersionOf(w.kind, w.name);
      if (seen !== undefined && BigInt(seen) >= BigInt(w.resourceVersion)) p.present.delete(k);
    }
    for (const [k, w] of p.absent) if (caches.resourceVersionOf(w.kind, w.name) === undefined) p.absent.delete(k);
    if (p.present.size === 0 && p.absent.size === 0) {
      this.pending.delete(jobKey);
      return true;
    }
    return false;
  }

  private entry(jobKey: string, now: number): Pending {
    let p = this.pending.get(jobKey);
    if (!p) {
      p = { since: now, present: new Map(), absent: new Map() };
      this.pending.set(jobKey, p);
    }
    return p;
  }
}
