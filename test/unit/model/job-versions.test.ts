import { describe, expect, it } from 'vitest';
import { decideVersion, versionsToPrune, type JobVersion } from '../../../src/model/job-versions.ts';
import { exampleSpec } from './fixtures.ts';

const now = new Date('2026-11-22T10:00:00Z');
const v = (version: number, stable = false, count = version + 1): JobVersion => ({
  version,
  stable,
  spec: exampleSpec({}, { count }),
  submitTime: '2026-11-22T09:00:00.000Z',
});

describe('job versions', () => {
  it('the first submission is version 0', () => {
    expect(decideVersion([], exampleSpec(), now)).toEqual({
      kind: 'new',
      version: { version: 0, spec: exampleSpec(), submitTime: '2026-11-22T10:00:00.000Z', stable: false },
    });
  });

  it('an identical resubmission makes no version', () => {
    const history = [v(0), v(1)];
    expect(decideVersion(history, exampleSpec({}, { count: 2 }), now)).toEqual({ kind: 'unchanged', current: history[1] });
  });

  it('a changed spec is the next number after the newest, even when older ones were pruned', () => {
    const decision = decideVersion([v(7), v(9), v(8)], exampleSpec({}, { count: 99 }), now);
    expect(decision.kind === 'new' && decision.version.version).toBe(10);
  });

  it.each<[string, JobVersion[], number[]]>([
    ['6 or fewer: nothing', [v(0), v(1), v(2), v(3), v(4), v(5)], []],
    ['7: the oldest', [v(0), v(1), v(2), v(3), v(4), v(5), v(6)], [0]],
    ['9: the three oldest', [v(0), v(1), v(2), v(3), v(4), v(5), v(6), v(7), v(8)], [0, 1, 2]],
    ['the oldest is the newest stable: it stays, the next oldest goes', [v(0, true), v(1), v(2), v(3), v(4), v(5), v(6)], [1]],
    ['an older stable one is not protected', [v(0, true), v(1, true), v(2), v(3), v(4), v(5), v(6)], [0]],
  ])('pruning to 6 versions, %s', (_what, history, pruned) => {
    expect(versionsToPrune(history).map((x) => x.version)).toEqual(pruned);
  });
});

describe('job versions after an auto-revert', () => {
  const failed = v(1, false, 50);
  const reverted: JobVersion = { ...v(0, true), version: 2, revertedFrom: 1 };
  const history = [v(0, true), failed, reverted];

  it('the failed spec, still in the NomadJob, makes no new version: the revert stays in effect', () => {
    expect(decideVersion(history, failed.spec, now)).toEqual({ kind: 'unchanged', current: reverted });
  });

  it('a spec the user changes makes the next version', () => {
    const decision = decideVersion(history, exampleSpec({}, { count: 51 }), now);
    expect(decision.kind === 'new' && decision.version.version).toBe(3);
  });

  it('pruning keeps the failed version a revert in effect stands in for', () => {
    const long = [v(0, true), v(1), v(2), v(3), v(4), v(5), v(6), { ...v(0, true), version: 7, revertedFrom: 1 }];
    // v7 is the newest stable version now, so the older stable v0 is not protected (Nomad keeps only the newest).
    expect(versionsToPrune(long).map((x) => x.version)).toEqual([0, 2]);
  });
});
