import type { CacheKind, ClusterCaches } from '../kube/cluster-caches.ts';
import { indexOf } from './nomad/indexes.ts';

/** Nomad's state tables that Caravan's caches stand in for. */
export type Table = 'jobs' | 'deployments' | 'allocs' | 'nodes';

// A new job version changes the job (Nomad's job_version table is written with the job).
const tableOf: Record<CacheKind, Table> = { jobs: 'jobs', revisions: 'jobs', deployments: 'deployments', pods: 'allocs', nodes: 'nodes' };

/**
 * The last index of each table: the highest resourceVersion seen in it, deletions included, so
 * it only grows (a table's index never goes back when an object goes away, as in Nomad).
 * Blocking queries wait here for any change.
 */
export class TableIndexes {
  private readonly last = new Map<Table, number>();
  private waiters = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(cluster: ClusterCaches) {
    for (const [kind, table] of Object.entries(tableOf) as [CacheKind, Table][]) {
      let max = 0;
      const informer = kind === 'revisions' ? cluster.revisions : cluster.caches[kind];
      for (const obj of informer.values()) max = Math.max(max, indexOf(obj.metadata?.resourceVersion));
      this.last.set(table, max);
    }
    this.unsubscribe = cluster.subscribe((kind, _event, obj) => {
      const table = tableOf[kind];
      const index = indexOf(obj.metadata?.resourceVersion);
      if (index <= (this.last.get(table) ?? 0)) return;
      this.last.set(table, index);
      const waiters = this.waiters;
      this.waiters = new Set();
      for (const wake of waiters) wake();
    });
  }

  get(...tables: Table[]): number {
    return Math.max(1, ...tables.map((t) => this.last.get(t) ?? 0));
  }

  /** Resolves at the next change to any table, or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.add(done);
    });
  }

  close(): void {
    this.unsubscribe();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}

/**
 * Nomad's blocking query: answer at once when no index is given; otherwise re-run `read` after
 * each change until its index passes the one the client has, or the wait (plus a jitter of up
 * to wait/16, as Nomad adds) runs out; then answer with what there is.
 */
export async function blockingRead<T>(
  indexes: TableIndexes,
  opts: { index: number; waitMs: number },
  read: () => { index: number; value: T },
  signal?: AbortSignal,
): Promise<{ index: number; value: T }> {
  let result = read();
  if (opts.index === 0) return result;
  const deadline = Date.now() + opts.waitMs + Math.random() * (opts.waitMs / 16);
  while (result.index <= opts.index && Date.now() < deadline && !signal?.aborted) {
    await indexes.changed(deadline - Date.now());
    result = read();
  }
  return result;
}

/** blockingRead, answered as a route answers: the result as the body, its index for X-Nomad-Index. */
export async function blockingAnswer<T>(
  indexes: TableIndexes,
  req: { readonly options: { index: number; waitMs: number }; readonly signal?: AbortSignal },
  read: () => { index: number; value: T },
): Promise<{ index: number; body: T }> {
  const { index, value } = await blockingRead(indexes, req.options, read, req.signal);
  return { index, body: value };
}
