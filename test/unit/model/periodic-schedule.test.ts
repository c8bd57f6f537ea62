import { describe, expect, it } from 'vitest';
import { cronProblem, nextLaunchAfter, timeZoneProblem } from '../../../src/model/periodic-schedule.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? 'never' : new Date(ms).toISOString());

describe('the next periodic launch (spec §1.2)', () => {
  it.each([
    ['5 fields: min hour dom month dow', ['0 2 * * *'], 'UTC', '2026-01-01T00:00:00Z', '2026-01-01T02:00:00.000Z'],
    ['Next is strictly after the given time', ['0 2 * * *'], 'UTC', '2026-01-01T02:00:00Z', '2026-01-02T02:00:00.000Z'],
    ['6 fields append a year, not seconds: every 5 minutes', ['*/5 * * * * *'], 'UTC', '2026-01-01T00:10:00Z', '2026-01-01T00:15:00.000Z'],
    ['7 fields start with seconds: every 5 seconds', ['*/5 * * * * * *'], 'UTC', '2026-01-01T00:10:00Z', '2026-01-01T00:10:05.000Z'],
    ['several crons: the earliest wins', ['0 * * * *', '30 * * * *'], 'UTC', '2026-01-01T00:10:00Z', '2026-01-01T00:30:00.000Z'],
    ['coinciding crons make one launch', ['0 * * * *', '0 */2 * * *'], 'UTC', '2026-01-01T00:10:00Z', '2026-01-01T01:00:00.000Z'],
    ['a past year never fires again', ['0 0 1 1 * 2020'], 'UTC', '2026-01-01T00:10:00Z', 'never'],
    ['@daily', ['@daily'], 'UTC', '2026-01-01T00:10:00Z', '2026-01-02T00:00:00.000Z'],
    ['fields match the wall clock of the time zone', ['0 2 * * *'], 'America/New_York', '2026-01-01T00:00:00Z', '2026-01-01T07:00:00.000Z'],
    ['same wall clock after the DST change (EDT)', ['0 2 * * *'], 'America/New_York', '2026-06-01T00:00:00Z', '2026-06-01T06:00:00.000Z'],
    ['a local time skipped by spring-forward does not fire that day', ['30 2 * * *'], 'America/New_York', '2026-03-07T12:00:00Z', '2026-03-09T06:30:00.000Z'],
    ['every hour is unaffected by spring-forward', ['0 * * * *'], 'America/New_York', '2026-03-08T06:30:00Z', '2026-03-08T07:00:00.000Z'],
    ['an empty time zone is UTC', ['0 2 * * *'], '', '2026-01-01T00:00:00Z', '2026-01-01T02:00:00.000Z'],
  ])('%s', (_rule, crons, timeZone, after, expected) => expect(iso(nextLaunchAfter({ crons, timeZone }, at(after)))).toBe(expected));
});

describe('cron and time zone validation', () => {
  it.each([
    ['0 2 * * *', undefined],
    ['*/5 * * * * * *', undefined],
    ['@hourly', undefined],
    ['61 * * * *', 'CronPattern: Invalid value for minute: 61'],
    ['* * *', 'expected 5 to 7 fields (min hour dom month dow [year], or sec min hour dom month dow year), found 3'],
  ])('%s', (cron, problem) => expect(cronProblem(cron)).toBe(problem));

  it.each([
    ['UTC', undefined],
    ['Europe/Berlin', undefined],
    ['Mars/Base', 'unknown time zone Mars/Base'],
  ])('%s', (zone, problem) => expect(timeZoneProblem(zone)).toBe(problem));
});
