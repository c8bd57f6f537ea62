import type { Re2Regex } from './re2-regex.ts';

/**
 * A parsed go-bexpr filter (Nomad's `?filter=`), shaped like go-bexpr's own tree: `and`/`or` are
 * right-nested as go-bexpr builds them, `contains` is `in` with the operands swapped, and a value
 * is kept as its raw text because its type is decided only against the field it is compared with.
 */
export type FilterExpr = BooleanExpr | NotExpr | MatchExpr | CollectionExpr;

export interface BooleanExpr {
  readonly kind: 'and' | 'or';
  readonly left: FilterExpr;
  readonly right: FilterExpr;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly operand: FilterExpr;
}

/**
 * A path into the object. `dotted` is `Job.Meta["team"]` or `TaskGroups.web.0`; `pointer` is a
 * JSON pointer in double quotes, `"/Meta/team"`. `text` is the selector as written, for messages.
 */
export interface Selector {
  readonly form: 'dotted' | 'pointer';
  readonly path: readonly string[];
  readonly text: string;
}

/** A literal as written, unquoted: `5`, `running`, `"web-1"` and `` `web-1` `` all keep only their text. */
export interface MatchValue {
  readonly raw: string;
}

export type MatchExpr =
  | { readonly kind: 'match'; readonly operator: '==' | '!=' | 'in' | 'not in'; readonly selector: Selector; readonly value: MatchValue }
  | { readonly kind: 'match'; readonly operator: 'is empty' | 'is not empty'; readonly selector: Selector }
  | { readonly kind: 'match'; readonly operator: 'matches' | 'not matches'; readonly selector: Selector; readonly value: MatchValue; readonly regex: Re2Regex };

export type MatchOperator = MatchExpr['operator'];

/**
 * `any Selector as <binding> { … }` / `all …`: the body is evaluated per element of a list or per
 * key of a map, with the binding names available as selectors inside it.
 */
export interface CollectionExpr {
  readonly kind: 'any' | 'all';
  readonly selector: Selector;
  readonly binding: CollectionBinding;
  readonly body: FilterExpr;
}

/**
 * `as v` binds the element of a list or the key of a map; `as k, v` both; `as k, _` only the
 * index or key; `as _, v` only the value.
 */
export type CollectionBinding =
  | { readonly mode: 'default'; readonly name: string }
  | { readonly mode: 'index'; readonly index: string }
  | { readonly mode: 'value'; readonly value: string }
  | { readonly mode: 'index-and-value'; readonly index: string; readonly value: string };
