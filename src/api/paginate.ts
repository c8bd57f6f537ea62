import { badRequest } from './http-error.ts';
import type { QueryOptions } from './query-options.ts';

/** A token's parts: Nomad's `<CreateIndex>.<ID>` compares the index as a number, then the rest. */
export type TokenKey = readonly [index: number, rest: string];

export function tokenKey(token: string): TokenKey {
  const dot = token.indexOf('.');
  const head = dot < 0 ? '' : token.slice(0, dot);
  return /^\d+$/.test(head) ? [Number(head), token.slice(dot + 1)] : [-1, token];
}

export function compareTokenKeys(a: TokenKey, b: TokenKey): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export function compareTokens(a: string, b: string): number {
  return compareTokenKeys(tokenKey(a), tokenKey(b));
}

/** An item with its pagination token, parsed once. */
export interface Tokened<T> {
  readonly item: T;
  readonly token: string;
  readonly key: TokenKey;
}

export function tokened<T>(item: T, token: string): Tokened<T> {
  return { item, token, key: tokenKey(token) };
}

/**
 * An item whose token is `<index>.<rest>` (a CreateIndex and an ID), from its parts: the token's
 * text is made only when it is asked for (a page's next_token), so an order of 100,000 Pods does
 * not hold 100,000 token strings beside the IDs their objects hold already.
 */
class IndexedToken<T> implements Tokened<T> {
  readonly item: T;
  readonly key: TokenKey;

  constructor(item: T, index: number, rest: string) {
    this.item = item;
    this.key = [index, rest];
  }

  get token(): string {
    return `${this.key[0]}.${this.key[1]}`;
  }
}

export function indexTokened<T>(item: T, index: number, rest: string): Tokened<T> {
  return new IndexedToken(item, index, rest);
}

/** Items in token order (ascending), each token parsed once. */
export function inTokenOrder<T>(items: Iterable<Tokened<T>>): Tokened<T>[] {
  return [...items].sort((a, b) => compareTokenKeys(a.key, b.key));
}

type PageOptions = Pick<QueryOptions, 'perPage' | 'nextToken' | 'reverse'>;

/** Where a walk in `ordered` (ascending) starts: the first item at or after `next_token` (at or before it, reversed). */
function startAt(ordered: readonly Tokened<unknown>[], opts: PageOptions): number {
  if (!opts.nextToken) return opts.reverse ? ordered.length - 1 : 0;
  const next = tokenKey(opts.nextToken);
  // The first position whose token is not below next_token (forward), or is above it (reverse).
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareTokenKeys(ordered[mid]!.key, next);
    if (c < 0 || (opts.reverse && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return opts.reverse ? lo - 1 : lo;
}

/**
 * Nomad's paginator (nomad-semantics §3.1) over items already in token order: walk them (reversed
 * on request) from `next_token`, keep those `resolve` gives an object for (the namespace and
 * prefix tests: cheap) and the filter accepts, return `per_page` of them and the token of the
 * next one when there is one. The filter sees the full object, not the list stub; only the items
 * the walk reaches are resolved and judged, so a page costs the page, not the list.
 */
export function paginateOrdered<T, U>(
  ordered: readonly Tokened<T>[],
  opts: PageOptions,
  resolve: (item: T) => U | undefined,
  accept: (value: U) => boolean = () => true,
): { page: U[]; nextToken?: string } {
  const page: U[] = [];
  const step = opts.reverse ? -1 : 1;
  for (let i = startAt(ordered, opts); i >= 0 && i < ordered.length; i += step) {
    const entry = ordered[i]!;
    const value = resolve(entry.item);
    if (value === undefined) continue;
    let accepted: boolean;
    try {
      accepted = accept(value);
    } catch (error) {
      throw badRequest(`failed to read result page: ${(error as Error).message}`);
    }
    if (!accepted) continue;
    if (opts.perPage > 0 && page.length === opts.perPage) return { page, nextToken: entry.token };
    page.push(value);
  }
  return { page };
}

/** paginateOrdered over items in any order (sorted here first). */
export function paginate<T>(
  items: readonly T[],
  opts: PageOptions,
  tokenOf: (item: T) => string,
  accept: (item: T) => boolean = () => true,
): { page: T[]; nextToken?: string } {
  return paginateOrdered(inTokenOrder(items.map((item) => tokened(item, tokenOf(item)))), opts, (item) => item, accept);
}
