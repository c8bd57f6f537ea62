import { describe, expect, it } from 'vitest';
import { deploymentsQuery, parseListQuery, timestampMatches } from '../../../../src/api/cf/list-query.ts';
import { pageHref, paginated } from '../../../../src/api/cf/pagination.ts';

const valid =
  "Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'app_guids', 'states', 'status_reasons', 'status_values', 'label_selector'";
const parse = (q: string) => parseListQuery(q, deploymentsQuery);
const errorsOf = (q: string) => {
  const r = parse(q);
  return r.ok ? [] : r.errors;
};

describe('GET /v3/deployments query (spec §3.1, §3.1.1)', () => {
  it.each([
    ['unknown parameter', 'foo=1', [`Unknown query parameter(s): 'foo'. ${valid}`]],
    ['several unknown', 'a=1&b=2', [`Unknown query parameter(s): 'a', 'b'. ${valid}`]],
    ['page 0', 'page=0', ['Page must be a positive integer']],
    ['page negative', 'page=-1', ['Page must be a positive integer']],
    ['page not a number', 'page=abc', ['Page must be a positive integer']],
    ['page empty', 'page=', ['Page must be a positive integer']],
    ['per_page 0', 'per_page=0', ['Per page must be a positive integer']],
    ['per_page empty', 'per_page=', ['Per page must be a positive integer']],
    ['per_page above 5000', 'per_page=5001', ['Per page must be between 1 and 5000']],
    ['order_by other column', 'order_by=name', ["Order by can only be: 'created_at', 'updated_at'"]],
    [
      'created_ats bad format',
      'created_ats=2020-01-01',
      ["Created ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'"],
    ],
    [
      'created_ats with fraction',
      'created_ats=2020-01-01T00:00:00.5Z',
      ["Created ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'"],
    ],
    [
      'updated_ats bad relational value',
      'updated_ats[gt]=yesterday',
      ["Updated ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'"],
    ],
    ['relational operator unknown', 'created_ats[foo]=2020-01-01T00:00:00Z', ["Created ats Invalid relational operator: 'foo'"]],
    [
      'relational with two values',
      'created_ats[lt]=2020-01-01T00:00:00Z,2020-01-02T00:00:00Z',
      ['Created ats only accepts one value when using a relational operator'],
    ],
    ['list in bracket form', 'app_guids[x]=y', ['App guids must be an array']],
    ['status_values in bracket form', 'status_values[x]=y', ['Status values must be an array']],
    ['empty label selector', 'label_selector=', ['Missing label_selector value']],
    ['several at once', 'page=0&per_page=0', ['Page must be a positive integer', 'Per page must be a positive integer']],
  ])('%s: %s', (_name, query, errors) => {
    expect(errorsOf(query)).toEqual(errors);
  });

  it.each([
    ['defaults', '', { page: 1, perPage: 50 }],
    ['page read with to_i', 'page=2abc', { page: 2, perPage: 50 }],
    ['per_page 5000', 'per_page=5000', { page: 1, perPage: 5000 }],
    ['order_by descending', 'order_by=-created_at', { orderBy: { field: 'created_at', descending: true } }],
    ['order_by +', 'order_by=%2Bupdated_at', { orderBy: { field: 'updated_at', descending: false } }],
    ['empty order_by ignored', 'order_by=', { page: 1 }],
    ['lists split on comma and spaces', 'status_values=ACTIVE,%20FINALIZED', { lists: { status_values: ['ACTIVE', 'FINALIZED'] } }],
    ['%2C is a literal comma', 'app_guids=a%2Cb', { lists: { app_guids: ['a,b'] } }],
    ['empty list value is [""]', 'status_reasons=', { lists: { status_reasons: [''] } }],
    ['values are not validated', 'status_values=foo', { lists: { status_values: ['foo'] } }],
    [
      'equality timestamps',
      'created_ats=2020-01-01T00:00:00Z,2020-01-02T00:00:00Z',
      { createdAts: { kind: 'equal', values: ['2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'] } },
    ],
    [
      'relational timestamps combine',
      'updated_ats[gte]=2020-01-01T00:00:00Z&updated_ats[lt]=2021-01-01T00:00:00Z',
      { updatedAts: { kind: 'relational', bounds: { gte: '2020-01-01T00:00:00Z', lt: '2021-01-01T00:00:00Z' } } },
    ],
  ])('%s: %s', (_name, query, expected) => {
    const r = parse(query);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.query).toMatchObject(expected);
  });

  it.each([
    ['equality is the whole second', { kind: 'equal', values: ['2020-01-01T00:00:00Z'] }, '2020-01-01T00:00:00.999Z', true],
    ['equality, next second', { kind: 'equal', values: ['2020-01-01T00:00:00Z'] }, '2020-01-01T00:00:01Z', false],
    ['lt is before the second', { kind: 'relational', bounds: { lt: '2020-01-01T00:00:00Z' } }, '2020-01-01T00:00:00.1Z', false],
    ['lte includes the second', { kind: 'relational', bounds: { lte: '2020-01-01T00:00:00Z' } }, '2020-01-01T00:00:00.9Z', true],
    ['gt is after the second', { kind: 'relational', bounds: { gt: '2020-01-01T00:00:00Z' } }, '2020-01-01T00:00:00.9Z', false],
    ['gt, next second', { kind: 'relational', bounds: { gt: '2020-01-01T00:00:00Z' } }, '2020-01-01T00:00:01Z', true],
    ['gte includes the second', { kind: 'relational', bounds: { gte: '2020-01-01T00:00:00Z' } }, '2020-01-01T00:00:00Z', true],
  ] as const)('timestamps: %s', (_name, filter, at, matches) => {
    expect(timestampMatches(at, filter)).toBe(matches);
  });
});

