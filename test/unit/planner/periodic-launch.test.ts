import { describe, expect, it } from 'vitest';
import { decidePeriodicLaunch, type PeriodicInput } from '../../../src/planner/periodic-launch.ts';

const t = (iso: string) => Date.parse(iso);
const hourly = { crons: ['0 * * * *'] };
const base: PeriodicInput = {
  periodic: hourly,
  active: true,
  version: 0,
  record: { lastLaunch: t('2026-01-01T00:00:00Z'), nextLaunch: t('2026-01-01T01:00:00Z'), trackedVersion: 0 },
  latestChildLaunch: undefined,
  childRunning: false,
  restored: false,
  now: t('2026-01-01T00:30:00Z'),
};

describe('the periodic dispatcher (spec §1.3-§1.7)', () => {
  it.each<[string, Partial<PeriodicInput>, { launch?: string; reason?: string; next?: string; skipped?: boolean; last?: string }]>([
    ['before the next launch: nothing, look again then', {}, { next: '2026-01-01T01:00:00Z', last: '2026-01-01T00:00:00Z' }],
    [
      'at the launch time: a child for that time; the next is timed from it',
      { now: t('2026-01-01T01:00:00.200Z') },
      { launch: '2026-01-01T01:00:00Z', reason: 'scheduled', next: '2026-01-01T02:00:00Z', last: '2026-01-01T01:00:00Z' },
    ],
    [
      'prohibit_overlap with a child running: the launch is skipped, the record unchanged',
      { now: t('2026-01-01T01:00:01Z'), childRunning: true, periodic: { ...hourly, prohibitOverlap: true } },
      { skipped: true, next: '2026-01-01T02:00:00Z', last: '2026-01-01T00:00:00Z' },
    ],
    [
      'a running child without prohibit_overlap does not stop a launch',
      { now: t('2026-01-01T01:00:01Z'), childRunning: true },
      { launch: '2026-01-01T01:00:00Z', reason: 'scheduled', next: '2026-01-01T02:00:00Z' },
    ],
    ['disabled: no launch, no next launch', { active: false, now: t('2026-01-01T01:00:01Z') }, { last: '2026-01-01T00:00:00Z' }],
    [
      'first tracking: the record starts now, the next launch is timed from now',
      { record: {}, now: t('2026-01-01T00:30:00Z') },
      { next: '2026-01-01T01:00:00Z', last: '2026-01-01T00:30:00Z' },
    ],
    [
      'a new version re-times the next launch from now, with no catch-up',
      { version: 1, now: t('2026-01-01T03:30:00Z') },
      { next: '2026-01-01T04:00:00Z', last: '2026-01-01T00:00:00Z' },
    ],
    [
      'restore after three missed launches: one catch-up launch, now',
      { restored: true, now: t('2026-01-01T03:30:00Z') },
      { launch: '2026-01-01T03:30:00Z', reason: 'catch-up', next: '2026-01-01T04:00:00Z', last: '2026-01-01T03:30:00Z' },
    ],
    ['restore before the next launch: nothing', { restored: true }, { next: '2026-01-01T01:00:00Z' }],
    [
      'restore with an overlap-blocking child: nothing',
      { restored: true, now: t('2026-01-01T03:30:00Z'), childRunning: true, periodic: { ...hourly, prohibitOverlap: true } },
      { skipped: true, next: '2026-01-01T04:00:00Z' },
    ],
    [
      'restore after a crash that launched but did not record: the child is the record, no second launch',
      { restored: true, now: t('2026-01-01T03:30:05Z'), latestChildLaunch: t('2026-01-01T03:30:00Z') },
      { next: '2026-01-01T04:00:00Z', last: '2026-01-01T03:30:00Z' },
    ],
  ])('%s', (_rule, change, expected) => {
    const d = decidePeriodicLaunch({ ...base, ...change });
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));
    expect(iso(d.launch?.at)).toBe(expected.launch);
    expect(d.launch?.reason).toBe(expected.reason);
    expect(iso(d.record.nextLaunch)).toBe(expected.next);
    expect(iso(d.requeueAt)).toBe(expected.next);
    expect(d.skipped !== undefined).toBe(expected.skipped ?? false);
    if (expected.last) expect(iso(d.record.lastLaunch)).toBe(expected.last);
  });

  it('a retried launch (the status was not written) is the same launch time, so the same child name', () => {
    const now = t('2026-01-01T01:00:02Z');
    expect(decidePeriodicLaunch({ ...base, now }).launch).toEqual(decidePeriodicLaunch({ ...base, now: now + 500 }).launch);
  });
});
