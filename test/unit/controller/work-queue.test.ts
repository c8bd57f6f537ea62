import { afterEach, describe, expect, it, vi } from 'vitest';
import { TerminalError, WorkQueue, type HandlerResult } from '../../../src/controller/work-queue.ts';

/** A handler whose calls can be held open and finished one by one. */
function controllableHandler() {
  const calls: string[] = [];
  const pending = new Map<string, { resolve: (r: HandlerResult) => void; reject: (e: unknown) => void }[]>();
  const handler = (key: string) =>
    new Promise<HandlerResult>((resolve, reject) => {
      calls.push(key);
      pending.set(key, [...(pending.get(key) ?? []), { resolve, reject }]);
    });
  const finish = async (key: string, result: HandlerResult = undefined) => {
    pending.get(key)!.shift()!.resolve(result);
    await flush();
  };
  const fail = async (key: string) => {
    pending.get(key)!.shift()!.reject(new Error('boom'));
    await flush();
  };
  const running = () => [...pending].filter(([, p]) => p.length > 0).map(([k]) => k);
  return { calls, handler, finish, fail, running };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

afterEach(() => vi.useRealTimers());

describe('the keyed work queue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const h = controllableHandler();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    q.start(h.handler);
    await h.finish('a');
    await h.finish('b');
    expect(h.calls).toEqual(['a', 'b']);
  });

  it('never runs one key twice at once; a key added while it runs runs once more afterwards', async () => {
    const q = new WorkQueue({ concurrency: 4 });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('job');
    await flush();
    q.add('job');
    q.add('job');
    await flush();
    expect(h.running()).toEqual(['job']);
    expect(h.calls).toEqual(['job']);
    await h.finish('job');
    expect(h.calls).toEqual(['job', 'job']);
    await h.finish('job');
    expect(h.calls).toHaveLength(2);
  });

  it('is busy while a key is queued or running, not while it only waits out a delay', async () => {
    vi.useFakeTimers();
    const h = controllableHandler();
    const queue = new WorkQueue({ concurrency: 1 });
    expect(queue.busy).toBe(false);
    queue.add('a');
    expect(queue.busy).toBe(true); // queued, not started
    queue.start(h.handler);
    await flush();
    expect(h.running()).toEqual(['a']);
    expect(queue.busy).toBe(true); // running
    await h.finish('a', { requeueAfterMs: 1000 });
    expect(queue.busy).toBe(false); // delayed only
    await vi.advanceTimersByTimeAsync(1000);
    expect(queue.busy).toBe(true);
    await h.finish('a');
    expect(queue.busy).toBe(false);
  });

  it('runs different keys in parallel up to the concurrency', async () => {
    const q = new WorkQueue({ concurrency: 2 });
    const h = controllableHandler();
    q.start(h.handler);
    for (const k of ['a', 'b', 'c']) q.add(k);
    await flush();
    expect(h.running().sort()).toEqual(['a', 'b']);
    await h.finish('a');
    expect(h.running().sort()).toEqual(['b', 'c']);
  });

  it('lets live changes overtake the low-priority startup flood', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const h = controllableHandler();
    q.add('old-1', 'low');
    q.add('old-2', 'low');
    q.add('changed', 'normal');
    q.add('old-2', 'normal');
    q.start(h.handler);
    await h.finish('changed');
    await h.finish('old-2');
    await h.finish('old-1');
    expect(h.calls).toEqual(['changed', 'old-2', 'old-1']);
  });

  it('retries a failing key with per-key exponential backoff, and forgets it after a success', async () => {
    vi.useFakeTimers();
    const errors: (number | undefined)[] = [];
    const q = new WorkQueue({ concurrency: 1, baseBackoffMs: 100, onError: (_k, _e, retryIn) => errors.push(retryIn) });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('flaky');
    await flush();
    await h.fail('flaky');
    await vi.advanceTimersByTimeAsync(99);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await h.fail('flaky');
    await vi.advanceTimersByTimeAsync(200);
    await h.finish('flaky');
    expect(errors).toEqual([100, 200]);
    expect(q.backoffFor('flaky')).toBe(100);
  });

  it('caps the backoff', async () => {
    vi.useFakeTimers();
    const retries: (number | undefined)[] = [];
    const q = new WorkQueue({ concurrency: 1, baseBackoffMs: 5, maxBackoffMs: 1000, onError: (_k, _e, retryIn) => retries.push(retryIn) });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('broken');
    for (let i = 0; i < 10; i++) {
      await flush();
      await h.fail('broken');
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(retries).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
  });

  it("looks again when the handler asks (the planner's next timer), keeping the earliest request", async () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ concurrency: 1 });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('job');
    await flush();
    await h.finish('job', { requeueAfterMs: 10_000 });
    q.addAfter('job', 30_000);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toHaveLength(2);
  });

  it('on shutdown takes nothing new and waits for running handlers', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('a');
    q.add('b');
    await flush();
    let stopped = false;
    const done = q.shutdown().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    q.add('c');
    await h.finish('a');
    await done;
    expect(h.calls).toEqual(['a']);
  });
});

