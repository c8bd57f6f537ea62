import type { CollectionBinding, FilterExpr, MatchExpr, MatchValue, Selector } from './ast.ts';
import { goQuote } from './go-quote.ts';
import { unquoteDoubleQuoted, unquoteRaw } from './go-string-literal.ts';
import { Re2Regex } from './re2-regex.ts';
import { offendingText, sourcePosition } from './source-position.ts';

/**
 * go-bexpr's filter language, parsed the way its PEG grammar does (ordered choice with
 * backtracking, the farthest failure reported), so an expression Nomad accepts parses here to
 * the same tree and one it refuses is refused at the same `line:column (offset)`.
 *
 *   filter     = _? or _? EOF
 *   or         = and (_ "or" _ and)* [_ "or" _ collection]  |  collection
 *   and        = not (_ "and" _ not)*
 *   not        = "not" _ not  |  "(" _? or _? ")"  |  match
 *   match      = selector (== | != | contains | not contains | matches | not matches) value
 *              | selector (is empty | is not empty)
 *              | value (in | not in) selector
 *   collection = (any | all) _ selector _ "as" _ binding _? "{" _? or _? "}"
 *   selector   = ident ("." ident | "." digits | "[" _? string _? "]")*  |  "\"/json/pointer\""
 *   value      = selector-shaped word (taken as text) | number | "string" | `raw string`
 *
 * Keyword operators (in, contains, matches, is, not, and, or) need whitespace around them;
 * `==` and `!=` do not. Errors read like go-bexpr's: `1:21 (20): rule "grouping": Unmatched
 * parentheses`, or `1:10 (9): no match found, expected: "and", "or" or end of input; found "abc"`.
 */
export function parseFilter(source: string): { ok: true; filter: FilterExpr } | { ok: false; error: string } {
  try {
    return { ok: true, filter: new FilterParser(source).parse() };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error: `${sourcePosition(source, error.index)}: ${error.detail}` };
    throw error;
  }
}

class FilterSyntaxError extends Error {
  readonly index: number;
  readonly detail: string;

  constructor(index: number, detail: string) {
    super(detail);
    this.index = index;
    this.detail = detail;
  }
}

// Parentheses, `not` and collection bodies nest by recursion; a bound keeps a hostile filter
// from exhausting the stack (go-bexpr has no such bound, Go stacks grow).
const MAX_NESTING = 500;

const isLetter = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const IDENTIFIER = /[A-Za-z][A-Za-z0-9_/]*/y;
const POINTER_SEGMENT = /[\p{L}\p{N}\-_.~:|]+/uy;

class FilterParser {
  private readonly src: string;
  private pos = 0;
  private farthest = 0;
  private expected = new Set<string>();
  private depth = 0;

  constructor(source: string) {
    this.src = source;
  }

  parse(): FilterExpr {
    this.space();
    const expr = this.or();
    if (expr) {
      this.space();
      if (this.pos === this.src.length) return expr;
      this.expect('end of input');
    }
    throw this.noMatch();
  }

  // ---- failure bookkeeping: the farthest position any alternative reached, and what it wanted there

  private expect(label: string, at = this.pos): void {
    if (at > this.farthest) [this.farthest, this.expected] = [at, new Set([label])];
    else if (at === this.farthest) this.expected.add(label);
  }

  private noMatch(): FilterSyntaxError {
    const labels = [...this.expected].sort((a, b) => Number(!a.startsWith('"')) - Number(!b.startsWith('"')) || a.localeCompare(b));
    const list = labels.length <= 1 ? (labels[0] ?? 'an expression') : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
    return new FilterSyntaxError(this.farthest, `no match found, expected: ${list}; found ${offendingText(this.src, this.farthest)}`);
  }

  private fail(index: number, detail: string): never {
    throw new FilterSyntaxError(index, detail);
  }

