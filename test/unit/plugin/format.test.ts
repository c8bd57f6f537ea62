import { describe, expect, it } from 'vitest';
import { formatKV, formatList, formatTime, prettyTimeDiff, shortId } from '../../../src/plugin/format.ts';

const now = Date.parse('2026-03-01T12:00:00Z');

describe("Nomad's CLI layout", () => {
  it('aligns Key = value blocks on the =', () => {
    expect(
      formatKV([
        ['ID', 'web'],
        ['Submit Date', '2026-03-01T10:00:00Z'],
      ]),
    ).toBe('ID          = web\nSubmit Date = 2026-03-01T10:00:00Z');
  });

  it('puts a multi-line value under its key without a trailing space', () => {
    expect(formatKV([['Diff', '\n~ a: 1 => 2']])).toBe('Diff =\n~ a: 1 => 2');
  });

  it('aligns table columns two spaces apart, without padding the last one', () => {
    expect(
      formatList(
        ['ID', 'Status'],
        [
          ['a0a0a0a0', 'running'],
          ['b', 'pending'],
        ],
      ),
    ).toBe('ID        Status\na0a0a0a0  running\nb         pending');
  });

  it.each([
    ['seconds', now - 5_000, '5s ago'],
    ['minutes and seconds', now - 65_000, '1m5s ago'],
    ['hours and minutes, seconds dropped', now - (3_600_000 + 3 * 60_000 + 9_000), '1h3m ago'],
    ['days and hours', now - (2 * 86_400_000 + 4 * 3_600_000), '2d4h ago'],
    ['a whole unit without a zero second part', now - 3_600_000, '1h ago'],
    ['no difference', now, '0s ago'],
    ['the future', now + 90_000, '1m30s from now'],
  ])('prettyTimeDiff: %s', (_case, at, text) => {
    expect(prettyTimeDiff(at, now)).toBe(text);
  });

  it.each([
    ['an RFC 3339 string', '2026-03-01T10:00:00.123Z', '2026-03-01T10:00:00Z'],
    ['milliseconds', Date.parse('2026-03-01T10:00:00Z'), '2026-03-01T10:00:00Z'],
    ['nothing', undefined, 'N/A'],
    ['garbage', 'soon', 'N/A'],
  ])('formatTime: %s', (_case, at, text) => {
    expect(formatTime(at)).toBe(text);
  });

  it.each([
    ['d1d1d1d1-0000-4000-8000-000000000001', false, 'd1d1d1d1'],
    ['d1d1d1d1-0000-4000-8000-000000000001', true, 'd1d1d1d1-0000-4000-8000-000000000001'],
    [undefined, false, '<none>'],
  ])('shortId(%s, verbose %s) is %s', (id, verbose, text) => {
    expect(shortId(id, verbose)).toBe(text);
  });
});
