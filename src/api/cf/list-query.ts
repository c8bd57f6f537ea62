import { parseLabelSelector, type LabelRequirement } from './label-selector.ts';

/**
 * A v3 list query as CC's ListMessage reads it (§3.1): paging, order_by, timestamp filters, list
 * filters and label_selector, with CC's exact 400 messages. Pure: the raw query string in, the
 * parsed query (or the messages) out.
 */
export type RelationalOperator = 'lt' | 'lte' | 'gt' | 'gte';
const relationalOperators: readonly string[] = ['lt', 'lte', 'gt', 'gte'];

export type TimestampFilter =
  | { readonly kind: 'equal'; readonly values: readonly string[] }
  | { readonly kind: 'relational'; readonly bounds: Readonly<Partial<Record<RelationalOperator, string>>> };

export interface OrderBy {
  readonly field: string;
  readonly descending: boolean;
}

export interface ListQuery {
  readonly page: number;
  readonly perPage: number;
  /** Undefined: creation order. */
  readonly orderBy?: OrderBy;
  readonly createdAts?: TimestampFilter;
  readonly updatedAts?: TimestampFilter;
  /** The list filters given (e.g. `app_guids`), each a list of values. */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly labelSelector?: readonly LabelRequirement[];
  /** What the pagination links repeat: every filter the request supplied, as CC re-serialises it. */
  readonly echo: readonly (readonly [string, string])[];
}

export interface ListQuerySpec {
  /** List filters, in the order CC names them in its unknown-parameter message. */
  readonly lists: readonly string[];
  readonly orderBy: readonly string[];
  /** Whether the endpoint takes created_ats/updated_ats and label_selector. */
  readonly timestamps: boolean;
  readonly labelSelector: boolean;
  /** The valid-parameter list of the unknown-parameter message, in CC's order. */
  readonly allowed: readonly string[];
}