  private nest<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(this.pos, `expression nests too deeply (more than ${MAX_NESTING} levels)`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  // ---- lexical pieces

  private space(): boolean {
    const start = this.pos;
    while (isSpace(this.src[this.pos])) this.pos++;
    return this.pos > start;
  }

  private literal(text: string): boolean {
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    this.expect(`"${text}"`);
    return false;
  }

  /** A keyword; with `spaceAfter`, the whitespace go-bexpr requires after it is consumed too. */
  private keyword(word: string, spaceAfter: boolean): boolean {
    if (!this.src.startsWith(word, this.pos)) {
      this.expect(`"${word}"`);
      return false;
    }
    if (spaceAfter && !isSpace(this.src[this.pos + word.length])) {
      this.expect(`whitespace after "${word}"`, this.pos + word.length);
      return false;
    }
    this.pos += word.length;
    this.space();
    return true;
  }

  /** `_ w1 _ w2 … wn [_]`: a keyword operator, whitespace before each word. Restores the position on failure. */
  private words(words: readonly string[], spaceAfterLast: boolean): boolean {
    const start = this.pos;
    const spaced = this.space();
    if (!spaced && this.src.startsWith(words[0]!, this.pos)) {
      this.expect(`whitespace before "${words[0]}"`);
      this.pos = start;
      return false;
    }
    for (let k = 0; k < words.length; k++) {
      if (!this.keyword(words[k]!, k < words.length - 1 || spaceAfterLast)) {
        this.pos = start;
        return false;
      }
    }
    return true;
  }

  private symbol(text: string): boolean {
    const start = this.pos;
    this.space();
    if (this.literal(text)) {
      this.space();
      return true;
    }
    this.pos = start;
    return false;
  }

  // ---- boolean structure

  private or(): FilterExpr | undefined {
    const first = this.and();
    if (!first) return this.collection();
    const terms = [first];
    for (;;) {
      const before = this.pos;
      if (!this.words(['or'], true)) break;
      const next = this.and() ?? this.collection();
      if (!next) {
        this.pos = before;
        break;
      }
      terms.push(next);
      if (next.kind === 'any' || next.kind === 'all') break;
    }
    return rightNested('or', terms);
  }

  private and(): FilterExpr | undefined {
    const first = this.not();
    if (!first) return undefined;
    const terms = [first];
    for (;;) {
      const before = this.pos;
      if (!this.words(['and'], true)) break;
      const next = this.not();
      if (!next) {
        this.pos = before;
        break;
      }
      terms.push(next);
    }
    return rightNested('and', terms);
  }

  private not(): FilterExpr | undefined {
    const start = this.pos;
    if (this.keyword('not', true)) {
      const operand = this.nest(() => this.not());
      // go-bexpr folds `not not x` to x.
      if (operand) return operand.kind === 'not' ? operand.operand : { kind: 'not', operand };
      this.pos = start;
    }
    return this.group() ?? this.match();
  }

  private group(): FilterExpr | undefined {
    const start = this.pos;
    if (!this.literal('(')) return undefined;
    this.space();
    const inner = this.nest(() => this.or());
    if (!inner) {
      this.pos = start;
      return undefined;
    }
    this.space();
    if (!this.literal(')')) this.fail(this.pos, 'rule "grouping": Unmatched parentheses');
    return inner;
  }

  // ---- match expressions

  private match(): MatchExpr | undefined {
    const start = this.pos;
    const selector = this.selector();
    if (selector) {
      const afterSelector = this.pos;
      const compared = this.comparison(selector);
      if (compared) return compared;
      this.pos = afterSelector;
      if (this.words(['is', 'empty'], false)) return { kind: 'match', operator: 'is empty', selector };
      if (this.words(['is', 'not', 'empty'], false)) return { kind: 'match', operator: 'is not empty', selector };
      this.pos = start;
    }
    const value = this.value();
    if (value) {
      const operator = this.words(['in'], true) ? 'in' : this.words(['not', 'in'], true) ? 'not in' : undefined;
      if (operator) {
        const selectorAt = this.pos;
        const target = this.selector();
        if (!target) this.fail(selectorAt, 'rule "match": Invalid selector');
        return { kind: 'match', operator, selector: target, value };
      }
    }
    this.pos = start;
    return undefined;
  }

  /** `selector op value` for ==, !=, contains, not contains, matches, not matches. */
  private comparison(selector: Selector): MatchExpr | undefined {
    const operator = this.symbol('==')
      ? '=='
      : this.symbol('!=')
        ? '!='
        : this.words(['contains'], true)
          ? 'in'
          : this.words(['not', 'contains'], true)
            ? 'not in'
            : this.words(['matches'], true)
              ? 'matches'
              : this.words(['not', 'matches'], true)
                ? 'not matches'
                : undefined;
    if (!operator) return undefined;
    const valueAt = this.pos;
    const value = this.value();
    if (!value) return undefined;
    if (operator !== 'matches' && operator !== 'not matches') return { kind: 'match', operator, selector, value };
    // go-bexpr compiles the pattern on first use; compiling it here turns a bad pattern into a
    // parse error that points at it.
    const compiled = Re2Regex.compile(value.raw);
    if (!compiled.ok) this.fail(valueAt, `Failed to compile regular expression ${goQuote(value.raw)}: ${compiled.error}`);
    return { kind: 'match', operator, selector, value, regex: compiled.regex };
  }

  // ---- selectors and values

  private selector(): Selector | undefined {
    const start = this.pos;
    if (this.src[this.pos] === '"') return this.pointerSelector();
    const path = this.dottedPath();
    if (!path) {
      this.expect('selector', start);
      return undefined;
    }
    return { form: 'dotted', path, text: this.src.slice(start, this.pos) };
  }

  /** `"/TaskGroups/web"`: JSON pointer segments, ~1 for / and ~0 for ~. Not a selector if it does not fit. */
  private pointerSelector(): Selector | undefined {
    const start = this.pos;
    let at = start + 1;
    const path: string[] = [];
    while (this.src[at] === '/') {
      POINTER_SEGMENT.lastIndex = at + 1;
      const segment = POINTER_SEGMENT.exec(this.src)?.[0];
      if (!segment) break;
      path.push(segment.replaceAll('~1', '/').replaceAll('~0', '~'));
      at += 1 + segment.length;
    }
    if (this.src[at] !== '"') {
      this.expect('selector', start);
      return undefined;
    }
    this.pos = at + 1;
    return { form: 'pointer', path: path.length > 0 ? path : [''], text: this.src.slice(start, this.pos) };
  }

  private identifier(): string | undefined {
    IDENTIFIER.lastIndex = this.pos;
    const name = IDENTIFIER.exec(this.src)?.[0];
    if (name) this.pos += name.length;
    return name;
  }

  /** ident, then `.ident`, `.0` or `["key"]` any number of times. */
  private dottedPath(): string[] | undefined {
    const first = this.identifier();
    if (!first) return undefined;
    const path = [first];
    for (;;) {
      if (this.src[this.pos] === '.' && isLetter(this.src[this.pos + 1])) {
        this.pos++;
        path.push(this.identifier()!);
      } else if (this.src[this.pos] === '.' && isDigit(this.src[this.pos + 1])) {
        const digits = /[0-9]+/y;
        digits.lastIndex = this.pos + 1;
        const index = digits.exec(this.src)![0];
        this.pos += 1 + index.length;
        path.push(index);
      } else if (this.src[this.pos] === '[') {
        path.push(this.indexKey());
      } else {
        return path;
      }
    }
  }

  /** `["key"]` or `` [`key`] ``: any text as one path segment. */
  private indexKey(): string {
    this.pos++;
    this.space();
    const key = this.stringLiteral();
    if (key === undefined) this.fail(this.pos, 'rule "index": Invalid index');
    this.space();
    if (this.src[this.pos] !== ']') this.fail(this.pos, 'rule "index": Unclosed index expression');
    this.pos++;
    return key;
  }

  private value(): MatchValue | undefined {
    const start = this.pos;
    const c = this.src[this.pos];
    // A bare word shaped like a selector is a value in go-bexpr, its text taken literally: Status == running.
    const path = isLetter(c) ? this.dottedPath() : undefined;
    if (path) return { raw: path.join('.') };
    const raw = c === '"' || c === '`' ? this.stringLiteral() : this.number();
    if (raw === undefined) {
      this.pos = start;
      this.expect('value', start);
    }
    return raw === undefined ? undefined : { raw };
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?, which must end at whitespace, `)`, `}` or the end. */
  private number(): string | undefined {
    const start = this.pos;
    const match = /-?(0|[1-9][0-9]*)(\.[0-9]+)?/y;
    match.lastIndex = start;
    const text = match.exec(this.src)?.[0];
    if (!text) return undefined;
    this.pos += text.length;
    const next = this.src[this.pos];
    if (next !== undefined && !isSpace(next) && next !== ')' && next !== '}') this.fail(this.pos, 'rule "number": Invalid number literal');
    return text;
  }

  private stringLiteral(): string | undefined {
    const start = this.pos;
    const quote = this.src[start];
    if (quote !== '"' && quote !== '`') {
      this.expect('string');
      return undefined;
    }
    const end = this.src.indexOf(quote, start + 1);
    if (end < 0) this.fail(this.src.length, 'rule "string": Unterminated string literal');
    const body = this.src.slice(start + 1, end);
    this.pos = end + 1;
    if (quote === '`') return unquoteRaw(body);
    const unquoted = unquoteDoubleQuoted(body);
    if (!unquoted.ok) this.fail(start, `rule "string": invalid syntax: ${unquoted.reason}`);
    return unquoted.value;
  }

  // ---- collections

  private collection(): FilterExpr | undefined {
    const start = this.pos;
    const kind = this.keyword('any', true) ? 'any' : this.keyword('all', true) ? 'all' : undefined;
    const selector = kind && this.selector();
    const binding = selector && this.words(['as'], true) ? this.binding() : undefined;
    if (!kind || !selector || !binding || !this.symbol('{')) {
      this.pos = start;
      return undefined;
    }
    const body = this.nest(() => this.or());
    if (!body || !this.symbol('}')) {
      this.pos = start;
      return undefined;
    }
    return { kind, selector, binding, body };
  }

  private bindingName(): string | undefined {
    if (this.src[this.pos] === '_' && !/[A-Za-z0-9_/]/.test(this.src[this.pos + 1] ?? '')) {
      this.pos++;
      return '_';
    }
    const name = this.identifier();
    if (!name) this.expect('a name');
    return name;
  }

  private binding(): CollectionBinding | undefined {
    const at = this.pos;
    const first = this.bindingName();
    if (!first) return undefined;
    const afterFirst = this.pos;
    if (!this.symbol(',')) {
      this.pos = afterFirst;
      return first === '_' ? undefined : { mode: 'default', name: first };
    }
    const second = this.bindingName();
    if (!second || (first === '_' && second === '_')) return undefined;
    if (second === '_') return { mode: 'index', index: first };
    if (first === '_') return { mode: 'value', value: second };
    if (first === second) this.fail(at, `${goQuote(first)} cannot be used as a placeholder for both the index and the value`);
    return { mode: 'index-and-value', index: first, value: second };
  }
}

function rightNested(kind: 'and' | 'or', terms: readonly FilterExpr[]): FilterExpr {
  return terms.reduceRight((right, left) => ({ kind, left, right }));
}
