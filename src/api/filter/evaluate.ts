import type { CollectionExpr, FilterExpr, MatchExpr } from './ast.ts';
import { FilterEvaluationError } from './errors.ts';
import type { FilterOptions } from './map-fields.ts';
import { containsLiteral, equalsLiteral, isEmptyValue, matchesRegex, missingKeyAnswer } from './match-operators.ts';
import { type LocalBinding, resolveSelector } from './selector.ts';
import { isPlainObject, ownValue } from './value-kind.ts';

export { FilterEvaluationError } from './errors.ts';

/**
 * Whether a Nomad-shaped JSON object (PascalCase keys: a Job, Allocation, Deployment) passes the
 * filter. Throws FilterEvaluationError where go-bexpr fails the evaluation, which Nomad answers
 * with 400 for the whole request. `and`/`or` short-circuit left to right as in go-bexpr, so an
 * error on the right is only raised if the left did not decide.
 */
export function matchesFilter(filter: FilterExpr, value: unknown, options: FilterOptions = {}): boolean {
  return evaluate(filter, { root: value, locals: [], mapFields: options.mapFields });
}

interface Scope {
  readonly root: unknown;
  readonly locals: readonly LocalBinding[];
  readonly mapFields: ReadonlySet<string> | undefined;
}

function evaluate(expr: FilterExpr, scope: Scope): boolean {
  let node = expr;
  // and/or chains are right-nested; walking them in a loop keeps long chains off the stack.
  for (;;) {
    switch (node.kind) {
      case 'and':
        if (!evaluate(node.left, scope)) return false;
        node = node.right;
        continue;
      case 'or':
        if (evaluate(node.left, scope)) return true;
        node = node.right;
        continue;
      case 'not':
        return !evaluate(node.operand, scope);
      case 'match':
        return evaluateMatch(node, scope);
      case 'any':
      case 'all':
        return evaluateCollection(node, scope);
    }
  }
}

function evaluateMatch(expr: MatchExpr, scope: Scope): boolean {
  const resolved = resolveSelector(scope.root, expr.selector.path, scope.locals, scope.mapFields);
  if (!resolved.found) return missingKeyAnswer(expr.operator);
  const selector = expr.selector.text;
  const { value, isMap } = resolved;
  switch (expr.operator) {
    case '==':
      return equalsLiteral(selector, value, expr.value.raw);
    case '!=':
      return !equalsLiteral(selector, value, expr.value.raw);
    case 'in':
      return containsLiteral(selector, value, expr.value.raw, isMap);
    case 'not in':
      return !containsLiteral(selector, value, expr.value.raw, isMap);
    case 'is empty':
      return isEmptyValue(selector, value, isMap);
    case 'is not empty':
      return !isEmptyValue(selector, value, isMap);
    case 'matches':
      return matchesRegex(selector, value, expr.regex);
    case 'not matches':
      return !matchesRegex(selector, value, expr.regex);
  }
}

/**
 * `any`/`all` over a list (element, or index and element) or a map (key, or key and value).
 * A missing collection is empty: `all` holds and `any` does not, as go-bexpr answers.
 */
function evaluateCollection(expr: CollectionExpr, scope: Scope): boolean {
  const resolved = resolveSelector(scope.root, expr.selector.path, scope.locals, scope.mapFields);
  const wantAll = expr.kind === 'all';
  if (!resolved.found || resolved.value === null || resolved.value === undefined) return wantAll;
  const { value } = resolved;
  const path = expr.selector.path;
  let entries: { key: string | number; path: readonly string[] }[];
  if (Array.isArray(value)) entries = value.map((_, i) => ({ key: i, path: [...path, String(i)] }));
  else if (isPlainObject(value) && resolved.isMap)
    entries = Object.keys(value)
      .filter((k) => ownValue(value, k) !== undefined)
      .map((k) => ({ key: k, path: [...path, k] }));
  else throw new FilterEvaluationError(`${expr.selector.text} is not a list or a map`);

  const binding = expr.binding;
  const isList = Array.isArray(value);
  for (const entry of entries) {
    const bound: LocalBinding[] = [];
    const bindKey = (name: string) => bound.push({ name, value: entry.key });
    const bindValue = (name: string) => bound.push({ name, path: entry.path });
    if (binding.mode === 'default') (isList ? bindValue : bindKey)(binding.name);
    if (binding.mode === 'index' || binding.mode === 'index-and-value') bindKey(binding.index);
    if (binding.mode === 'value' || binding.mode === 'index-and-value') bindValue(binding.value);
    if (evaluate(expr.body, { ...scope, locals: [...scope.locals, ...bound] }) !== wantAll) return !wantAll;
  }
  return wantAll;
}
