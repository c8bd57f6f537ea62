/**
 * A keyed work queue with controller-runtime's semantics:
 * - a key is queued once however often it is added (a higher priority wins);
 * - a key is never handed to two workers at once; added while it runs, it runs once more after;
 * - a handler's failure requeues the key with per-key exponential backoff, success forgets it;
 * - a handler may ask to look again after a delay (the planner's next timer);
 * - the startup flood goes in at low priority, so live changes overtake it;
 * - a set of keys can be dropped, waiting for its running ones (a shard handed back, issue 15 §5).
 * p-queue limits concurrency but has no keys, delays or backoff, so this is our own.
 */
export type Priority = 'normal' | 'low';

export type HandlerResult = { readonly requeueAfterMs?: number } | undefined;

/**
 * An error that retrying cannot cure (controller-runtime's TerminalError): it is reported once and
 * the key is not requeued; the next change to the job queues it again.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** Hooks for metrics: every add that queues a key, every retry, and how long keys wait and run. */
export interface WorkQueueObserver {
  added(): void;
  retried(): void;
  started(waitedMs: number): void;
  finished(workedMs: number): void;
}

export interface WorkQueueOptions {
  readonly concurrency: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** `retryInMs` is undefined for a TerminalError: the key is not retried. */
  readonly onError?: (key: string, error: unknown, retryInMs: number | undefined) => void;
  readonly observer?: WorkQueueObserver;
}

export class WorkQueue {
  private readonly ready: Record<Priority, string[]> = { normal: [], low: [] };
  private readonly queued = new Map<string, Priority>();
  private readonly processing = new Set<string>();
  /** Added while processing: run again when done, at this priority. */
  private readonly dirty = new Map<string, Priority>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  /** When each queued key was queued, for the time-in-queue metric. */
  private readonly queuedAt = new Map<string, number>();
  private handler: ((key: string) => Promise<HandlerResult>) | undefined;
  private active = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  /** Keys being dropped: refused by add until none of them runs; resolved then. */
  private dropping: { readonly matches: (key: string) => boolean; readonly resolve: () => void }[] = [];
  private readonly options: Required<Omit<WorkQueueOptions, 'onError' | 'observer'>> & Pick<WorkQueueOptions, 'onError' | 'observer'>;

  constructor(options: WorkQueueOptions) {
    // controller-runtime's defaults: 5 ms doubling up to about 1000 s.
    this.options = { baseBackoffMs: 5, maxBackoffMs: 1_000_000, ...options };
  }

  /** Keys waiting to run (not counting those running or delayed). */
  get depth(): number {
    return this.queued.size;
  }

  /** Whether a key is queued or running (delayed keys do not count, as for `idle()`). */
  get busy(): boolean {
    return this.active > 0 || this.queued.size > 0;
  }

  add(key: string, priority: Priority = 'normal'): void {
    if (this.stopping || this.refuses(key)) return;
    if (this.processing.has(key)) {
      if (this.dirty.get(key) !== 'normal') this.dirty.set(key, priority);
      return;
    }
    const current = this.queued.get(key);
    if (current === 'normal' || current === priority) return;
    if (current === 'low') this.ready.low.splice(this.ready.low.indexOf(key), 1);
    else {
      this.queuedAt.set(key, Date.now());
      this.options.observer?.added();
    }
    this.queued.set(key, priority);
    this.ready[priority].push(key);
    this.pump();
  }

  /** Adds the key after `delayMs`; an earlier pending delay for it stands. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopping || this.refuses(key)) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.delayed.set(key, { at, timer });
  }

  /** The backoff the next failure of `key` waits: base · 2^failures, capped. */
  backoffFor(key: string): number {
    const n = this.failures.get(key) ?? 0;
    return Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** n);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Starts handing keys to `handler`, `concurrency` at a time. */
  start(handler: (key: string) => Promise<HandlerResult>): void {
    this.handler = handler;
    this.pump();
  }

  /** Resolves when nothing is queued or running (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.active === 0 && this.queued.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes no more keys, drops delayed ones, and waits for running handlers to finish. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.ready.normal.length = 0;
    this.ready.low.length = 0;
    this.queued.clear();
    this.queuedAt.clear();
    this.dirty.clear();
    await this.idle();
  }

  /**
   * Forgets every key that `matches`: queued, delayed, to run again, and its backoff. Resolves once
   * none of them runs; until then adding one is refused, so a running handler's retry or look-again
   * does not bring it back. The caller stops adding such keys before it calls this.
   */
  drop(matches: (key: string) => boolean): Promise<void> {
    for (const priority of ['normal', 'low'] as const) {
      this.ready[priority] = this.ready[priority].filter((key) => !matches(key));
    }
    for (const key of [...this.queued.keys()]) {
      if (!matches(key)) continue;
      this.queued.delete(key);
      this.queuedAt.delete(key);
    }
    for (const [key, { timer }] of this.delayed) {
      if (!matches(key)) continue;
      clearTimeout(timer);
      this.delayed.delete(key);
    }
    for (const key of [...this.dirty.keys()]) if (matches(key)) this.dirty.delete(key);
    for (const key of [...this.failures.keys()]) if (matches(key)) this.failures.delete(key);
    this.pump();
    if (![...this.processing].some(matches)) return Promise.resolve();
    return new Promise((resolve) => this.dropping.push({ matches, resolve }));
  }

  private refuses(key: string): boolean {
    return this.dropping.some((d) => d.matches(key));
  }

  /** After a handler finished: the drops that were waiting only for it. */
  private settleDrops(): void {
    if (this.dropping.length === 0) return;
    const running = [...this.processing];
    const done = this.dropping.filter((d) => !running.some(d.matches));
    if (done.length === 0) return;
    this.dropping = this.dropping.filter((d) => !done.includes(d));
    for (const d of done) d.resolve();
  }

  private next(): string | undefined {
    const key = this.ready.normal.shift() ?? this.ready.low.shift();
    if (key !== undefined) this.queued.delete(key);
    return key;
  }

  private pump(): void {
    if (!this.handler) return;
    while (this.active < this.options.concurrency) {
      const key = this.next();
      if (key === undefined) break;
      this.active++;
      this.processing.add(key);
      void this.work(key);
    }
    if (this.active === 0 && this.queued.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async work(key: string): Promise<void> {
    const started = Date.now();
    this.options.observer?.started(started - (this.queuedAt.get(key) ?? started));
    this.queuedAt.delete(key);
    try {
      const result = await this.handler!(key);
      this.forget(key);
      if (result && result.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      if (error instanceof TerminalError) {
        this.forget(key);
        this.options.onError?.(key, error, undefined);
        return;
      }
      const retryIn = this.backoffFor(key);
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
      this.options.onError?.(key, error, retryIn);
      this.options.observer?.retried();
      this.addAfter(key, retryIn);
    } finally {
      this.options.observer?.finished(Date.now() - started);
      this.processing.delete(key);
      this.active--;
      const again = this.dirty.get(key);
      if (again) {
        this.dirty.delete(key);
        this.add(key, again);
      }
      this.settleDrops();
      this.pump();
    }
  }
}
