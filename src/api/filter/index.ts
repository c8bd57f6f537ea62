import type { FilterOptions } from './map-fields.ts';
import { matchesFilter } from './evaluate.ts';
import { parseFilter } from './parse.ts';

export type { BooleanExpr, CollectionBinding, CollectionExpr, FilterExpr, MatchExpr, MatchOperator, MatchValue, NotExpr, Selector } from './ast.ts';
export { FilterEvaluationError, nomadEvaluationErrorBody, nomadParseErrorBody } from './errors.ts';
export { matchesFilter } from './evaluate.ts';
export { type FilterOptions, NOMAD_MAP_FIELDS } from './map-fields.ts';
export { parseFilter } from './parse.ts';

/**
 * Nomad's `?filter=` in one step: parse once, then test each object. An empty filter is not a
 * filter in Nomad (the parameter is ignored), so callers skip this for `filter=`; here it is a
 * parse error like any other expression that is not one.
 */
export function compileFilter(source: string, options: FilterOptions = {}): { ok: true; test: (value: unknown) => boolean } | { ok: false; error: string } {
  const parsed = parseFilter(source);
  if (!parsed.ok) return parsed;
  const { filter } = parsed;
  return { ok: true, test: (value) => matchesFilter(filter, value, options) };
}
