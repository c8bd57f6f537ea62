import { compileProgram, type Program } from './program.ts';
import { searchProgram } from './search.ts';
import { Re2SyntaxError } from './syntax-error.ts';
import { parseRe2 } from './syntax.ts';

/**
 * A regular expression with Go's RE2 syntax and semantics, for go-bexpr's `matches`. We do not
 * hand patterns to JavaScript's RegExp: its syntax differs (lookaround, backreferences, `\pL`,
 * `\Q…\E`, `(?i)`), its `.` and `\s` match different characters, and it backtracks, so one
 * pattern in a `?filter=` could hold the event loop for minutes.
 */
export class Re2Regex {
  readonly source: string;
  private readonly program: Program;

  private constructor(source: string, program: Program) {
    this.source = source;
    this.program = program;
  }

  static compile(source: string): { ok: true; regex: Re2Regex } | { ok: false; error: string } {
    try {
      return { ok: true, regex: new Re2Regex(source, compileProgram(parseRe2(source), source)) };
    } catch (error) {
      if (error instanceof Re2SyntaxError) return { ok: false, error: error.message };
      throw error;
    }
  }

  /** Unanchored, like Go's regexp.MatchString. */
  test(input: string): boolean {
    return searchProgram(this.program, input);
  }
}
