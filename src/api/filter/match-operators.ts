import type { MatchOperator } from './ast.ts';
import { FilterEvaluationError } from './errors.ts';
import { numberEquals, parseGoBool, type Parsed } from './go-number.ts';
import { goQuote } from './go-quote.ts';
import type { Re2Regex } from './re2-regex.ts';
import { isPlainObject, ownValue, valueKind } from './value-kind.ts';

/**
 * go-bexpr's match operators on a resolved value. Messages keep go-bexpr's wording (users search
 * for it) and add the selector and what the operator accepts.
 */

/** A selector that names a missing map key: nothing equals, contains or matches it, and it is empty. */
export function missingKeyAnswer(operator: MatchOperator): boolean {
  return operator === '!=' || operator === 'not in' || operator === 'not matches' || operator === 'is empty';
}

const coercionError = (selector: string, parsed: Extract<Parsed<unknown>, { ok: false }>, kind: string) =>
  new FilterEvaluationError(`error getting match value in expression: ${parsed.message} (selector ${goQuote(selector)} is a ${kind})`);

/** `==`: the literal is read as the field's type (Go's strconv rules); only strings, numbers and booleans compare. */
export function equalsLiteral(selector: string, value: unknown, raw: string): boolean {
  if (typeof value === 'string') return value === raw;
  if (typeof value === 'boolean') {
    const parsed = parseGoBool(raw);
    if (!parsed.ok) throw coercionError(selector, parsed, 'bool');
    return parsed.value === value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const parsed = numberEquals(raw, value);
    if (!parsed.ok) throw coercionError(selector, parsed, 'number');
    return parsed.value;
  }
  throw new FilterEvaluationError(
    `unable to find suitable primitive comparison function for matching: selector ${goQuote(selector)} is ${describe(value)}; == and != compare strings, numbers and booleans`,
  );
}

/**
 * `"x" in Field` / `Field contains "x"`: a substring of a string, a key of a map, an element of a
 * list (each element read as its own type; elements the literal cannot be read as are skipped,
 * as go-bexpr does for mixed lists). null is an empty list or map.
 */
export function containsLiteral(selector: string, value: unknown, raw: string, isMap: boolean): boolean {
  if (typeof value === 'string') return value.includes(raw);
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some((element) => elementEquals(selector, element, raw));
  if (isPlainObject(value) && isMap) return ownValue(value, raw) !== undefined;
  const kind = isPlainObject(value) ? 'struct' : valueKind(value);
  throw new FilterEvaluationError(
    `Cannot perform in/contains operations on type ${kind} for selector: ${goQuote(selector)}; in and contains apply to strings, lists and maps`,
  );
}

function elementEquals(selector: string, element: unknown, raw: string): boolean {
  if (element === null || element === undefined) return false;
  if (typeof element === 'string') return element === raw;
  if (typeof element === 'object') {
    throw new FilterEvaluationError(
      `unable to find suitable primitive comparison function for "in" comparison: selector ${goQuote(selector)} is a list of ${valueKind(element)}s; in and contains compare strings, numbers and booleans`,
    );
  }
  const parsed = typeof element === 'boolean' ? parseGoBool(raw) : numberEquals(raw, element as number | bigint);
  if (!parsed.ok) {
    if (parsed.syntax) return false;
    throw coercionError(selector, parsed, valueKind(element));
  }
  return typeof element === 'boolean' ? parsed.value === element : parsed.value === true;
}

/** `is empty`: length zero, for strings, lists and maps; null is an empty list or map. */
export function isEmptyValue(selector: string, value: unknown, isMap: boolean): boolean {
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  if (value === null || value === undefined) return true;
  if (isPlainObject(value) && isMap) return Object.values(value).every((v) => v === undefined);
  const kind = isPlainObject(value) ? 'struct' : valueKind(value);
  throw new FilterEvaluationError(
    `cannot take the length of a ${kind} (selector ${goQuote(selector)}); is empty and is not empty apply to strings, lists and maps`,
  );
}

/** `matches`: Go RE2, unanchored, on strings only. */
export function matchesRegex(selector: string, value: unknown, regex: Re2Regex): boolean {
  if (typeof value === 'string') return regex.test(value);
  throw new FilterEvaluationError(`Value of type ${valueKind(value)} is not convertible to []byte (selector ${goQuote(selector)}); matches applies to strings`);
}

function describe(value: unknown): string {
  const kind = valueKind(value);
  return kind === 'null' ? 'null' : kind === 'object' ? 'an object' : `a ${kind}`;
}
