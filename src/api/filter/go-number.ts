import { goQuote } from './go-quote.ts';

/**
 * Go's strconv parsing, which go-bexpr uses to turn a literal into the field's type: `== 0x1F`
 * equals 31, `== true` accepts 1/t/T/TRUE/true/True. A syntax error inside a list is skipped by
 * go-bexpr (a mixed list may hold other types), any other error fails the request.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; syntax: boolean; message: string };

const failure = (fn: string, raw: string, syntax: boolean): { ok: false; syntax: boolean; message: string } => ({
  ok: false,
  syntax,
  message: `strconv.${fn}: parsing ${goQuote(raw)}: ${syntax ? 'invalid syntax' : 'value out of range'}`,
});

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseGoBool(raw: string): Parsed<boolean> {
  if (TRUE.has(raw)) return { ok: true, value: true };
  if (FALSE.has(raw)) return { ok: true, value: false };
  return failure('ParseBool', raw, true);
}

// Integers fit int64 or uint64 in Go; JSON does not say which, so accept both ranges.
const MIN_INT = -(2n ** 63n);
const MAX_UINT = 2n ** 64n - 1n;

/**
 * strconv.ParseInt(raw, 0, 64): base from the prefix (0x, 0o, 0b, a leading 0 is octal),
 * underscores only between digits.
 */
export function parseGoInt(raw: string): Parsed<bigint> {
  const sign = raw.startsWith('-') ? -1n : 1n;
  const unsigned = raw.startsWith('-') || raw.startsWith('+') ? raw.slice(1) : raw;
  const prefix = /^0[xXoObB]/.test(unsigned) ? unsigned.slice(0, 2).toLowerCase() : unsigned.length > 1 && unsigned.startsWith('0') ? '0' : '';
  const radix = { '0x': 16, '0o': 8, '0b': 2, '0': 8, '': 10 }[prefix]!;
  const digits = unsigned.slice(prefix === '0' ? 1 : prefix.length);
  const digit = { 16: '[0-9A-Fa-f]', 8: '[0-7]', 2: '[01]', 10: '[0-9]' }[radix]!;
  // Go allows an underscore right after a base prefix (0x_1F) and between digits.
  const shape = new RegExp(`^${prefix ? '_?' : ''}${digit}+(_${digit}+)*$`);
  if (!shape.test(digits)) return failure('ParseInt', raw, true);
  const clean = digits.replaceAll('_', '');
  const magnitude = BigInt(radix === 10 ? clean : `0${prefix === '0' ? 'o' : prefix[1]}${clean}`);
  const value = sign * magnitude;
  if (value < MIN_INT || value > MAX_UINT) return failure('ParseInt', raw, false);
  return { ok: true, value };
}

/** strconv.ParseFloat(raw, 64) for decimal forms and Inf/NaN (Go's hex floats are not read). */
export function parseGoFloat(raw: string): Parsed<number> {
  if (/^[+-]?(inf|infinity)$/i.test(raw)) return { ok: true, value: raw.startsWith('-') ? -Infinity : Infinity };
  if (/^[+-]?nan$/i.test(raw)) return { ok: true, value: Number.NaN };
  if (!/^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/.test(raw)) return failure('ParseFloat', raw, true);
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value)) return failure('ParseFloat', raw, false);
  return { ok: true, value };
}

/**
 * A literal against a JSON number. JSON does not say whether the Go field was an int or a float,
 * so an integral number is read as Go reads an int field, falling back to float syntax (`== 2.0`
 * would be an error against a Go int field; against a JSON 2 we answer true).
 */
export function numberEquals(raw: string, field: number | bigint): Parsed<boolean> {
  const int = parseGoInt(raw);
  if (int.ok) {
    if (typeof field === 'bigint') return { ok: true, value: field === int.value };
    if (Number.isSafeInteger(field)) return { ok: true, value: BigInt(field) === int.value };
    return { ok: true, value: Number(int.value) === field };
  }
  const float = parseGoFloat(raw);
  if (float.ok) return { ok: true, value: Number(field) === float.value };
  return Number.isInteger(Number(field)) ? int : float;
}
