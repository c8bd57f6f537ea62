import { describe, expect, it } from 'vitest';
import { checkProgress, requireProgressByAfterHealthy, requireProgressByAfterPlacement } from '../../../src/planner/progress.ts';
import { deployment, groupState, min } from './fixtures.ts';

describe('the progress deadline (Nomad §1.6, §2.8 rule 7)', () => {
  it('is unset until the first placement, then placement time + progress_deadline (§4 case 32)', () => {
    expect(requireProgressByAfterPlacement(groupState(), 5 * min)).toBe(15 * min);
    expect(requireProgressByAfterPlacement(groupState({ requireProgressBy: 15 * min }), 7 * min)).toBe(15 * min);
  });

  it('is pushed out by each healthy allocation, never pulled in', () => {
    expect(requireProgressByAfterHealthy(groupState({ requireProgressBy: 15 * min }), 8 * min)).toBe(18 * min);
    expect(requireProgressByAfterHealthy(groupState({ requireProgressBy: 30 * min }), 8 * min)).toBe(30 * min);
  });

  it.each<[string, Parameters<typeof deployment>[0], Parameters<typeof deployment>[1], Record<string, number>, number, object]>([
    [
      'before the deadline: on time, look again at it',
      { web: groupState({ requireProgressBy: 15 * min, healthyAllocs: 1 }) },
      {},
      { web: 1 },
      10 * min,
      { kind: 'on-time', nextDeadline: 15 * min },
    ],
    [
      'past it with too few healthy: failed',
      { web: groupState({ requireProgressBy: 15 * min, healthyAllocs: 3 }) },
      {},
      { web: 3 },
      16 * min,
      { kind: 'failed', groups: ['web'], autoRevert: false },
    ],
    [
      'past it, auto_revert on the failing group',
      { web: groupState({ requireProgressBy: 15 * min, autoRevert: true }) },
      {},
      { web: 0 },
      16 * min,
      { kind: 'failed', groups: ['web'], autoRevert: true },
    ],
    [
      'a paused deployment never fails on it',
      { web: groupState({ requireProgressBy: 15 * min }) },
      { status: 'paused' },
      { web: 0 },
      16 * min,
      { kind: 'on-time' },
    ],
    [
      'waiting for manual promotion with every canary healthy: stays running (§4 case 30)',
      { web: groupState({ requireProgressBy: 15 * min, desiredCanaries: 2, healthyAllocs: 2 }) },
      {},
      { web: 2 },
      16 * min,
      { kind: 'on-time' },
    ],
    [
      'canarying with a canary short: failed',
      { web: groupState({ requireProgressBy: 15 * min, desiredCanaries: 2, healthyAllocs: 1 }) },
      {},
      { web: 1 },
      16 * min,
      { kind: 'failed', groups: ['web'], autoRevert: false },
    ],
    ['a done group is not watched', { web: groupState({ requireProgressBy: 15 * min, healthyAllocs: 4 }) }, {}, { web: 4 }, 16 * min, { kind: 'on-time' }],
    ['progress_deadline 0: never by deadline', { web: groupState({ progressDeadline: 0 }) }, {}, { web: 0 }, 999 * min, { kind: 'on-time' }],
  ])('%s', (_rule, groups, d, healthyLive, now, expected) => {
    expect(checkProgress(deployment(groups, d), healthyLive, now)).toEqual(expected);
  });
});
