import { describe, expect, it } from 'vitest';
import { awaitController } from '../../../src/api/await-controller.ts';
import type { Acted } from '../../../src/api/operation-outcome.ts';

/**
 * A clock that moves only when the loop waits: each wait is one cache change after `step` ms, or
 * the whole remaining time when no more changes come.
 */
function simulated(verdicts: Acted[], step = 100) {
  let t = 0;
  let calls = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    judge: () => verdicts[Math.min(calls++, verdicts.length - 1)]!,
    changed: async (ms: number) => {
      waits.push(ms);
      t += calls < verdicts.length ? Math.min(step, ms) : ms;
    },
  };
}

const waiting: Acted = { state: 'waiting', for: 'it still shows status "running"' };
const wait = { timeoutMs: 10_000, settleMs: 2_000 };

describe('awaitController: judging again after each cache change until the controller has acted', () => {
  it('answers at the change that shows the operation done', async () => {
    const s = simulated([waiting, waiting, { state: 'done', settled: true }]);
    expect(await awaitController(s.judge, s.changed, wait, undefined, s.now)).toEqual({ state: 'done', settled: true });
    expect(s.now()).toBe(200);
  });

  it('answers a refusal at once', async () => {
    const s = simulated([waiting, { state: 'refused', error: "can't pause terminal deployment" }]);
    expect(await awaitController(s.judge, s.changed, wait, undefined, s.now)).toEqual({ state: 'refused', error: "can't pause terminal deployment" });
  });

  it('times out with what it last waited for when the controller does not act', async () => {
    const s = simulated([waiting]);
    expect(await awaitController(s.judge, s.changed, wait, undefined, s.now)).toEqual({ state: 'timeout', last: waiting });
    expect(s.now()).toBe(10_000);
  });

  it('waits a little longer for follow-up writes, then answers done either way', async () => {
    const settledLater = simulated([
      { state: 'done', settled: false },
      { state: 'done', settled: false },
      { state: 'done', settled: true },
    ]);
    expect(await awaitController(settledLater.judge, settledLater.changed, wait, undefined, settledLater.now)).toEqual({ state: 'done', settled: true });
    const neverSettled = simulated([{ state: 'done', settled: false }]);
    expect(await awaitController(neverSettled.judge, neverSettled.changed, wait, undefined, neverSettled.now)).toEqual({ state: 'done', settled: false });
    expect(neverSettled.now()).toBe(2_000);
  });

  it('stops waiting when the client has gone', async () => {
    const s = simulated([waiting]);
    const gone = new AbortController();
    gone.abort();
    expect(await awaitController(s.judge, s.changed, wait, gone.signal, s.now)).toMatchObject({ state: 'timeout' });
    expect(s.waits).toEqual([]);
  });
});
