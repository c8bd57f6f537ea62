import { describe, expect, it } from 'vitest';
import { durationNanos, goTime, msToNanos, msToUnixNanos, unixNanos, zeroGoTime } from '../../../../src/api/nomad/wire.ts';

describe('durations are integer nanoseconds (time.Duration)', () => {
  it.each([
    [10_000, 10_000_000_000],
    [300_000, 300_000_000_000],
    [0, 0],
    [0.5, 500_000],
  ])('%d ms is %d ns', (ms, nanos) => expect(msToNanos(ms)).toBe(nanos));

  it.each([
    ['2m0s', 120_000_000_000],
    ['5m', 300_000_000_000],
    ['250ms', 250_000_000],
    ['1h30m', 5_400_000_000_000],
    [undefined, 0],
    ['soon', 0],
  ])('Go duration %s is %d ns', (text, nanos) => expect(durationNanos(text)).toBe(nanos));
});

describe('Unix nanoseconds (CreateTime, ModifyTime, SubmitTime, TaskEvent.Time)', () => {
  it.each([
    ['seconds (metav1.Time)', '2026-03-01T10:00:00Z', 1772359200000000000n],
    ['milliseconds', '2026-03-01T10:00:00.123Z', 1772359200123000000n],
    ['microseconds (MicroTime)', '2026-03-01T10:00:00.123456Z', 1772359200123456000n],
    ['a Date', new Date('2026-03-01T10:00:00.5Z'), 1772359200500000000n],
  ])('%s keep every digit through JSON', (_what, time, exact) => {
    // Go decodes the JSON text: the printed digits must be the exact value.
    expect(JSON.stringify(unixNanos(time))).toBe(exact.toString());
  });

  it.each([[undefined], [null], ['not a time']])('%s is 0', (time) => expect(unixNanos(time as string | undefined)).toBe(0));

  it('epoch milliseconds convert exactly too', () => {
    expect(JSON.stringify(msToUnixNanos(Date.parse('2026-03-01T10:00:00.007Z')))).toBe('1772359200007000000');
    expect(msToUnixNanos(undefined)).toBe(0);
  });
});

describe('time.Time is RFC 3339 as Go writes it', () => {
  it.each([
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z'],
    ['2026-03-01T10:00:00.120Z', '2026-03-01T10:00:00.12Z'],
    ['2026-03-01T10:00:00.123456Z', '2026-03-01T10:00:00.123456Z'],
    ['2026-03-01T12:00:00+02:00', '2026-03-01T10:00:00Z'],
  ])('%s → %s', (text, go) => expect(goTime(text)).toBe(go));

  it('writes Date and epoch milliseconds without a zero fraction', () => {
    expect(goTime(new Date('2026-03-01T10:00:00Z'))).toBe('2026-03-01T10:00:00Z');
    expect(goTime(Date.parse('2026-03-01T10:00:00.250Z'))).toBe('2026-03-01T10:00:00.25Z');
  });

  it("writes Go's zero time when there is none", () => {
    expect(goTime(undefined)).toBe(zeroGoTime);
    expect(zeroGoTime).toBe('0001-01-01T00:00:00Z');
  });
});
