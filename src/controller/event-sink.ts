import PQueue from 'p-queue';
import { silentLogger, type Logger } from '../log/logger.ts';
import { EventSeriesBook, type EventSeries, type TransitionEvent } from './event-recorder.ts';
import type { EventsV1Event } from '@kubernetes/client-node';

/** The two writes Events need; `patchSeries` resolves false when the Event is gone (expired). */
export interface EventWrites {
  create(namespace: string, event: EventsV1Event): Promise<void>;
  patchSeries(namespace: string, name: string, series: EventSeries): Promise<boolean>;
}

export interface EventSinkOptions {
  readonly writes: EventWrites;
  readonly book?: EventSeriesBook;
  readonly logger?: Logger;
  /** How often counted repeats are written as series updates. */
  readonly flushEveryMs?: number;
  /** Events waiting beyond this are dropped (client-go's recorder drops when its buffer of 1000 is full). */
  readonly maxPending?: number;
  readonly concurrency?: number;
}

/**
 * Writes Events off the reconcile's path, as client-go's recorder does: a reconcile hands its
 * Event over and goes on; Events are best effort (a crash may lose the last few, never a decision).
 * Repeats become series (EventSeriesBook), written together every `flushEveryMs`.
 */
export class EventSink {
  private readonly writes: EventWrites;
  private readonly book: EventSeriesBook;
  private readonly logger: Logger;
  private readonly queue: PQueue;
  private readonly maxPending: number;
  private readonly timer: NodeJS.Timeout;
  /** The last write of each Event still going: an Event's writes go in order, its create first. */
  private readonly chains = new Map<string, Promise<void>>();
  private dropped = 0;
  /** Writes handed over and not finished. */
  private pending = 0;

  constructor(opts: EventSinkOptions) {
    this.writes = opts.writes;
    this.book = opts.book ?? new EventSeriesBook();
    this.logger = opts.logger ?? silentLogger;
    this.queue = new PQueue({ concurrency: opts.concurrency ?? 4 });
    this.maxPending = opts.maxPending ?? 1000;
    this.timer = setInterval(() => this.writeSeries(), opts.flushEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** Takes the Event for writing and returns at once. */
  record(namespace: string, event: TransitionEvent, now: number): void {
    const write = this.book.next(event, now);
    if (write.kind === 'counted') return;
    if (this.pending >= this.maxPending) {
      if (this.dropped++ === 0) this.logger.warn({ namespace, reason: event.reason }, 'too many Events waiting to be written; dropping Events');
      return;
    }
    this.inOrder(write.kind === 'create' ? write.event.metadata!.name! : write.name, async () => {
      try {
        if (write.kind === 'create') return await this.writes.create(namespace, write.event);
        // Gone (Events expire after an hour): the repeat starts a new Event.
        if (!(await this.writes.patchSeries(write.namespace, write.name, write.series))) {
          this.book.forget(write.name);
          this.record(namespace, event, now);
        }
      } catch (error) {
        this.logger.warn({ namespace, reason: event.reason, err: error }, 'event not written');
      }
    });
  }

  /** Writes the series counted so far and waits until every Event handed over is written. */
  async flush(): Promise<void> {
    this.writeSeries();
    while (this.chains.size > 0) await Promise.all(this.chains.values());
    await this.queue.onIdle();
  }

  /** Stops the timer and flushes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private writeSeries(): void {
    for (const update of this.book.flush()) {
      this.inOrder(update.name, async () => {
        try {
          if (!(await this.writes.patchSeries(update.namespace, update.name, update.series))) this.book.forget(update.name);
        } catch (error) {
          this.logger.warn({ namespace: update.namespace, event: update.name, err: error }, 'event series not written');
        }
      });
    }
  }

  /** Queues `write` after the writes of the same Event handed over before it. */
  private inOrder(name: string, write: () => Promise<void>): void {
    const previous = this.chains.get(name) ?? Promise.resolve();
    this.pending++;
    const next = previous.then(() => this.queue.add(write)).finally(() => this.pending--);
    this.chains.set(name, next);
    void next.finally(() => {
      if (this.chains.get(name) === next) this.chains.delete(name);
    });
  }
}
