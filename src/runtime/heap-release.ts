import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '../log/logger.ts';

/**
 * Why this exists: V8 (13.6, Node 24) keeps the pages a shrinking heap frees in a pool for reuse,
 * and gives them back to the OS only in a "last resort" collection (the one
 * `Isolate::LowMemoryNotification` makes), which nothing in an idle server asks for. After a
 * burst of reconciles the memory reducer shrinks the committed heap back, yet the resident set
 * stays at the burst's peak: with 1,000 jobs, 356 MiB resident against 89 MiB of committed heap,
 * and one last-resort collection took it to 188 MiB (docs/performance.md). So, once the committed
 * heap has fallen well below its peak and the process has been quiet a while, it asks for that
 * collection, no more often than `minIntervalMs`.
 */
export interface HeapReleaseRule {
  /** How far the committed heap must have fallen below its peak since the last release, in bytes. */
  readonly minShrinkBytes: number;
  /** Between two releases, at least (a last-resort collection runs several full ones). */
  readonly minIntervalMs: number;
  /** How long the process must have had nothing to do: the collection pauses it, and a burst still under way would fill the pool again. */
  readonly quietMs: number;
}

/**
 * 24 MiB: after a 1,000-job register with the writes sent as plain JSON the committed heap peaked
 * at 128 MiB and settled at 83 MiB, 45 MiB below, and a 48 MiB threshold left those pages pooled
 * (209 MiB resident at rest). A release pauses an idle process for about 200 ms, at most once a minute.
 */
export const defaultHeapReleaseRule: HeapReleaseRule = { minShrinkBytes: 24 * 2 ** 20, minIntervalMs: 60_000, quietMs: 3_000 };

/** What the rule remembers between samples. */
export interface HeapReleaseState {
  /** The largest committed heap seen since the last release. */
  readonly peakBytes: number;
  readonly lastReleaseAt: number;
  /** Since when the process has had nothing to do; undefined while it is busy. */
  readonly quietSince: number | undefined;
}

/** One sample: V8's committed heap (`total_heap_size`) and whether the process is busy. */
export interface HeapSample {
  readonly committedBytes: number;
  readonly busy: boolean;
  readonly now: number;
}

/** The next state, and whether to collect now. */
export function heapReleaseStep(
  state: HeapReleaseState,
  sample: HeapSample,
  rule: HeapReleaseRule = defaultHeapReleaseRule,
): { readonly state: HeapReleaseState; readonly release: boolean } {
  const { committedBytes, busy, now } = sample;
  const peakBytes = Math.max(state.peakBytes, committedBytes);
  const quietSince = busy ? undefined : (state.quietSince ?? now);
  const release =
    peakBytes - committedBytes >= rule.minShrinkBytes &&
    now - state.lastReleaseAt >= rule.minIntervalMs &&
    quietSince !== undefined &&
    now - quietSince >= rule.quietMs;
  // After a release the pool is empty: the peak starts again from what the heap holds now.
  return {
    state: release ? { peakBytes: committedBytes, lastReleaseAt: now, quietSince } : { peakBytes, lastReleaseAt: state.lastReleaseAt, quietSince },
    release,
  };
}

export interface HeapReleaseDeps {
  /** V8's committed heap in bytes. */
  readonly committedBytes?: () => number;
  /** Whether the process has work under way (the controller's queue); none: never busy. */
  readonly busy?: () => boolean;
  /** Collects with the last-resort flavour, synchronously. */
  readonly collect?: () => void;
  readonly rss?: () => number;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly everyMs?: number;
  readonly rule?: HeapReleaseRule;
}

/** Samples the heap every `everyMs` (2 s) and releases the pool when the rule says; returns the stop. */
export function startHeapRelease(deps: HeapReleaseDeps = {}): () => void {
  const committedBytes = deps.committedBytes ?? (() => getHeapStatistics().total_heap_size);
  const collect = deps.collect ?? lastResortCollection();
  const rss = deps.rss ?? (() => process.memoryUsage.rss());
  const now = deps.now ?? Date.now;
  const busy = deps.busy ?? (() => false);
  let state: HeapReleaseState = { peakBytes: committedBytes(), lastReleaseAt: now(), quietSince: undefined };
  const timer = setInterval(() => {
    const step = heapReleaseStep(state, { committedBytes: committedBytes(), busy: busy(), now: now() }, deps.rule);
    state = step.state;
    if (!step.release) return;
    const before = rss();
    const started = performance.now();
    collect();
    state = { ...state, peakBytes: committedBytes() };
    deps.logger?.info(
      { rssBeforeMiB: mib(before), rssAfterMiB: mib(rss()), heapMiB: mib(state.peakBytes), tookMs: Math.round(performance.now() - started) },
      "gave V8's pooled heap pages back to the OS",
    );
  }, deps.everyMs ?? 2_000);
  timer.unref();
  return () => clearInterval(timer);
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * V8's `gc` function with the last-resort flavour. Node exposes it only with `--expose-gc`; without
 * that flag it is enabled here and taken from a new context, as Jest's leak detector does.
 */
function lastResortCollection(): () => void {
  let gc = globalThis.gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as NonNullable<typeof globalThis.gc>;
  }
  return () => {
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  };
}
