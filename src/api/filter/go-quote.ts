/**
 * Go's %q (strconv.Quote) for the strings we echo in messages: go-bexpr and Go's strconv quote
 * the offending text this way, so Nomad users see the same quoting from Caravan.
 */
export function goQuote(text: string): string {
  let out = '"';
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    const escaped = (
      { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' } as Record<string, string>
    )[c];
    if (escaped) out += escaped;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c)) out += c;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
