import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from '../../../src/kube/token-bucket.ts';

describe('TokenBucket: the client-side rate limit', () => {
  afterEach(() => void vi.useRealTimers());

  it('lets a burst through at once, then qps a second, in order', async () => {
    vi.useFakeTimers();
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    const done: number[] = [];
    for (let i = 0; i < 6; i++) void bucket.take().then(() => done.push(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 1, 2]);
    now = 100;
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual([0, 1, 2, 3]);
    now = 300;
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('saves up no more than the burst', async () => {
    vi.useFakeTimers();
    let now = 0;
    const bucket = new TokenBucket(100, 2, () => now);
    now = 60_000;
    const done: number[] = [];
    for (let i = 0; i < 3; i++) void bucket.take().then(() => done.push(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 1]);
  });

  it('refuses a rate that could never let anything through', () => {
    expect(() => new TokenBucket(0, 1)).toThrow('qps > 0');
  });
});
