import { badRequest } from './http-error.ts';
import type { QueryOptions } from './query-options.ts';

/** A token's parts: Nomad's `<CreateIndex>.<ID>` compares the index as a number, then the rest. */
function tokenKey(token: string): [number, string] {
  const dot = token.indexOf('.');
  const head = dot < 0 ? '' : token.slice(0, dot);
  return /^\d+$/.test(head) ? [Number(head), token.slice(dot + 1)] : [-1, token];
}

export function compareTokens(a: string, b: string): number {
  const [ai, ar] = tokenKey(a);
  const [bi, br] = tokenKey(b);
  if (ai !== bi) return ai - bi;
  return ar < br ? -1 : ar > br ? 1 : 0;
}

/**
 * Nomad's paginator (nomad-semantics §3.1): walk the items in token order (reversed on request),
 * start at `next_token`, keep those the filter accepts, return `per_page` of them and the token of
 * the next one when there is one. The filter sees the full object, not the list stub.
 */
export function paginate<T>(
  items: readonly T[],
  opts: Pick<QueryOptions, 'perPage' | 'nextToken' | 'reverse'>,
  tokenOf: (item: T) => string,
  accept: (item: T) => boolean = () => true,
): { page: T[]; nextToken?: string } {
  const ordered = [...items].sort((a, b) => compareTokens(tokenOf(a), tokenOf(b)) * (opts.reverse ? -1 : 1));
  const page: T[] = [];
  for (const item of ordered) {
    const token = tokenOf(item);
    if (opts.nextToken && compareTokens(token, opts.nextToken) * (opts.reverse ? -1 : 1) < 0) continue;
    let accepted: boolean;
    try {
      accepted = accept(item);
    } catch (error) {
      throw badRequest(`failed to read result page: ${(error as Error).message}`);
    }
    if (!accepted) continue;
    if (opts.perPage > 0 && page.length === opts.perPage) return { page, nextToken: token };
    page.push(item);
  }
  return { page };
}
