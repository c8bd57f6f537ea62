import { describe, expect, it } from 'vitest';
import { promote, shouldAutoPromote } from '../../../src/planner/promotion.ts';
import { deployment, groupState, min } from './fixtures.ts';

const now = 100 * min;

describe('promotion (Nomad §2.4)', () => {
  const canarying = deployment(
    { web: groupState({ desiredCanaries: 2, placedCanaries: ['c1', 'c2'], requireProgressBy: 20 * min }) },
    { statusDescription: 'Deployment is running but requires manual promotion' },
  );

  it("promoting before the canaries are healthy is refused with Nomad's error, nothing changed (§4 case 13)", () => {
    expect(promote(canarying, { all: true }, new Set(), now)).toEqual({
      ok: false,
      error: '1 error occurred:\n\t* Task group "web" has 0/2 healthy allocations\n\n',
    });
  });

  it('several groups short of healthy canaries: one error each', () => {
    const two = deployment({
      web: groupState({ desiredCanaries: 1, placedCanaries: ['c1'] }),
      api: groupState({ desiredCanaries: 2, placedCanaries: ['a1', 'a2'] }),
    });
    expect(promote(two, { all: true }, new Set(['a1']), now)).toEqual({
      ok: false,
      error: '2 errors occurred:\n\t* Task group "api" has 1/2 healthy allocations\n\t* Task group "web" has 0/1 healthy allocations\n\n',
    });
  });

  it('with healthy canaries: promoted, the deadline restarts, the canaries stop being canaries, the description says running', () => {
    const outcome = promote(canarying, { all: true }, new Set(['c1', 'c2']), now);
    expect(outcome).toMatchObject({
      ok: true,
      promotedCanaries: ['c1', 'c2'],
      deployment: { statusDescription: 'Deployment is running', groups: { web: { promoted: true, requireProgressBy: now + 10 * min } } },
    });
  });

  it('a group not in the deployment is ignored: success, nothing promoted (§4 case 14)', () => {
    expect(promote(canarying, { groups: ['other'] }, new Set(), now)).toMatchObject({
      ok: true,
      promotedCanaries: [],
      deployment: { groups: { web: { promoted: false } } },
    });
  });

  it.each(['failed', 'successful', 'cancelled'] as const)('a %s deployment cannot be promoted', (status) => {
    expect(promote(deployment({ web: groupState() }, { status }), { all: true }, new Set(), now)).toEqual({
      ok: false,
      error: "can't promote terminal deployment",
    });
  });

  it.each<[string, Parameters<typeof groupState>[0][], string[], boolean]>([
    ['every canary healthy and auto_promote', [{ desiredCanaries: 2, autoPromote: true, placedCanaries: ['a', 'b'] }], ['a', 'b'], true],
    ['one canary not healthy yet', [{ desiredCanaries: 2, autoPromote: true, placedCanaries: ['a', 'b'] }], ['a'], false],
    ['not all canaries placed yet', [{ desiredCanaries: 2, autoPromote: true, placedCanaries: ['a'] }], ['a'], false],
    [
      'a second canary group without auto_promote (§4 case 17)',
      [
        { desiredCanaries: 1, autoPromote: true, placedCanaries: ['a'] },
        { desiredCanaries: 1, placedCanaries: ['b'] },
      ],
      ['a', 'b'],
      false,
    ],
  ])('auto-promotes when %s: %s', (_what, groups, healthy, expected) => {
    const d = deployment(Object.fromEntries(groups.map((g, i) => [`g${i}`, groupState(g)])));
    expect(shouldAutoPromote(d, new Set(healthy))).toBe(expected);
  });
});
