import { setTimeout as sleep } from 'node:timers/promises';
import type { ShardLeaseStore } from '../kube/shard-leases.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { RunningController } from './controller.ts';
import { decideShards, isLive, type ShardDecision } from './shard-plan.ts';

export interface ShardCoordinatorOptions {
  readonly store: ShardLeaseStore;
  readonly controller: Pick<RunningController, 'takeShard' | 'handBackShard'>;
  /** `--shards`. */
  readonly count: number;
  readonly identity: string;
  readonly leaseDurationMs: number;
  /** A shard is lost when its renewals have failed for this long (less than the lease duration). */
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly logger?: Logger;
  /** After every change to the shards held (the metrics). */
  readonly onHeld?: (shards: readonly number[]) => void;
  /**
   * A shard's renewals failed past the renew deadline, or another replica holds its Lease: this
   * replica must not act on that shard's jobs again. The command exits the process.
   */
  readonly onLost: (shard: number, why: string) => void;
  readonly now?: () => number;
}

/**
 * Runs the shard Leases of one replica (issue 15 §5): every retry period it renews what it holds
 * (in a loop of its own), looks at every Lease, and follows decideShards. A shard is handed back in two steps: first the
 * controller stops queueing its jobs and its running reconciles finish (the Lease is renewed
 * meanwhile), then the Lease's holder is cleared, so no job is ever reconciled by two replicas.
 */
