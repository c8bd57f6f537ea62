import type { Position } from './diagnostics.ts';

export type JsonPath = readonly (string | number)[];

export const pathKey = (path: JsonPath): string => JSON.stringify(path);

/**
 * Where each object key and array element of a JSON text starts, by path (see pathKey), for
 * messages that point into the file. Expects text JSON.parse has accepted.
 */
export function jsonPositions(text: string): Map<string, Position> {
  const positions = new Map<string, Position>();
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionAt = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };

  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i;
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (path: JsonPath): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      for (;;) {
        skipSpace();
        if (text[i] === '}') break;
        const at = positionAt(i);
        const key = readString();
        positions.set(pathKey([...path, key]), at);
        skipSpace();
        i++; // the colon
        readValue([...path, key]);
        skipSpace();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (c === '[') {
      i++;
      for (let index = 0; ; index++) {
        skipSpace();
        if (text[i] === ']') break;
        positions.set(pathKey([...path, index]), positionAt(i));
        readValue([...path, index]);
        skipSpace();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (c === '"') readString();
    else while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  readValue([]);
  return positions;
}
