/**
 * go-bexpr reads quoted values with Go's strconv.Unquote: "…" takes Go's escapes, `…` is raw
 * (Go drops carriage returns from raw strings). The grammar ends a "…" string at the next `"`,
 * escaped or not, so a double-quoted value can never contain `"`; use backquotes for that.
 */
export function unquoteDoubleQuoted(body: string): { ok: true; value: string } | { ok: false; reason: string } {
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c === '\n') return { ok: false, reason: 'a newline must be written \\n' };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    const simple = e === undefined ? undefined : ({ a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' } as Record<string, string>)[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const code = numericEscape(body, i);
    if (!code.ok) return code;
    out += String.fromCodePoint(code.value);
    i += code.length;
  }
  return { ok: true, value: out };
}

function numericEscape(body: string, i: number): { ok: true; value: number; length: number } | { ok: false; reason: string } {
  const e = body[i + 1];
  const digits =
    ({ x: [2, 16], u: [4, 16], U: [8, 16] } as Record<string, [number, number]>)[e ?? ''] ?? (e !== undefined && e >= '0' && e <= '7' ? [3, 8] : undefined);
  if (!digits) return { ok: false, reason: `\\${e ?? ''} is not a Go string escape` };
  const [count, radix] = digits;
  const start = radix === 8 ? i + 1 : i + 2;
  const text = body.slice(start, start + count);
  const valid = radix === 8 ? /^[0-7]{3}$/ : /^[0-9A-Fa-f]+$/;
  if (text.length !== count || !valid.test(text)) return { ok: false, reason: `\\${e} needs ${count} ${radix === 8 ? 'octal' : 'hex'} digits` };
  const value = Number.parseInt(text, radix);
  // \x and octal escapes are bytes in Go; above 0x7f they are not text on their own.
  if ((e === 'x' || radix === 8) && value > 0x7f)
    return { ok: false, reason: `byte escape \\${body.slice(i + 1, start + count)} is not valid UTF-8 on its own; write \\u00${value.toString(16)}` };
  if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
    return { ok: false, reason: `\\${body.slice(i + 1, start + count)} is not a Unicode code point` };
  return { ok: true, value, length: start + count - i };
}

export const unquoteRaw = (body: string) => body.replaceAll('\r', '');