export const deploymentsQuery: ListQuerySpec = {
  lists: ['guids', 'app_guids', 'states', 'status_reasons', 'status_values'],
  orderBy: ['created_at', 'updated_at'],
  timestamps: true,
  labelSelector: true,
  allowed: ['page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'app_guids', 'states', 'status_reasons', 'status_values', 'label_selector'],
};

export const appsQuery: ListQuerySpec = {
  lists: ['guids', 'names', 'space_guids', 'organization_guids', 'stacks', 'lifecycle_type', 'include'],
  orderBy: ['created_at', 'updated_at', 'name', 'state'],
  timestamps: true,
  labelSelector: true,
  allowed: [
    'page',
    'per_page',
    'order_by',
    'created_ats',
    'updated_ats',
    'guids',
    'names',
    'space_guids',
    'organization_guids',
    'stacks',
    'lifecycle_type',
    'include',
    'label_selector',
  ],
};

export const revisionsQuery: ListQuerySpec = {
  lists: ['versions'],
  orderBy: ['created_at', 'updated_at'],
  timestamps: true,
  labelSelector: true,
  allowed: ['page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'versions', 'label_selector'],
};

export const dropletsQuery: ListQuerySpec = {
  lists: ['guids', 'states'],
  orderBy: ['created_at', 'updated_at'],
  timestamps: true,
  labelSelector: true,
  allowed: ['page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'states', 'label_selector'],
};

export const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** `app_guids` → `App guids`: how ActiveModel names an attribute in a message. */
export const humanName = (attribute: string) => {
  const words = attribute.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Ruby's `to_i`: the leading integer, 0 when there is none. */
export const rubyToI = (text: string): number => {
  const m = /^\s*([-+]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
};

/** A raw `key=value` pair: the key decoded, the value still raw (CC splits it before decoding). */
interface RawPair {
  readonly key: string;
  readonly raw: string;
}

const decode = (text: string) => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

function rawPairs(search: string): RawPair[] {
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const at = p.indexOf('=');
      return at < 0 ? { key: decode(p), raw: '' } : { key: decode(p.slice(0, at)), raw: p.slice(at + 1) };
    });
}

/** CC's list values: split on `,` and the spaces after it (sent as `+` or `%20`), then each piece decoded. */
export const listValues = (raw: string): string[] => raw.split(/,(?:\s|\+|%20)*/).map(decode);

/** Rails' `CGI.escape`: only `a-zA-Z0-9_.-~` stay, a space becomes `+`. */
export function cgiEscape(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(c)) return c;
    if (c === ' ') return '+';
    return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** A list as `to_param_hash` gives it back: a comma inside one value stays escaped. */
const echoList = (values: readonly string[]) => values.map((v) => v.replace(/,/g, '%2C')).join(',');

type Bracketed = { readonly key: string; readonly op: string; readonly raw: string };

export function parseListQuery(
  search: string,
  spec: ListQuerySpec,
): { readonly ok: true; readonly query: ListQuery } | { readonly ok: false; readonly errors: readonly string[] } {
  const plain = new Map<string, string>();
  const bracketed: Bracketed[] = [];
  for (const { key, raw } of rawPairs(search)) {
    const m = /^([^[\]]+)\[([^\]]*)\]$/.exec(key);
    if (m) bracketed.push({ key: m[1]!, op: m[2]!, raw });
    else plain.set(key, raw);
  }
  const errors: string[] = [];
  const given = [...new Set([...plain.keys(), ...bracketed.map((b) => b.key)])];
  const unknown = given.filter((k) => !spec.allowed.includes(k));
  if (unknown.length > 0)
    errors.push(
      `Unknown query parameter(s): ${unknown.map((k) => `'${k}'`).join(', ')}. Valid parameters are: ${spec.allowed.map((k) => `'${k}'`).join(', ')}`,
    );
  const echo: [string, string][] = [];

  const pageRaw = plain.get('page');
  const perPageRaw = plain.get('per_page');
  const page = pageRaw === undefined ? 1 : rubyToI(decode(pageRaw));
  const perPage = perPageRaw === undefined ? 50 : rubyToI(decode(perPageRaw));
  if (page <= 0) errors.push('Page must be a positive integer');
  if (perPage <= 0) errors.push('Per page must be a positive integer');
  else if (perPage > 5000) errors.push('Per page must be between 1 and 5000');

  let orderBy: OrderBy | undefined;
  const orderRaw = plain.get('order_by');
  const order = orderRaw === undefined ? '' : decode(orderRaw);
  if (order !== '') {
    const m = /^([+-])?(.*)$/s.exec(order)!;
    if (!spec.orderBy.includes(m[2]!)) errors.push(`Order by can only be: ${spec.orderBy.map((k) => `'${k}'`).join(', ')}`);
    else {
      orderBy = { field: m[2]!, descending: m[1] === '-' };
      echo.push(['order_by', `${m[1] === '-' ? '-' : '+'}${m[2]}`]);
    }
  }

  const timestamps: Partial<Record<'created_ats' | 'updated_ats', TimestampFilter>> = {};
  if (spec.timestamps) {
    for (const attribute of ['created_ats', 'updated_ats'] as const) {
      const filter = timestampFilter(
        attribute,
        plain.get(attribute),
        bracketed.filter((b) => b.key === attribute),
        errors,
        echo,
      );
      if (filter) timestamps[attribute] = filter;
    }
  }

  const lists: Record<string, readonly string[]> = {};
  for (const attribute of spec.lists) {
    if (bracketed.some((b) => b.key === attribute)) errors.push(`${humanName(attribute)} must be an array`);
    const raw = plain.get(attribute);
    if (raw === undefined) continue;
    lists[attribute] = listValues(raw);
    echo.push([attribute, echoList(lists[attribute])]);
  }

  let labelSelector: readonly LabelRequirement[] | undefined;
  const selectorRaw = plain.get('label_selector');
  if (spec.labelSelector && selectorRaw !== undefined) {
    const selector = decode(selectorRaw);
    const parsed = parseLabelSelector(selector);
    if (parsed.ok) labelSelector = parsed.requirements;
    else errors.push(...parsed.errors);
    echo.push(['label_selector', selector]);
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    query: {
      page,
      perPage,
      ...(orderBy ? { orderBy } : {}),
      ...(timestamps.created_ats ? { createdAts: timestamps.created_ats } : {}),
      ...(timestamps.updated_ats ? { updatedAts: timestamps.updated_ats } : {}),
      lists,
      ...(labelSelector ? { labelSelector } : {}),
      echo,
    },
  };
}

function timestampFilter(
  attribute: string,
  plainRaw: string | undefined,
  ops: readonly Bracketed[],
  errors: string[],
  echo: [string, string][],
): TimestampFilter | undefined {
  const name = humanName(attribute);
  const invalidFormat = `${name} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`;
  if (ops.length > 0) {
    const bounds: Partial<Record<RelationalOperator, string>> = {};
    let bad = false;
    for (const { op, raw } of ops) {
      const value = decode(raw);
      if (!relationalOperators.includes(op)) {
        errors.push(`${name} Invalid relational operator: '${op}'`);
        bad = true;
      } else if (value.includes(',')) {
        errors.push(`${name} only accepts one value when using a relational operator`);
        bad = true;
      } else if (!timestampPattern.test(value)) {
        errors.push(invalidFormat);
        bad = true;
      } else {
        bounds[op as RelationalOperator] = value;
        echo.push([`${attribute}[${op}]`, value]);
      }
    }
    return bad ? undefined : { kind: 'relational', bounds };
  }
  if (plainRaw === undefined) return undefined;
  const values = listValues(plainRaw);
  if (values.some((v) => !timestampPattern.test(v))) {
    errors.push(invalidFormat);
    return undefined;
  }
  echo.push([attribute, echoList(values)]);
  return { kind: 'equal', values };
}

/**
 * Whether a timestamp (any precision) passes a filter given to the second: equality matches the
 * whole second, `lte`/`gt` compare with its end, `lt`/`gte` with its start (BaseListFetcher).
 */
export function timestampMatches(at: string, filter: TimestampFilter): boolean {
  const t = Date.parse(at);
  const second = (s: string) => Date.parse(s);
  if (filter.kind === 'equal') return filter.values.some((v) => t >= second(v) && t < second(v) + 1000);
  const { lt, lte, gt, gte } = filter.bounds;
  if (lt !== undefined && !(t < second(lt))) return false;
  if (lte !== undefined && !(t < second(lte) + 1000)) return false;
  if (gt !== undefined && !(t >= second(gt) + 1000)) return false;
  if (gte !== undefined && !(t >= second(gte))) return false;
  return true;
}
