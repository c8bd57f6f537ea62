import { cgiEscape, type ListQuery } from './list-query.ts';

/**
 * CC's list envelope (§4): the page of resources and a pagination object whose links repeat
 * every filter of the request, serialised as Rails' `Hash#to_query` does (each pair
 * CGI-escaped, pairs sorted as strings).
 */
export interface CfLink {
  readonly href: string;
}

export interface CfPagination {
  readonly total_results: number;
  readonly total_pages: number;
  readonly first: CfLink;
  readonly last: CfLink;
  readonly next: CfLink | null;
  readonly previous: CfLink | null;
}

export interface CfList<T> {
  readonly pagination: CfPagination;
  readonly resources: readonly T[];
}

export function pageHref(base: string, query: ListQuery, page: number): string {
  const pairs: (readonly [string, string])[] = [['page', String(page)], ['per_page', String(query.perPage)], ...query.echo];
  return `${base}?${pairs
    .map(([k, v]) => `${cgiEscape(k)}=${cgiEscape(v)}`)
    .sort()
    .join('&')}`;
}

export function paginated<T>(base: string, query: ListQuery, all: readonly T[]): CfList<T> {
  const total = all.length;
  const pages = Math.max(1, Math.ceil(total / query.perPage));
  const link = (page: number): CfLink => ({ href: pageHref(base, query, page) });
  const start = (query.page - 1) * query.perPage;
  return {
    pagination: {
      total_results: total,
      total_pages: pages,
      first: link(1),
      last: link(pages),
      next: query.page + 1 > pages ? null : link(query.page + 1),
      previous: query.page - 1 < 1 ? null : link(query.page - 1),
    },
    resources: all.slice(start, start + query.perPage),
  };
}

/**
 * CC's order: by the column, ties broken by guid in the same direction; without `order_by`, by
 * creation (CC's internal id), which `created` and then the guid stand in for.
 */
export function ordered<T>(all: readonly T[], query: ListQuery, field: (item: T, name: string) => string, guid: (item: T) => string): T[] {
  const by = query.orderBy ?? { field: 'created_at', descending: false };
  const sign = by.descending ? -1 : 1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...all].sort((a, b) => sign * (cmp(field(a, by.field), field(b, by.field)) || cmp(guid(a), guid(b))));
}
