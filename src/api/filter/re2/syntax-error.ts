/**
 * Go's regexp/syntax error codes, so a refused pattern reads as Nomad's would:
 * `error parsing regexp: missing closing ): `(web``. Where the refusal is about a feature
 * JavaScript has and RE2 lacks (lookaround, backreferences), a note says so.
 */
export type Re2ErrorCode =
  | 'invalid character class'
  | 'invalid character class range'
  | 'invalid escape sequence'
  | 'invalid named capture'
  | 'invalid or unsupported Perl syntax'
  | 'invalid nested repetition operator'
  | 'invalid repeat count'
  | 'missing closing ]'
  | 'missing closing )'
  | 'missing argument to repetition operator'
  | 'trailing backslash at end of expression'
  | 'unexpected )'
  | 'expression nests too deeply'
  | 'expression too large'
  | 'duplicate capture group name';

export class Re2SyntaxError extends Error {
  constructor(code: Re2ErrorCode, expr: string, note?: string) {
    super(`error parsing regexp: ${code}: \`${expr}\`${note ? ` (${note})` : ''}`);
  }
}
