import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/model/duration.ts';

describe('Go duration strings', () => {
  it.each([
    ['0', 0],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1_500],
    ['2h0m0s', 7_200_000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', '5 m', '-1s', '1d', 'ten seconds'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());

  it.each([
    [10_000, '10s'],
    [300_000, '5m0s'],
    [5_400_000, '1h30m0s'],
    [250, '250ms'],
    [0, '0s'],
  ])('%d ms prints as Go prints it: %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