describe('dropping a set of keys (a shard handed back, issue 15 §5)', () => {
  const inShard = (key: string) => key.startsWith('s1/');

  it('forgets queued keys of the set, keeps the others, and resolves at once when none of them runs', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const h = controllableHandler();
    for (const k of ['s1/a', 's0/b', 's1/c']) q.add(k);
    q.add('s1/d', 'low');
    await q.drop(inShard);
    expect(q.depth).toBe(1);
    q.start(h.handler);
    await h.finish('s0/b');
    expect(h.calls).toEqual(['s0/b']);
  });

  it('waits for running keys of the set, refusing them meanwhile, and not for the others', async () => {
    const q = new WorkQueue({ concurrency: 4 });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('s1/a');
    q.add('s0/b');
    await flush();
    let dropped = false;
    const done = q.drop(inShard).then(() => (dropped = true));
    q.add('s1/a'); // would run again after: refused
    q.add('s1/new');
    await flush();
    expect(dropped).toBe(false);
    await h.finish('s1/a', { requeueAfterMs: 1 }); // its look-again is refused too
    await done;
    expect(h.running()).toEqual(['s0/b']);
    expect(q.depth).toBe(0);
    await h.finish('s0/b');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.calls).toEqual(['s1/a', 's0/b']);
    q.add('s1/a'); // once dropped, the set is the caller's to filter again
    await flush();
    expect(h.running()).toEqual(['s1/a']);
  });

  it("drops delayed keys and a failing key's backoff", async () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ concurrency: 1, baseBackoffMs: 100 });
    const h = controllableHandler();
    q.start(h.handler);
    q.add('s1/flaky');
    await flush();
    await h.fail('s1/flaky');
    q.addAfter('s1/later', 50);
    q.addAfter('s0/later', 50);
    await q.drop(inShard);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.calls).toEqual(['s1/flaky', 's0/later']);
    expect(q.backoffFor('s1/flaky')).toBe(100);
  });
});

describe('a TerminalError (controller-runtime): reported once, not retried', () => {
  it('forgets the key instead of backing off, and runs it again only when it is added again', async () => {
    const errors: (number | undefined)[] = [];
    const queue = new WorkQueue({ concurrency: 1, baseBackoffMs: 1, onError: (_key, _error, retryIn) => errors.push(retryIn) });
    let runs = 0;
    queue.start(async () => {
      runs++;
      throw new TerminalError('version 3 is already recorded with another spec');
    });
    queue.add('shop/web');
    await queue.idle();
    await new Promise((r) => setTimeout(r, 30));
    expect([runs, errors]).toEqual([1, [undefined]]);
    queue.add('shop/web');
    await queue.idle();
    expect(runs).toBe(2);
    await queue.shutdown();
  });
});
