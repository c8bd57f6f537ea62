import { describe, expect, it } from 'vitest';
import { defaultReschedulePolicy } from '../../../src/model/defaults.ts';
import type { ReschedulePolicy } from '../../../src/model/job.ts';
import { nextRescheduleDelay, rescheduleDecision, type RescheduleEvent } from '../../../src/planner/reschedule.ts';

const s = 1000;
const service = defaultReschedulePolicy.service!;
const batch = defaultReschedulePolicy.batch!;
const events = (...delays: number[]): RescheduleEvent[] => delays.map((delay, i) => ({ at: i * s, delay: delay * s }));

describe('rescheduling failed allocations', () => {
  it.each<[string, ReschedulePolicy, RescheduleEvent[], number]>([
    ['service default, first reschedule: 30s', service, [], 30],
    ['exponential doubles', service, events(30, 60), 120],
    ['exponential stops at max_delay (1h)', service, events(2400), 3600],
    ['constant stays', { ...batch, delay: 5 * s }, events(5, 5), 5],
    ['fibonacci adds the last two', { ...service, delayFunction: 'fibonacci', delay: 5 * s }, events(5, 5, 10), 15],
  ])('%s', (_rule, policy, previous, seconds) => expect(nextRescheduleDelay(policy, previous)).toBe(seconds * s));

  it.each<[string, ReschedulePolicy | undefined, RescheduleEvent[], number, number, object]>([
    ['after the delay: now', service, [], 0, 31 * s, { kind: 'now' }],
    ['before the delay: later, at failure + delay', service, [], 10 * s, 20 * s, { kind: 'later', at: 40 * s }],
    [
      'batch: 1 attempt in 24h, used',
      batch,
      [{ at: 10 * s, delay: 5 * s }],
      20 * s,
      30 * s,
      { kind: 'never', reason: 'reschedule attempts exhausted (1 in 86400s)' },
    ],
    ['batch: the earlier attempt is outside the interval', batch, [{ at: 0, delay: 5 * s }], 90_000 * s, 90_010 * s, { kind: 'now' }],
    ['system jobs are not rescheduled', undefined, [], 0, 99 * s, { kind: 'never', reason: 'the job type is not rescheduled' }],
  ])('%s', (_rule, policy, previous, failedAt, now, expected) => expect(rescheduleDecision(policy, previous, failedAt, now)).toEqual(expected));
});
