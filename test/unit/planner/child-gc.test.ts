import { describe, expect, it } from 'vitest';
import { childrenSummary, childrenToCollect, defaultJobGcThreshold } from '../../../src/planner/child-gc.ts';

const h = 3600_000;
describe('garbage collection of children (spec §5.3) and the Children summary (§5.2)', () => {
  it.each([
    ['a dead child past the threshold is collected', [{ name: 'a', status: 'dead' as const, submitTime: 0 }], 5 * h, ['a'], undefined],
    ['a dead child inside the threshold waits for it', [{ name: 'a', status: 'dead' as const, submitTime: 2 * h }], 5 * h, [], 6 * h],
    ['a running child is never collected', [{ name: 'a', status: 'running' as const, submitTime: 0 }], 50 * h, [], undefined],
  ])('%s', (_rule, children, now, collect, recheckAt) => {
    const r = childrenToCollect(children, now, defaultJobGcThreshold);
    expect(r.collect).toEqual(collect);
    expect(r.recheckAt).toBe(recheckAt);
  });

  it('counts children by status; one not yet observed is pending', () =>
    expect(childrenSummary([{ status: undefined }, { status: 'running' }, { status: 'dead' }, { status: 'dead' }])).toEqual({
      Pending: 1,
      Running: 1,
      Dead: 2,
    }));
});
