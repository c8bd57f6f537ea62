import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/log/logger.ts';
import { heapReleaseStep, type HeapReleaseRule, startHeapRelease } from '../../../src/runtime/heap-release.ts';

const MiB = 2 ** 20;
const rule: HeapReleaseRule = { minShrinkBytes: 48 * MiB, minIntervalMs: 60_000, quietMs: 3_000 };
const quiet = { peakBytes: 0, lastReleaseAt: 0, quietSince: 100_000 };
const sample = (mib: number, now: number, busy = false) => ({ committedBytes: mib * MiB, now, busy });

describe('heapReleaseStep', () => {
  it('keeps the peak while the heap grows and does not release', () => {
    const step = heapReleaseStep({ ...quiet, peakBytes: 80 * MiB }, sample(250, 120_000), rule);
    expect(step).toEqual({ state: { ...quiet, peakBytes: 250 * MiB }, release: false });
  });

  it('releases once the committed heap has fallen far enough below its peak, and starts the peak again', () => {
    const step = heapReleaseStep({ ...quiet, peakBytes: 250 * MiB }, sample(90, 120_000), rule);
    expect(step).toEqual({ state: { peakBytes: 90 * MiB, lastReleaseAt: 120_000, quietSince: 100_000 }, release: true });
  });

  it('does not release for a small shrink', () => {
    const step = heapReleaseStep({ ...quiet, peakBytes: 120 * MiB }, sample(90, 120_000), rule);
    expect(step.release).toBe(false);
    expect(step.state.peakBytes).toBe(120 * MiB);
  });

  it('waits the minimum interval after the last release', () => {
    const early = heapReleaseStep({ ...quiet, peakBytes: 250 * MiB, lastReleaseAt: 100_000 }, sample(90, 150_000), rule);
    expect(early.release).toBe(false);
    const later = heapReleaseStep(early.state, sample(90, 160_000), rule);
    expect(later.release).toBe(true);
  });

  it('waits until the process has been quiet for quietMs: a burst under way would fill the pool again', () => {
    const busy = heapReleaseStep({ ...quiet, peakBytes: 250 * MiB }, sample(90, 120_000, true), rule);
    expect(busy).toEqual({ state: { peakBytes: 250 * MiB, lastReleaseAt: 0, quietSince: undefined }, release: false });
    const justQuiet = heapReleaseStep(busy.state, sample(90, 121_000), rule);
    expect(justQuiet.release).toBe(false);
    expect(justQuiet.state.quietSince).toBe(121_000);
    expect(heapReleaseStep(justQuiet.state, sample(90, 123_000), rule).release).toBe(false);
    expect(heapReleaseStep(justQuiet.state, sample(90, 124_000), rule).release).toBe(true);
  });
});

describe('startHeapRelease', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects when a sample shows the shrink, and only then', () => {
    vi.useFakeTimers();
    let committed = 80 * MiB;
    let clock = 0;
    const collect = vi.fn(() => {
      committed = 70 * MiB;
    });
    let busy = true;
    const stop = startHeapRelease({ committedBytes: () => committed, busy: () => busy, collect, rss: () => 0, now: () => clock, everyMs: 1000, rule });
    committed = 260 * MiB; // a burst
    clock = 61_000;
    vi.advanceTimersByTime(1000);
    committed = 90 * MiB; // the memory reducer shrank the heap; its pages sit in V8's pool
    clock = 62_000;
    vi.advanceTimersByTime(1000);
    expect(collect).not.toHaveBeenCalled(); // still busy
    busy = false;
    for (const t of [63_000, 64_000, 65_000]) {
      clock = t;
      vi.advanceTimersByTime(1000);
    }
    expect(collect).not.toHaveBeenCalled(); // quiet for 2 s only
    clock = 66_000;
    vi.advanceTimersByTime(1000);
    expect(collect).toHaveBeenCalledTimes(1);
    clock = 200_000;
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1); // nothing grew since: nothing to give back
    stop();
  });
});

describe('the last-resort collection', () => {
  it('is reachable without --expose-gc, runs, and reports what it gave back', () => {
    vi.useFakeTimers();
    const info = vi.fn();
    const sizes = [300 * MiB, 10 * MiB];
    let calls = 0;
    const stop = startHeapRelease({
      // The default collector, V8's own; the sizes and the clock only make the rule fire.
      committedBytes: () => sizes[Math.min(calls++, 1)]!,
      now: () => 120_000 * calls,
      logger: { info } as unknown as Logger,
      everyMs: 10,
      rule,
    });
    vi.advanceTimersByTime(20);
    stop();
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]![1]).toBe("gave V8's pooled heap pages back to the OS");
    expect(info.mock.calls[0]![0]).toMatchObject({ rssAfterMiB: expect.any(Number), tookMs: expect.any(Number) });
  });
});
