import type { RE2JSSyntaxException } from 're2js';

/**
 * A refused pattern as Nomad words it: Go's regexp/syntax `*Error`,
 * `error parsing regexp: <code>: `<expr>``, which go-bexpr passes on. re2js ports Go's parser and
 * uses the same codes and the same offending text; it only leaves out the `: `<expr>`` where Go
 * fills it in after the fact (an empty one for a trailing backslash, the whole pattern for a
 * pattern too large or too deep).
 *
 * Where the pattern uses syntax that JavaScript or PCRE have and RE2 lacks, Caravan adds a note
 * after Go's text, since that is almost always what the user was reaching for.
 */
export function goRegexpError(pattern: string, refusal: RE2JSSyntaxException): string {
  const { code, expr } = asGoReports(pattern, refusal);
  return caravanWording(pattern, code, expr) ?? goWording(code, expr, noteFor(pattern, code, expr));
}

/** Caravan's budget for a program run once per object in a list (see Re2Regex). */
export const tooLargeError = (pattern: string) => goWording('expression too large', pattern);

function asGoReports(pattern: string, refusal: RE2JSSyntaxException): { code: string; expr: string } {
  const code = refusal.getDescription();
  const expr = refusal.getPattern() ?? (code === 'trailing backslash at end of expression' ? '' : pattern);
  // Go reads `(?<` and `(?P<` as the start of a group name only when something follows them; at
  // the very end of the pattern it reads them as flags, and `<` and `P` are not flags.
  if (code === 'invalid named capture' && (expr === '(?<' || expr === '(?P<')) return { code: 'invalid or unsupported Perl syntax', expr: expr.slice(0, 3) };
  return { code, expr };
}

const goWording = (code: string, expr: string, note?: string) => `error parsing regexp: ${code}: \`${expr}\`${note ? ` (${note})` : ''}`;

/**
 * Two refusals Caravan words differently from Go, as its earlier RE2 parser did and its tests
 * require (docs/api-filter.md, "Go parity table"). Go reads `(?<=` as a capture group with a bad
 * name; Caravan says it is lookbehind. Go refuses nested counts that multiply past 1000
 * (`(a{100}){100}`) at the inner count; Caravan names its program budget.
 */
function caravanWording(pattern: string, code: string, expr: string): string | undefined {
  if (code === 'invalid named capture' && (expr.startsWith('(?<=') || expr.startsWith('(?<!'))) {
    return goWording('invalid or unsupported Perl syntax', expr.slice(0, 4), 'RE2 has no lookbehind');
  }
  if (code === 'invalid repeat count' && isCountGoAccepts(expr)) return tooLargeError(pattern);
  return undefined;
}

// Go's own limits on one count: at most 1000, and min <= max. A count within them was refused
// only because the counts around it multiply past 1000.
function isCountGoAccepts(expr: string): boolean {
  const count = /^\{(\d+)(,(\d*))?\}$/.exec(expr);
  if (!count) return false;
  const min = Number(count[1]);
  const max = count[2] === undefined ? min : count[3] === '' ? undefined : Number(count[3]);
  return min <= 1000 && (max === undefined || (max <= 1000 && min <= max));
}

function noteFor(pattern: string, code: string, expr: string): string | undefined {
  switch (code) {
    case 'invalid or unsupported Perl syntax':
      if (expr === '(?=' || expr === '(?!') return 'RE2 has no lookahead';
      if (expr === '(?>') return 'RE2 has no atomic groups';
      if (expr === '(?P' && (pattern.includes('(?P=') || pattern.includes('(?P>'))) return 'RE2 has no backreferences';
      return undefined;
    case 'invalid escape sequence':
      return /^\\[1-9k]$/.test(expr) ? 'RE2 has no backreferences' : undefined;
    case 'invalid nested repetition operator':
      // PCRE's possessive form puts a `+` after the first operator: `*+`, `{2}+`.
      return /^(?:[*+?]|\{[\d,]*\})\??\+/.test(expr) ? 'RE2 has no possessive quantifiers' : undefined;
    default:
      return undefined;
  }
}
