import { RE2JS, RE2JSSyntaxException } from 're2js';
import { goRegexpError, tooLargeError } from './go-regexp-error.ts';

// re2js matches in time linear in the text times the program; the filter runs the program for
// every object in a list, so Caravan bounds the program well below Go's own limit.
const MAX_PROGRAM_SIZE = 20_000;

/**
 * A regular expression with Go's RE2 syntax and semantics, for go-bexpr's `matches`, run by
 * re2js (a port of RE2/J, whose parser follows Go's regexp/syntax). We do not hand patterns to
 * JavaScript's RegExp: its syntax differs (lookaround, backreferences, `\pL`, `\Q…\E`, `(?i)`),
 * its `.` and `\s` match different characters, and it backtracks, so one pattern in a `?filter=`
 * could hold the event loop for minutes.
 */
export class Re2Regex {
  readonly source: string;
  private readonly program: RE2JS;

  private constructor(source: string, program: RE2JS) {
    this.source = source;
    this.program = program;
  }

  /** As go-bexpr compiles: Go's regexp.Compile, so Perl flags, leftmost-first, no anchoring. */
  static compile(source: string): { ok: true; regex: Re2Regex } | { ok: false; error: string } {
    let program: RE2JS;
    try {
      program = RE2JS.compile(source);
    } catch (error) {
      if (error instanceof RE2JSSyntaxException) return { ok: false, error: goRegexpError(source, error) };
      throw error;
    }
    if (program.programSize() > MAX_PROGRAM_SIZE) return { ok: false, error: tooLargeError(source) };
    return { ok: true, regex: new Re2Regex(source, program) };
  }

  /** Unanchored, like Go's regexp.MatchString. */
  test(input: string): boolean {
    return this.program.test(input);
  }
}
