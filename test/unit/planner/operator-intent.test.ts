import { describe, expect, it } from 'vitest';
import { isGroupComplete, setPaused } from '../../../src/planner/operator-intent.ts';
import { deployment, groupState, min } from './fixtures.ts';

const now = 50 * min;

describe('pause, resume and fail (Nomad §2.11, §2.12)', () => {
  const running = deployment({ web: groupState({ requireProgressBy: 20 * min }), idle: groupState({ progressDeadline: 0 }) });

  it('pausing says so and restarts the progress deadline', () => {
    expect(setPaused(running, true, now)).toMatchObject({
      ok: true,
      deployment: { status: 'paused', statusDescription: 'Deployment is paused', groups: { web: { requireProgressBy: 60 * min } } },
    });
  });

  it('resuming says "Deployment is running" even while canaries await promotion (Nomad quirk, §4 case 31)', () => {
    const paused = deployment({ web: groupState({ desiredCanaries: 1 }) }, { status: 'paused', statusDescription: 'Deployment is paused' });
    expect(setPaused(paused, false, now)).toMatchObject({
      ok: true,
      deployment: { status: 'running', statusDescription: 'Deployment is running', groups: { web: { requireProgressBy: 60 * min } } },
    });
  });

  it('asking for the state it is already in changes nothing', () => {
    expect(setPaused(running, false, now)).toEqual({ ok: true, deployment: running });
  });

  it.each([
    [(d: typeof running) => setPaused(d, true, now), "can't pause terminal deployment"],
    [(d: typeof running) => setPaused(d, false, now), "can't resume terminal deployment"],
  ])('on a terminal deployment: %#', (act, error) => {
    expect(act(deployment({}, { status: 'successful' }))).toEqual({ ok: false, error });
  });

  it.each<[string, Parameters<typeof groupState>[0], boolean, boolean]>([
    ['enough healthy, nothing left', { desiredTotal: 4, healthyAllocs: 4 }, true, true],
    ['work left in the pass', { desiredTotal: 4, healthyAllocs: 4 }, false, false],
    ['too few healthy', { desiredTotal: 4, healthyAllocs: 3 }, true, false],
    ['canary > count: needs the canaries healthy too (§4 case 15)', { desiredTotal: 3, desiredCanaries: 7, healthyAllocs: 6, promoted: true }, true, false],
    ['canaries not promoted', { desiredTotal: 1, desiredCanaries: 1, healthyAllocs: 1 }, true, false],
  ])('a group is complete (§2.10) when %s: %s', (_what, g, nothingLeft, expected) => {
    expect(isGroupComplete(groupState(g), nothingLeft)).toBe(expected);
  });
});
