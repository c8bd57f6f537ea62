/**
 * The character sets RE2 (Go's regexp/syntax) knows, as code point tests. RE2's Perl and POSIX
 * classes are ASCII-only (`\d` is [0-9], `\s` is [\t\n\f\r ], no \v); Unicode classes come from
 * `\p{…}`, which we answer with JavaScript's own Unicode tables through a one-character RegExp (a
 * single-character test cannot backtrack, so it keeps the matcher linear).
 */
export type CodePointTest = (cp: number) => boolean;

export const MAX_CODE_POINT = 0x10ffff;

export const rangeTest = (lo: number, hi: number): CodePointTest => (cp) => cp >= lo && cp <= hi;

const anyOf = (ranges: readonly (readonly [number, number])[]): CodePointTest => (cp) => ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

const ch = (s: string) => s.codePointAt(0)!;

const DIGIT = [[ch('0'), ch('9')]] as const;
const WORD = [[ch('0'), ch('9')], [ch('A'), ch('Z')], [ch('a'), ch('z')], [ch('_'), ch('_')]] as const;
// Go's \s: no \v, unlike POSIX [:space:] and unlike JavaScript's Unicode-wide \s.
const PERL_SPACE = [[9, 10], [12, 13], [32, 32]] as const;

export const isAsciiWord: CodePointTest = anyOf(WORD);

/** `\d \s \w` (and their negations, upper case). */
export function perlClass(letter: string): CodePointTest | undefined {
  const positive = { d: DIGIT, s: PERL_SPACE, w: WORD }[letter.toLowerCase()];
  if (!positive) return undefined;
  const test = anyOf(positive);
  return letter === letter.toLowerCase() ? test : (cp) => !test(cp);
}

const POSIX: Record<string, readonly (readonly [number, number])[]> = {
  alnum: [[ch('0'), ch('9')], [ch('A'), ch('Z')], [ch('a'), ch('z')]],
  alpha: [[ch('A'), ch('Z')], [ch('a'), ch('z')]],
  ascii: [[0, 0x7f]],
  blank: [[9, 9], [32, 32]],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: DIGIT,
  graph: [[ch('!'), ch('~')]],
  lower: [[ch('a'), ch('z')]],
  print: [[ch(' '), ch('~')]],
  punct: [[ch('!'), ch('/')], [ch(':'), ch('@')], [ch('['), ch('`')], [ch('{'), ch('~')]],
  space: [[9, 13], [32, 32]],
  upper: [[ch('A'), ch('Z')]],
  word: WORD,
  xdigit: [[ch('0'), ch('9')], [ch('A'), ch('F')], [ch('a'), ch('f')]],
};

/** `[:name:]` or `[:^name:]` inside a bracket class. */
export function posixClass(name: string, negated: boolean): CodePointTest | undefined {
  const ranges = POSIX[name];
  if (!ranges) return undefined;
  const test = anyOf(ranges);
  return negated ? (cp) => !test(cp) : test;
}

// Go's unicode.Categories; its "C" is Cc|Cf|Co|Cs (no unassigned code points, unlike \p{C} in JS).
const CATEGORIES = new Set(['Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs']);

const singleCharacter = (source: string): CodePointTest => {
  const re = new RegExp(`^${source}$`, 'u');
  return (cp) => re.test(String.fromCodePoint(cp));
};

/** `\p{Name}`: a general category, a script, or Any. Undefined when RE2 would not know the name. */
export function unicodeClass(name: string): CodePointTest | undefined {
  if (name === 'Any') return () => true;
  if (name === 'C') return singleCharacter('[\\p{gc=Cc}\\p{gc=Cf}\\p{gc=Co}\\p{gc=Cs}]');
  if (CATEGORIES.has(name)) return singleCharacter(`\\p{gc=${name}}`);
  if (!/^[A-Z][A-Za-z_]*$/.test(name)) return undefined;
  try {
    return singleCharacter(`\\p{sc=${name}}`);
  } catch {
    return undefined;
  }
}

const foldCache = new Map<number, number>();

const single = (s: string, fallback: number) => {
  const cps = [...s];
  return cps.length === 1 ? cps[0]!.codePointAt(0)! : fallback;
};

/**
 * A representative of cp's case-folding orbit (lower of upper), so K, k and the Kelvin sign all
 * meet at k. Go folds with Unicode's simple case folding; JavaScript's simple mappings agree for
 * nearly every letter (they differ for a few, e.g. dotless ı folds to i here but not in Go).
 */
export function foldKey(cp: number): number {
  let key = foldCache.get(cp);
  if (key === undefined) {
    const upper = single(String.fromCodePoint(cp).toUpperCase(), cp);
    key = single(String.fromCodePoint(upper).toLowerCase(), upper);
    foldCache.set(cp, key);
  }
  return key;
}

/** Under (?i) a set matches a character when it matches any case variant of it. */
export function caseInsensitive(test: CodePointTest): CodePointTest {
  return (cp) => {
    if (test(cp)) return true;
    const s = String.fromCodePoint(cp);
    return test(single(s.toLowerCase(), cp)) || test(single(s.toUpperCase(), cp)) || test(foldKey(cp));
  };
}
