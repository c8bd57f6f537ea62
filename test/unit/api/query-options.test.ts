import { describe, expect, it } from 'vitest';
import { NomadHttpError } from '../../../src/api/http-error.ts';
import { parseGoDuration, parseQueryOptions } from '../../../src/api/query-options.ts';

describe('common query options (nomad-semantics §3.1)', () => {
  it('defaults: namespace default, no blocking, the 5-minute maximum wait, every item', () => {
    expect(parseQueryOptions({})).toEqual({
      namespace: 'default',
      index: 0,
      waitMs: 300_000,
      prefix: '',
      filter: '',
      perPage: 0,
      nextToken: '',
      reverse: false,
    });
  });

  it.each([
    [{ namespace: '*' }, { namespace: '*' }],
    [
      { index: '42', wait: '30s' },
      { index: 42, waitMs: 30_000 },
    ],
    [{ wait: '1m30s' }, { waitMs: 90_000 }],
    [{ wait: '10m' }, { waitMs: 300_000 }],
    [{ wait: '250ms' }, { waitMs: 250 }],
    [
      { per_page: '20', next_token: 'default.web', reverse: 'true' },
      { perPage: 20, nextToken: 'default.web', reverse: true },
    ],
    [
      { prefix: 'we', filter: 'Status == "running"' },
      { prefix: 'we', filter: 'Status == "running"' },
    ],
  ] as const)('%j', (query, expected) => {
    expect(parseQueryOptions(query)).toMatchObject(expected);
  });

  it.each([
    [{ index: 'x' }, 'Invalid index'],
    [{ index: '-3' }, 'Invalid index'],
    [{ index: '1', wait: '5 minutes' }, 'Invalid wait time'],
    [{ stale: 'yes' }, 'Expect `true` or `false` for `stale` query string parameter'],
    [{ reverse: '1' }, 'Expect `true` or `false` for `reverse` query string parameter'],
    [{ per_page: 'ten' }, 'Expect a number for `per_page` query string parameter'],
    [{ per_page: '99999999999' }, 'Expect a number for `per_page` query string parameter'],
  ] as const)('%j → 400 %s', (query, message) => {
    let error: unknown;
    try {
      parseQueryOptions(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NomadHttpError);
    expect(error).toMatchObject({ status: 400, message });
  });

  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['2m3s', 123_000],
    ['300us', 0.3],
    ['', undefined],
    ['5', undefined],
    ['s', undefined],
    ['1d', undefined],
  ] as const)('Go duration %j → %s ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
