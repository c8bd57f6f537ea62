import { caseInsensitive, type CodePointTest, MAX_CODE_POINT, perlClass, posixClass, rangeTest, unicodeClass } from './code-point-sets.ts';
import { Re2SyntaxError } from './syntax-error.ts';

/**
 * RE2 syntax as Go's regexp.Compile reads it (Perl flags: `.` excludes \n, `^`/`$` are text
 * anchors unless (?m), `-` may sit anywhere in a class). Only what decides *whether* a string
 * matches survives into the tree: groups become plain nesting, and laziness (`*?`, (?U)) is
 * dropped because it changes which match is found, never whether one exists.
 */
export type Re2Node =
  | { readonly op: 'empty' }
  | { readonly op: 'char'; readonly test: CodePointTest }
  | { readonly op: 'assert'; readonly at: Re2Assertion }
  | { readonly op: 'concat'; readonly items: readonly Re2Node[] }
  | { readonly op: 'alternate'; readonly items: readonly Re2Node[] }
  | { readonly op: 'repeat'; readonly min: number; readonly max: number | undefined; readonly item: Re2Node };

export type Re2Assertion = 'beginLine' | 'endLine' | 'beginText' | 'endText' | 'wordBoundary' | 'notWordBoundary';

interface Flags {
  readonly foldCase: boolean;
  readonly multiLine: boolean;
  readonly dotNewline: boolean;
}

// Go's limits (regexp/syntax maxHeight and maxRepeat).
const MAX_NESTING = 1000;
const MAX_REPEAT = 1000;

const NEWLINE = 10;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAsciiAlnum = (c: string) => /^[0-9A-Za-z]$/.test(c);

export function parseRe2(pattern: string): Re2Node {
  return new Re2Parser(pattern).parse();
}

class Re2Parser {
  private readonly cps: string[];
  private i = 0;
  private flags: Flags = { foldCase: false, multiLine: false, dotNewline: false };
  private depth = 0;
  private readonly names = new Set<string>();

  private readonly whole: string;

  constructor(whole: string) {
    this.whole = whole;
    this.cps = [...whole];
  }

  parse(): Re2Node {
    const node = this.alternation();
    if (this.peek() === ')') throw new Re2SyntaxError('unexpected )', this.whole);
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.cps[this.i + offset];
  }

  private text(from: number, to = this.i): string {
    return this.cps.slice(from, to).join('');
  }

  private alternation(): Re2Node {
    const items = [this.concatenation()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0]! : { op: 'alternate', items };
  }