describe('pagination links (spec §4)', () => {
  const base = 'https://api.example.org/v3/deployments';
  const query = (q: string) => {
    const r = parse(q);
    if (!r.ok) throw new Error(r.errors.join());
    return r.query;
  };
  it.each([
    ['status_values=FINALIZED', `${base}?page=1&per_page=50&status_values=FINALIZED`],
    ['status_reasons=SUPERSEDED,DEPLOYED', `${base}?page=1&per_page=50&status_reasons=SUPERSEDED%2CDEPLOYED`],
    ['order_by=-created_at&per_page=1&app_guids=G&status_values=ACTIVE', `${base}?app_guids=G&order_by=-created_at&page=1&per_page=1&status_values=ACTIVE`],
    ['order_by=created_at', `${base}?order_by=%2Bcreated_at&page=1&per_page=50`],
    ['updated_ats[gt]=2020-01-01T00:00:00Z', `${base}?page=1&per_page=50&updated_ats%5Bgt%5D=2020-01-01T00%3A00%3A00Z`],
    ['app_guids=a%2Cb', `${base}?app_guids=a%252Cb&page=1&per_page=50`],
    ['label_selector=env!=prod', `${base}?label_selector=env%21%3Dprod&page=1&per_page=50`],
  ])('%s', (q, href) => {
    expect(pageHref(base, query(q), 1)).toBe(href);
  });

  it('pages: first/last always, next/previous when they exist; empty is one page', () => {
    expect(paginated(base, query('per_page=2&page=2'), [1, 2, 3, 4, 5])).toEqual({
      pagination: {
        total_results: 5,
        total_pages: 3,
        first: { href: `${base}?page=1&per_page=2` },
        last: { href: `${base}?page=3&per_page=2` },
        next: { href: `${base}?page=3&per_page=2` },
        previous: { href: `${base}?page=1&per_page=2` },
      },
      resources: [3, 4],
    });
    expect(paginated(base, query(''), []).pagination).toEqual({
      total_results: 0,
      total_pages: 1,
      first: { href: `${base}?page=1&per_page=50` },
      last: { href: `${base}?page=1&per_page=50` },
      next: null,
      previous: null,
    });
    expect(paginated(base, query('page=5'), [1]).pagination.previous).toEqual({ href: `${base}?page=4&per_page=50` });
  });
});
