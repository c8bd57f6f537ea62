import type { Position } from './diagnostics.ts';

/**
 * The shape of an HCL file: its blocks and attribute names, in source order, with positions.
 * hcl2json gives values but neither positions nor order (it sorts block labels), so this lenient
 * scanner recovers them. It runs only on files hcl2json has accepted, so it does not check syntax.
 */
export interface OutlineBlock {
  readonly type: string;
  readonly labels: readonly string[];
  readonly pos: Position;
  readonly attributes: { readonly name: string; readonly pos: Position }[];
  readonly blocks: OutlineBlock[];
}

type TokenKind = 'ident' | 'string' | 'newline' | 'punct' | 'other';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: Position;
}

export function outlineHcl(source: string): OutlineBlock {
  const tokens = tokenize(source);
  const root: OutlineBlock = { type: '', labels: [], pos: { line: 1, column: 1 }, attributes: [], blocks: [] };
  parseBody(tokens, 0, root);
  return root;
}

/** Reads a body up to its closing `}` (not consumed) or the end; returns the index it stopped at. */
function parseBody(tokens: readonly Token[], start: number, into: OutlineBlock): number {
  let k = start;
  while (k < tokens.length) {
    const t = tokens[k]!;
    if (t.kind === 'newline') {
      k++;
      continue;
    }
    if (t.kind === 'punct' && t.text === '}') return k;
    if (t.kind !== 'ident') {
      k++;
      continue;
    }
    if (tokens[k + 1]?.text === '=') {
      into.attributes.push({ name: t.text, pos: t.pos });
      k = skipExpression(tokens, k + 2);
      continue;
    }
    const labels: string[] = [];
    let j = k + 1;
    for (; tokens[j]?.kind === 'string' || tokens[j]?.kind === 'ident'; j++) labels.push(unquote(tokens[j]!.text));
    if (tokens[j]?.text !== '{') {
      k = j;
      continue;
    }
    const child: OutlineBlock = { type: t.text, labels, pos: t.pos, attributes: [], blocks: [] };
    j = parseBody(tokens, j + 1, child);
    into.blocks.push(child);
    k = j + 1;
  }
  return k;
}

/** An attribute's expression ends at a newline outside brackets, or at the `}` of a one-line block. */
function skipExpression(tokens: readonly Token[], start: number): number {
  let depth = 0;
  let k = start;
  for (; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'newline' && depth === 0) return k;
    if (t.kind !== 'punct') continue;
    if ('{[('.includes(t.text)) depth++;
    else if ('}])'.includes(t.text)) {
      if (depth === 0) return k;
      depth--;
    }
  }
  return k;
}

function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  try {
    return JSON.parse(text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const advanceTo = (end: number) => {
    for (; i < end && i < src.length; i++) {
      if (src[i] === '\n') {
        line++;
        column = 1;
      } else column++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    const pos = { line, column };
    const push = (kind: TokenKind, end: number) => {
      tokens.push({ kind, text: src.slice(i, end), pos });
      advanceTo(end);
    };
    const heredoc = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(src.slice(i, i + 200));
    if (c === '\n') push('newline', i + 1);
    else if (c === ' ' || c === '\t' || c === '\r') advanceTo(i + 1);
    else if (c === '#' || src.startsWith('//', i)) advanceTo(indexOr(src, '\n', i, src.length));
    else if (src.startsWith('/*', i)) advanceTo(indexOr(src, '*/', i + 2, src.length) + 2);
    else if (c === '"') push('string', skipQuoted(src, i));
    else if (heredoc) push('string', heredocEnd(src, i + heredoc[0].length, heredoc[1]!));
    else if (/[A-Za-z_]/.test(c)) push('ident', i + /^[A-Za-z_][\w-]*/.exec(src.slice(i, i + 256))![0].length);
    else if (src.startsWith('==', i) || src.startsWith('=>', i)) push('other', i + 2);
    else if ('{}[]()='.includes(c)) push('punct', i + 1);
    else push('other', i + 1);
  }
  return tokens;
}

function indexOr(src: string, needle: string, from: number, fallback: number): number {
  const at = src.indexOf(needle, from);
  return at < 0 ? fallback : at;
}

/** The index after the closing quote, stepping over `${ … }` and `%{ … }` (which may hold quotes). */
function skipQuoted(src: string, start: number): number {
  let j = start + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if (c === '\n') return j;
    else if ((c === '$' || c === '%') && src[j + 1] === c && src[j + 2] === '{') j += 3;
    else if ((c === '$' || c === '%') && src[j + 1] === '{') j = skipInterpolation(src, j + 2);
    else j++;
  }
  return j;
}

function skipInterpolation(src: string, start: number): number {
  let depth = 1;
  let j = start;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '"') {
      j = skipQuoted(src, j);
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j + 1;
    j++;
  }
  return j;
}

/** The index just before the newline that ends the heredoc's closing marker line. */
function heredocEnd(src: string, bodyStart: number, marker: string): number {
  let lineStart = bodyStart;
  while (lineStart < src.length) {
    const lineEnd = indexOr(src, '\n', lineStart, src.length);
    if (src.slice(lineStart, lineEnd).trim() === marker) return lineEnd;
    lineStart = lineEnd + 1;
  }
  return src.length;
}
