import { describe, expect, it } from 'vitest';
import { parseGoBool, parseGoFloat, parseGoInt } from '../../../../src/api/filter/go-number.ts';
import { unquoteDoubleQuoted } from '../../../../src/api/filter/go-string-literal.ts';

const outcome = <T>(parsed: { ok: true; value: T } | { ok: false; message: string }) => (parsed.ok ? parsed.value : parsed.message);

describe("Go's strconv.ParseInt(s, 0, 64), which go-bexpr reads integer fields' literals with", () => {
  it.each([
    ['decimal', '42', 42n],
    ['signed', '-42', -42n],
    ['plus sign', '+42', 42n],
    ['hex', '0x2A', 42n],
    ['octal, leading 0', '052', 42n],
    ['octal, 0o', '0o52', 42n],
    ['binary', '0b101010', 42n],
    ['underscores between digits', '4_2', 42n],
    ['an underscore after the prefix', '0x_2A', 42n],
    ['uint64 maximum (as ParseUint reads uint64 fields such as ModifyIndex)', '18446744073709551615', 18446744073709551615n],
    ['int64 minimum', '-9223372036854775808', -9223372036854775808n],
    ['8 is not octal', '08', 'strconv.ParseInt: parsing "08": invalid syntax'],
    ['a trailing underscore', '42_', 'strconv.ParseInt: parsing "42_": invalid syntax'],
    ['a float', '4.2', 'strconv.ParseInt: parsing "4.2": invalid syntax'],
    ['too large', '18446744073709551616', 'strconv.ParseInt: parsing "18446744073709551616": value out of range'],
  ])('%s: %s', (_what, raw, expected) => expect(outcome(parseGoInt(raw))).toBe(expected));
});

describe("Go's strconv.ParseFloat and ParseBool", () => {
  it.each([
    ['decimal', '0.25', 0.25],
    ['exponent', '2.5e-1', 0.25],
    ['leading dot', '.25', 0.25],
    ['trailing dot', '5.', 5],
    ['Inf', '-Inf', -Infinity],
    ['a word', 'abc', 'strconv.ParseFloat: parsing "abc": invalid syntax'],
    ['overflow', '1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
  ])('ParseFloat %s: %s', (_what, raw, expected) => expect(outcome(parseGoFloat(raw))).toBe(expected));

  it.each([
    ['1', true],
    ['t', true],
    ['TRUE', true],
    ['True', true],
    ['0', false],
    ['F', false],
    ['False', false],
    ['yes', 'strconv.ParseBool: parsing "yes": invalid syntax'],
    ['tRUE', 'strconv.ParseBool: parsing "tRUE": invalid syntax'],
  ])('ParseBool %s', (raw, expected) => expect(outcome(parseGoBool(raw))).toBe(expected));
});

describe("Go's strconv.Unquote for double-quoted values", () => {
  it.each([
    ['control escapes', 'a\\tb\\nc\\r\\a\\b\\f\\v', 'a\tb\nc\r\x07\b\f\v'],
    ['a backslash', '\\\\', '\\'],
    ['\\x', '\\x41', 'A'],
    ['octal', '\\101', 'A'],
    ['\\u', '\\u00e9', 'é'],
    ['\\U', '\\U0001F680', '🚀'],
    ['unicode as is', 'héllo', 'héllo'],
  ])('%s: %s', (_what, body, expected) => expect(unquoteDoubleQuoted(body)).toEqual({ ok: true, value: expected }));

  it.each([
    ["\\' is not a double-quoted escape", "\\'", "\\' is not a Go string escape"],
    ['a short \\x', '\\x4', '\\x needs 2 hex digits'],
    ['a surrogate', '\\ud800', '\\ud800 is not a Unicode code point'],
    ['a literal newline', 'a\nb', 'a newline must be written \\n'],
  ])('%s', (_what, body, reason) => expect(unquoteDoubleQuoted(body)).toEqual({ ok: false, reason }));
});