  private concatenation(): Re2Node {
    const items: Re2Node[] = [];
    let lastRepeat: string | undefined;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      const repeat = this.repetition();
      if (repeat) {
        if (lastRepeat !== undefined) throw new Re2SyntaxError('invalid nested repetition operator', lastRepeat + repeat.text, repeat.text.startsWith('+') ? 'RE2 has no possessive quantifiers' : undefined);
        const item = items.pop();
        if (!item) throw new Re2SyntaxError('missing argument to repetition operator', repeat.text);
        items.push({ op: 'repeat', min: repeat.min, max: repeat.max, item });
        lastRepeat = repeat.text;
        continue;
      }
      lastRepeat = undefined;
      items.push(...this.atom());
    }
    if (items.length === 0) return { op: 'empty' };
    return items.length === 1 ? items[0]! : { op: 'concat', items };
  }

  /** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy. A `{` that is not a count is a literal. */
  private repetition(): { min: number; max: number | undefined; text: string } | undefined {
    const start = this.i;
    const c = this.peek();
    let min: number;
    let max: number | undefined;
    if (c === '*') [min, max] = [0, undefined];
    else if (c === '+') [min, max] = [1, undefined];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const counts = this.repeatCounts();
      if (!counts) return undefined;
      [min, max] = counts;
    } else return undefined;
    if (c !== '{') this.i++;
    if (this.peek() === '?') this.i++;
    return { min, max, text: this.text(start) };
  }

  private repeatCounts(): [number, number | undefined] | undefined {
    const start = this.i;
    let j = this.i + 1;
    const digits = () => {
      const from = j;
      while (isDigit(this.cps[j])) j++;
      return this.cps.slice(from, j).join('');
    };
    const low = digits();
    if (low === '') return undefined;
    let high: string | undefined = low;
    if (this.cps[j] === ',') {
      j++;
      high = digits();
      if (high === '') high = undefined;
    }
    if (this.cps[j] !== '}') return undefined;
    this.i = j + 1;
    const min = Number(low);
    const max = high === undefined ? undefined : Number(high);
    if (min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) throw new Re2SyntaxError('invalid repeat count', this.text(start));
    return [min, max];
  }

  private atom(): Re2Node[] {
    const c = this.peek()!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return [this.bracketClass()];
      case '.':
        this.i++;
        return [{ op: 'char', test: this.flags.dotNewline ? () => true : (cp) => cp !== NEWLINE }];
      case '^':
        this.i++;
        return [{ op: 'assert', at: this.flags.multiLine ? 'beginLine' : 'beginText' }];
      case '$':
        this.i++;
        return [{ op: 'assert', at: this.flags.multiLine ? 'endLine' : 'endText' }];
      case '\\':
        return this.escapeOutsideClass();
      default:
        this.i++;
        return [this.literal(c.codePointAt(0)!)];
    }
  }

  private literal(cp: number): Re2Node {
    return { op: 'char', test: this.flags.foldCase ? caseInsensitive((x) => x === cp) : (x) => x === cp };
  }

  private group(): Re2Node[] {
    const start = this.i;
    this.i++;
    if (++this.depth > MAX_NESTING) throw new Re2SyntaxError('expression nests too deeply', this.whole);
    const saved = this.flags;
    if (this.peek() === '?') {
      const opened = this.perlGroupPrefix(start);
      if (!opened) {
        this.depth--;
        return [];
      }
    }
    const body = this.alternation();
    if (this.peek() !== ')') throw new Re2SyntaxError('missing closing )', this.whole);
    this.i++;
    this.flags = saved;
    this.depth--;
    return [body];
  }

  /**
   * After `(?`: a named group, `(?flags:` (opens a group, returns true) or `(?flags)` (changes the
   * flags for the rest of the enclosing group, returns false). JavaScript-only forms are refused.
   */
  private perlGroupPrefix(start: number): boolean {
    const next = this.peek(1);
    const after = this.peek(2);
    const refuse = (length: number, note: string): never => {
      throw new Re2SyntaxError('invalid or unsupported Perl syntax', this.text(start, start + length), note);
    };
    if (next === '=' || next === '!') refuse(3, 'RE2 has no lookahead');
    if (next === '<' && (after === '=' || after === '!')) refuse(4, 'RE2 has no lookbehind');
    if (next === '>') refuse(3, 'RE2 has no atomic groups');
    if ((next === 'P' && after === '<') || next === '<') {
      this.namedGroupName(start);
      return true;
    }
    this.i++; // the '?'
    let flags = { ...this.flags };
    let negated = false;
    let sawFlag = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new Re2SyntaxError('missing closing )', this.whole);
      this.i++;
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        const on = !negated;
        if (c === 'i') flags = { ...flags, foldCase: on };
        if (c === 'm') flags = { ...flags, multiLine: on };
        if (c === 's') flags = { ...flags, dotNewline: on };
        sawFlag = true;
      } else if (c === '-' && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((c === ':' || c === ')') && !(negated && !sawFlag)) {
        this.flags = flags;
        return c === ':';
      } else {
        const note = next === 'P' && (after === '=' || after === '>') ? 'RE2 has no backreferences' : undefined;
        throw new Re2SyntaxError('invalid or unsupported Perl syntax', this.text(start), note);
      }
    }
  }

  private namedGroupName(start: number): void {
    this.i += this.peek(1) === 'P' ? 3 : 2;
    const nameStart = this.i;
    while (this.peek() !== undefined && this.peek() !== '>') this.i++;
    if (this.peek() === undefined) throw new Re2SyntaxError('invalid named capture', this.text(start));
    const name = this.text(nameStart);
    this.i++;
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Re2SyntaxError('invalid named capture', this.text(start));
    if (this.names.has(name)) throw new Re2SyntaxError('duplicate capture group name', name);
    this.names.add(name);
  }

  private escapeOutsideClass(): Re2Node[] {
    const start = this.i;
    const c = this.peek(1);
    const assertion = ({ A: 'beginText', z: 'endText', b: 'wordBoundary', B: 'notWordBoundary' } as const)[c as 'A' | 'z' | 'b' | 'B'];
    if (assertion) {
      this.i += 2;
      return [{ op: 'assert', at: assertion }];
    }
    if (c === 'Q') return this.quotedLiterals();
    if (c === 'C') throw new Re2SyntaxError('invalid escape sequence', '\\C');
    const set = this.classEscape();
    if (set) return [{ op: 'char', test: this.flags.foldCase ? caseInsensitive(set) : set }];
    this.i = start;
    return [this.literal(this.escapedCodePoint())];
  }

  /** `\Q…\E`: everything up to `\E` (or the end) is literal. */
  private quotedLiterals(): Re2Node[] {
    this.i += 2;
    const out: Re2Node[] = [];
    while (this.peek() !== undefined && !(this.peek() === '\\' && this.peek(1) === 'E')) {
      out.push(this.literal(this.peek()!.codePointAt(0)!));
      this.i++;
    }
    if (this.peek() !== undefined) this.i += 2;
    return out;
  }

  /** `\d \s \w` (and negations) or `\pX \p{Name} \PX \p{^Name}`, at a backslash; undefined otherwise. */
  private classEscape(): CodePointTest | undefined {
    const c = this.peek(1);
    if (c === undefined) return undefined;
    const perl = perlClass(c);
    if (perl && /^[dswDSW]$/.test(c)) {
      this.i += 2;
      return perl;
    }
    if (c !== 'p' && c !== 'P') return undefined;
    const start = this.i;
    this.i += 2;
    let name: string;
    if (this.peek() === '{') {
      const close = this.cps.indexOf('}', this.i);
      if (close < 0) throw new Re2SyntaxError('invalid character class range', this.text(start, this.cps.length));
      name = this.text(this.i + 1, close);
      this.i = close + 1;
    } else {
      const letter = this.peek();
      if (letter === undefined) throw new Re2SyntaxError('invalid character class range', this.text(start));
      name = letter;
      this.i++;
    }
    let negated = c === 'P';
    if (name.startsWith('^')) [negated, name] = [!negated, name.slice(1)];
    const test = unicodeClass(name);
    if (!test) throw new Re2SyntaxError('invalid character class range', this.text(start));
    return negated ? (cp) => !test(cp) : test;
  }

  /** A single-character escape (Go's parseEscape), at a backslash. */
  private escapedCodePoint(): number {
    const start = this.i;
    this.i++;
    const c = this.peek();
    if (c === undefined) throw new Re2SyntaxError('trailing backslash at end of expression', '');
    this.i++;
    const invalid = (note?: string): never => {
      throw new Re2SyntaxError('invalid escape sequence', this.text(start), note);
    };
    if (c >= '1' && c <= '7' && !isOctal(this.peek())) invalid('RE2 has no backreferences');
    if (c >= '0' && c <= '7') {
      let value = Number(c);
      for (let k = 1; k < 3 && isOctal(this.peek()); k++) value = value * 8 + Number(this.cps[this.i++]);
      return value;
    }
    if (c === 'x') {
      if (this.peek() === '{') {
        const close = this.cps.indexOf('}', this.i);
        const hex = close < 0 ? '' : this.text(this.i + 1, close);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || Number.parseInt(hex, 16) > MAX_CODE_POINT) invalid();
        this.i = close + 1;
        return Number.parseInt(hex, 16);
      }
      if (!isHex(this.peek()) || !isHex(this.peek(1))) invalid();
      this.i += 2;
      return Number.parseInt(this.text(this.i - 2), 16);
    }
    const control = ({ a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 } as Record<string, number>)[c];
    if (control !== undefined) return control;
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !isAsciiAlnum(c)) return cp;
    if (c === 'k') invalid('RE2 has no backreferences');
    if (c === '8' || c === '9') invalid('RE2 has no backreferences');
    return invalid();
  }

  /** `[…]` with Go's rules: `]` first is literal, ranges fold under (?i), [:posix:] classes. */
  private bracketClass(): Re2Node {
    const start = this.i;
    this.i++;
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const items: CodePointTest[] = [];
    let first = true;
    while (first || this.peek() !== ']') {
      if (this.peek() === undefined) throw new Re2SyntaxError('missing closing ]', this.text(start, this.cps.length));
      first = false;
      if (this.peek() === '[' && this.peek(1) === ':') {
        const posix = this.posixItem();
        if (posix) {
          items.push(posix);
          continue;
        }
      }
      if (this.peek() === '\\') {
        const set = this.classEscape();
        if (set) {
          items.push(set);
          continue;
        }
      }
      const rangeStart = this.i;
      const lo = this.classCodePoint(start);
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.i++;
        hi = this.classCodePoint(start);
        if (hi < lo) throw new Re2SyntaxError('invalid character class range', this.text(rangeStart));
      }
      items.push(rangeTest(lo, hi));
    }
    this.i++;
    const union: CodePointTest = (cp) => items.some((t) => t(cp));
    const folded = this.flags.foldCase ? caseInsensitive(union) : union;
    return { op: 'char', test: negated ? (cp) => !folded(cp) : folded };
  }

  private classCodePoint(classStart: number): number {
    const c = this.peek();
    if (c === undefined) throw new Re2SyntaxError('missing closing ]', this.text(classStart, this.cps.length));
    if (c === '\\') return this.escapedCodePoint();
    this.i++;
    return c.codePointAt(0)!;
  }

  private posixItem(): CodePointTest | undefined {
    const close = this.cps.indexOf(']', this.i + 2);
    if (close < 0 || this.cps[close - 1] !== ':') return undefined;
    const text = this.text(this.i, close + 1);
    const inner = this.text(this.i + 2, close - 1);
    const negated = inner.startsWith('^');
    const test = posixClass(negated ? inner.slice(1) : inner, negated);
    if (!test) throw new Re2SyntaxError('invalid character class range', text);
    this.i = close + 1;
    return test;
  }
}