export class ShardCoordinator {
  private readonly opts: ShardCoordinatorOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** Shards whose Lease this replica holds, and when each was last renewed. */
  private readonly held = new Map<number, number>();
  /** Held shards being handed back: 'drained' once the controller finished their reconciles. */
  private readonly handingBack = new Map<number, 'draining' | 'drained'>();
  private stopping = false;
  private wake = new AbortController();
  private loop: Promise<void> | undefined;
  private lastDecision = '';
  private joined = false;
  private holderSeenAt = Number.NEGATIVE_INFINITY;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(opts: ShardCoordinatorOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.loop) return;
    // A request that hangs (a black-holed API server) would hold the look up; the renew deadline
    // must still stop this replica before another may take its shards.
    this.watchdog = setInterval(() => this.checkRenewDeadlines(this.now()), Math.max(50, this.opts.retryPeriodMs / 2));
    this.watchdog.unref?.();
    this.loop = this.run().finally(() => clearInterval(this.watchdog));
  }

  /** The shards this replica holds, lowest first. */
  get shards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Whether some replica held a shard when this one last looked (Nomad's KnownLeader). */
  get leaderKnown(): boolean {
    return this.held.size > 0 || this.now() < this.holderSeenAt + 2 * this.opts.leaseDurationMs;
  }

  /** Hands every shard back (their reconciles finish first) and leaves the members. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    this.start();
    await this.loop;
    await this.opts.store.leave().catch(() => undefined);
  }

  /** One retry period's work: renew, then look; public for tests, which drive it step by step. */
  async tick(): Promise<void> {
    await this.renewHeld();
    await this.look();
  }

  /**
   * Renews every held shard but those drained (their Leases are being handed back). Its own loop
   * in run(), so that looking and taking, however slow, never hold a renewal back.
   */
  private async renewHeld(): Promise<void> {
    const renewedAt = this.now();
    const renewing = this.shards.filter((shard) => this.handingBack.get(shard) !== 'drained');
    await Promise.all(renewing.map((shard) => this.renew(shard, renewedAt)));
  }

  /** Hands back the drained shards, looks at every Lease, and follows decideShards. */
  private async look(): Promise<void> {
    // Before looking, so that the look shows the shards handed back just now as free, not held.
    await Promise.all(this.shards.filter((shard) => this.handingBack.get(shard) === 'drained').map((shard) => this.release(shard)));
    if (this.stopping) {
      for (const shard of this.shards) this.handBack(shard);
      return;
    }
    const observation = await this.opts.store.observe();
    const now = this.now();
    if (!observation) return;
    // The first look only joins the members: replicas started together see each other by the
    // next, so the first one up does not take every shard only to hand most of them back.
    if (!this.joined) {
      this.joined = true;
      return;
    }
    if (observation.shards.some((lease) => isLive(lease, now))) this.holderSeenAt = now;
    // A Lease naming this replica that it does not know it holds: a take whose answer was lost.
    // It never acted on that shard; clearing the holder frees it at once for whoever gets it.
    const strays = observation.shards.flatMap((lease, shard) => (lease?.holder === this.opts.identity && !this.held.has(shard) ? [shard] : []));
    if (strays.length > 0) {
      this.logger.info({ shards: strays }, 'handing back shard Leases this replica took without knowing it');
      await Promise.all(strays.map((shard) => this.opts.store.handBack(shard).catch(() => undefined)));
      return;
    }
    const decision = decideShards({
      ...observation,
      count: this.opts.count,
      self: this.opts.identity,
      memberTimeoutMs: this.opts.leaseDurationMs,
      handingBack: [...this.handingBack.keys()],
      now,
    });
    this.log(decision);
    if (decision.kind === 'hand back') for (const shard of decision.shards) this.handBack(shard);
    if (decision.kind === 'take') {
      for (const shard of decision.shards) {
        if (!(await this.opts.store.take(shard))) continue;
        this.held.set(shard, now);
        this.opts.controller.takeShard(shard);
        this.logger.info({ shard, shards: this.shards }, `took shard ${shard} of ${this.opts.count}`);
      }
      this.opts.onHeld?.(this.shards);
    }
  }

  private async run(): Promise<void> {
    const looked = new AbortController();
    const renewing = (async () => {
      while (!looked.signal.aborted) {
        await this.renewHeld().catch(() => undefined);
        await sleep(this.opts.retryPeriodMs, undefined, { signal: looked.signal }).catch(() => undefined);
      }
    })();
    while (!(this.stopping && this.held.size === 0)) {
      await this.look().catch((error: unknown) => this.logger.warn({ err: error }, 'shard leases: a look failed; trying again'));
      if (this.stopping && this.held.size === 0) break;
      // While stopping, look again soon: a drained shard's Lease is handed back at the next look.
      await sleep(this.stopping ? Math.min(100, this.opts.retryPeriodMs) : this.opts.retryPeriodMs, undefined, { signal: this.wake.signal }).catch(() => {
        this.wake = new AbortController();
      });
    }
    looked.abort();
    await renewing;
  }

  private async release(shard: number): Promise<void> {
    // A failed hand-back needs no retry: unrenewed, the Lease expires by itself (or, still naming
    // this replica, it is handed back as a stray at a later look).
    await this.opts.store.handBack(shard).catch(() => undefined);
    this.held.delete(shard);
    this.handingBack.delete(shard);
    this.logger.info({ shard, shards: this.shards }, `handed back shard ${shard} of ${this.opts.count}`);
    this.opts.onHeld?.(this.shards);
  }

  private async renew(shard: number, now: number): Promise<void> {
    const renewed = await this.opts.store.renew(shard).catch(() => 'failed' as const);
    if (renewed === 'renewed' && this.held.has(shard)) this.held.set(shard, now);
    else if (renewed === 'lost') this.lose(shard, 'another replica holds its Lease');
    else this.checkRenewDeadlines(this.now());
  }

  /** Shards whose Lease went without renewal past the renew deadline are lost (a drained one is only waiting to be handed back). */
  private checkRenewDeadlines(now: number): void {
    for (const [shard, renewedAt] of this.held) {
      if (this.handingBack.get(shard) === 'drained' || now - renewedAt <= this.opts.renewDeadlineMs) continue;
      this.lose(shard, `its Lease was not renewed for ${this.opts.renewDeadlineMs} ms`);
    }
  }

  private lose(shard: number, why: string): void {
    this.held.delete(shard);
    this.handingBack.delete(shard);
    void this.opts.controller.handBackShard(shard);
    this.opts.onHeld?.(this.shards);
    this.opts.onLost(shard, why);
  }

  private handBack(shard: number): void {
    if (this.handingBack.has(shard) || !this.held.has(shard)) return;
    this.handingBack.set(shard, 'draining');
    this.logger.info({ shard }, `handing back shard ${shard} of ${this.opts.count}: finishing its reconciles`);
    void this.opts.controller.handBackShard(shard).then(() => {
      this.handingBack.set(shard, 'drained');
      this.wake.abort();
    });
  }

  private log(decision: ShardDecision): void {
    const line = `${decision.kind}: ${decision.reason}`;
    if (line === this.lastDecision) return;
    this.lastDecision = line;
    if (decision.kind === 'wait') this.logger.warn({ shards: this.shards }, `shards: ${line}`);
    else this.logger.info({ shards: this.shards }, `shards: ${line}`);
  }
}
