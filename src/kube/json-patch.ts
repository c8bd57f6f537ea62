/**
 * A JSON-patch path (a JSON pointer, RFC 6901) from its segments. In each segment `~` becomes
 * `~0` and then `/` becomes `~1`, every occurrence: a key such as `caravan.dev/stable` is one
 * segment, and the order keeps a `~1` already in a key from being read back as a slash.
 */
export function jsonPointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
