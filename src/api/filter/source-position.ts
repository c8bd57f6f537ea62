import { goQuote } from './go-quote.ts';

/**
 * Where a syntax error is, as go-bexpr's parser (pigeon) writes it: `line:column (offset)`, the
 * line and column 1-based and counted in characters, the offset 0-based and counted in UTF-8
 * bytes (Go strings are bytes). `1:21 (20)` is the 21st character of the first line.
 */
export function sourcePosition(source: string, index: number): string {
  const before = source.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const column = [...before.slice(lineStart)].length + 1;
  const offset = Buffer.byteLength(before, 'utf8');
  return `${line}:${column} (${offset})`;
}

const MAX_SHOWN = 24;

/** The text a parse stopped at, quoted, for "found …": a word, a quoted string, an operator or one character. */
export function offendingText(source: string, index: number): string {
  if (index >= source.length) return 'end of input';
  const rest = source.slice(index);
  const token =
    /^"[^"]*"?/.exec(rest)?.[0] ?? /^`[^`]*`?/.exec(rest)?.[0] ?? /^[A-Za-z0-9_./-]+/.exec(rest)?.[0] ?? /^(==|!=|=|!)/.exec(rest)?.[0] ?? [...rest][0]!;
  const shown = [...token].length > MAX_SHOWN ? `${[...token].slice(0, MAX_SHOWN).join('')}…` : token;
  return goQuote(shown);
}
