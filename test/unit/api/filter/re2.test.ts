import { describe, expect, it } from 'vitest';
import { Re2Regex } from '../../../../src/api/filter/re2-regex.ts';

const matches = (pattern: string, input: string) => {
  const compiled = Re2Regex.compile(pattern);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.regex.test(input);
};

const refusal = (pattern: string) => {
  const compiled = Re2Regex.compile(pattern);
  return compiled.ok ? 'compiled' : compiled.error;
};

describe('RE2 matching, as Go regexp.MatchString answers', () => {
  it.each([
    ['unanchored search', 'web', 'api-web-1', true],
    ['^ anchors at the start of the text', '^web', 'api-web', false],
    ['$ is the very end of the text, not before a final newline', 'a$', 'a\n', false],
    ['\\z is the end of the text', 'a\\z', 'a', true],
    ['\\A is the start of the text', '\\Aa', 'ba', false],
    ['(?m) makes ^ and $ line anchors', '(?m)^b$', 'a\nb\nc', true],
    ['without (?m) ^ and $ are text anchors', '^b$', 'a\nb\nc', false],
    ['. does not match a newline', 'a.c', 'a\nc', false],
    ['. matches \\r (JavaScript would not)', 'a.c', 'a\rc', true],
    ['(?s) lets . match a newline', '(?s)a.c', 'a\nc', true],
    ['(?i) folds case', '(?i)WEB', 'Web', true],
    ['(?i:…) folds case in the group only', '(?i:a)B', 'Ab', false],
    ['(?i) folds the Kelvin sign to k', '(?i)k', '\u212a', true],
    ['(?i) applies to classes', '(?i)[a-c]+$', 'ABC', true],
    ['(?U) is accepted (laziness never changes whether a match exists)', '(?U)a+', 'a', true],
    ['\\d is ASCII only', '\\d', '٣', false],
    ['\\s is [\\t\\n\\f\\r ] (no \\v, no NBSP)', '\\s', '\u00a0', false],
    ['\\s matches a tab', '\\s', '\t', true],
    ['\\w is ASCII only', '^\\w+$', 'héllo', false],
    ['\\pL is any letter', '^\\pL+$', 'héllo', true],
    ['\\p{Greek} is a script', '\\p{Greek}', 'α', true],
    ['\\P{Greek} negates it', '^\\P{Greek}$', 'α', false],
    ['\\p{^Greek} negates it too', '^\\p{^Greek}$', 'a', true],
    ['[[:digit:]] is a POSIX class', '[[:digit:]]', 'x1', true],
    ['[[:^alpha:]] negates a POSIX class', '^[[:^alpha:]]+$', '123', true],
    ['] first in a class is literal', '[]a]', ']', true],
    ['[^a] matches a newline', '[^a]', '\n', true],
    ['- may sit anywhere in a class', '[a-c-e]', '-', true],
    ['\\Q…\\E quotes', '\\Qa.b\\E', 'axb', false],
    ['\\Q…\\E matches the literal text', '\\Qa.b\\E', 'a.b', true],
    ['\\x{41} and octal \\101 are A', '\\x{41}\\101', 'AA', true],
    ['escaped punctuation is literal', '\\!\\@\\#', '!@#', true],
    ['{n,m} counts', '^a{2,3}$', 'aaaa', false],
    ['{n,} counts', '^a{2,}$', 'aaaa', true],
    ['a { that is not a count is a literal', 'a{,2}', 'a{,2}', true],
    ['\\b is an ASCII word boundary', '\\bfoo\\b', 'a foo b', true],
    ['\\B is a non-boundary', '\\Bfoo', 'afoo', true],
    ['named groups (?P<name>…)', '(?P<group>web)-\\d', 'web-1', true],
    ['named groups (?<name>…)', '(?<group>web)', 'web', true],
    ['the empty pattern matches everything', '', 'x', true],
    ['empty alternatives', '(|a)*b', 'b', true],
  ])('%s: %s on %j → %s', (_rule, pattern, input, expected) => expect(matches(pattern, input)).toBe(expected));

  it('is linear: a pattern that makes backtracking engines explode answers at once', () => {
    const started = Date.now();
    expect(matches('(a+)+$', `${'a'.repeat(20_000)}b`)).toBe(false);
    expect(matches('(a*)*c', 'a'.repeat(20_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('RE2 refuses what it does not have, with Go’s message', () => {
  it.each([
    ['lookahead', '(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=` (RE2 has no lookahead)'],
    ['negative lookahead', 'a(?!b)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?!` (RE2 has no lookahead)'],
    ['lookbehind', '(?<=a)b', 'error parsing regexp: invalid or unsupported Perl syntax: `(?<=` (RE2 has no lookbehind)'],
    ['negative lookbehind', '(?<!a)b', 'error parsing regexp: invalid or unsupported Perl syntax: `(?<!` (RE2 has no lookbehind)'],
    ['atomic groups', '(?>a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?>` (RE2 has no atomic groups)'],
    ['backreferences', '(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1` (RE2 has no backreferences)'],
    ['named backreferences', '(?<a>x)\\k<a>', 'error parsing regexp: invalid escape sequence: `\\k` (RE2 has no backreferences)'],
    ['possessive quantifiers', 'a*+', 'error parsing regexp: invalid nested repetition operator: `*+` (RE2 has no possessive quantifiers)'],
    ['\\Z', 'a\\Z', 'error parsing regexp: invalid escape sequence: `\\Z`'],
    ['unknown escapes', '\\q', 'error parsing regexp: invalid escape sequence: `\\q`'],
    ['\\b inside a class', '[\\b]', 'error parsing regexp: invalid escape sequence: `\\b`'],
    ['unknown flags', '(?x)a', 'error parsing regexp: invalid or unsupported Perl syntax: `(?x`'],
    ['a missing )', '(abc', 'error parsing regexp: missing closing ): `(abc`'],
    ['a stray )', 'abc)', 'error parsing regexp: unexpected ): `abc)`'],
    ['a missing ]', '[abc', 'error parsing regexp: missing closing ]: `[abc`'],
    ['a reversed range', '[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['an unknown Unicode class', '\\p{Klingon}', 'error parsing regexp: invalid character class range: `\\p{Klingon}`'],
    ['an unknown POSIX class', '[[:vowel:]]', 'error parsing regexp: invalid character class range: `[:vowel:]`'],
    ['nested repetition', 'x**', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['a repetition of nothing', '*a', 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['counts above 1000', 'a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['a trailing backslash', 'a\\', 'error parsing regexp: trailing backslash at end of expression: ``'],
    ['duplicate group names', '(?P<n>x)(?P<n>y)', 'error parsing regexp: duplicate capture group name: `n`'],
    ['programs too large to run per object', '((a{100}){100}){100}', 'error parsing regexp: expression too large: `((a{100}){100}){100}`'],
  ])('%s: %s', (_what, pattern, error) => expect(refusal(pattern)).toBe(error));
});
