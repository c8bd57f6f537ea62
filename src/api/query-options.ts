import { badRequest } from './http-error.ts';

/** The query parameters Nomad's read endpoints share (nomad-semantics §3.1). */
export interface QueryOptions {
  /** A Kubernetes namespace, or '*' for every namespace the caller may read (lists only). */
  readonly namespace: string;
  /** Block until the result's index is above this (0: answer at once). */
  readonly index: number;
  /** How long to block at most, in ms (Nomad's default and maximum: 5 minutes). */
  readonly waitMs: number;
  readonly prefix: string;
  readonly filter: string;
  /** 0 means every item. */
  readonly perPage: number;
  readonly nextToken: string;
  readonly reverse: boolean;
}

export const maxWaitMs = 5 * 60_000;

const goDurationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration such as `30s`, `1m30s` or `500ms`, in ms; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * goDurationUnits[p[2]!]!, 0);
}

function bool(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badRequest(`Expect \`true\` or \`false\` for \`${name}\` query string parameter`);
}

/** Reads the common parameters with Nomad's validation and error texts. */
export function parseQueryOptions(query: Record<string, string | undefined>): QueryOptions {
  bool('stale', query['stale']);
  let index = 0;
  if (query['index'] !== undefined && query['index'] !== '') {
    if (!/^\d+$/.test(query['index'])) throw badRequest('Invalid index');
    index = Number(query['index']);
  }
  let waitMs = maxWaitMs;
  if (query['wait'] !== undefined && query['wait'] !== '') {
    const parsed = parseGoDuration(query['wait']);
    if (parsed === undefined) throw badRequest('Invalid wait time');
    waitMs = Math.min(parsed, maxWaitMs);
  }
  let perPage = 0;
  if (query['per_page'] !== undefined && query['per_page'] !== '') {
    const n = Number(query['per_page']);
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw badRequest('Expect a number for `per_page` query string parameter');
    perPage = Math.max(0, n);
  }
  return {
    namespace: query['namespace'] || 'default',
    index,
    waitMs,
    prefix: query['prefix'] ?? '',
    filter: query['filter'] ?? '',
    perPage,
    nextToken: query['next_token'] ?? '',
    reverse: bool('reverse', query['reverse']),
  };
}
