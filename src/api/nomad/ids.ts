/**
 * Nomad's ID rules, for the IDs Caravan hands out: allocation IDs (Pod UIDs), deployment IDs
 * (NomadDeployment UIDs) and evaluation IDs (evaluation.ts). Kubernetes UIDs are RFC 4122 UUIDs
 * in lowercase, the same shape as Nomad's.
 *
 * Nomad looks IDs up the way its state store's UUID index reads them (go-memdb): a full lookup
 * wants all 36 characters; a prefix is read as hex bytes with the hyphens left out, so it must
 * have an even number of hex digits. Job IDs are not UUIDs: a job prefix is a plain string
 * prefix (jobIdMatches).
 */

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` is a whole UUID, 8-4-4-4-12 hex digits. */
export function isUuid(id: string): boolean {
  return uuidPattern.test(id);
}

export type ParsedId = { readonly ok: true; readonly hex: string } | { readonly ok: false; readonly error: string };

/** Go's hex decoder's complaint about the first byte it cannot read (`encoding/hex: invalid byte: U+0067 'g'`). */
function invalidHex(text: string): string | undefined {
  for (const ch of text) {
    if (!/[0-9a-f]/i.test(ch)) {
      const code = ch.codePointAt(0)!;
      return `Invalid UUID: encoding/hex: invalid byte: U+${code.toString(16).toUpperCase().padStart(4, '0')} '${ch}'`;
    }
  }
  return undefined;
}

/**
 * Reads an ID or an ID prefix as Nomad's UUID index does. `whole`: the ID must be complete (Nomad's
 * direct lookups); otherwise a prefix of any even number of hex digits. The errors are Nomad's
 * texts; the HTTP layer prefixes them with what was looked up (`alloc lookup failed: …`) and answers
 * 500, as Nomad does.
 */
export function parseIdPrefix(text: string, whole = false): ParsedId {
  if (whole && text.length !== 36) return { ok: false, error: 'UUID must be 36 characters' };
  if (text.length > 36) return { ok: false, error: `Invalid UUID length. UUID have 36 characters; got ${text.length}` };
  const hyphens = text.split('-').length - 1;
  if (hyphens > 4) return { ok: false, error: `UUID should have maximum of 4 "-"; got ${hyphens}` };
  const hex = text.replaceAll('-', '');
  if (hex.length % 2 !== 0) return { ok: false, error: 'Input (without hyphens) must be even length' };
  const bad = invalidHex(hex);
  if (bad) return { ok: false, error: bad };
  return { ok: true, hex: hex.toLowerCase() };
}

/** Whether the ID starts with the parsed prefix (compared as hex digits, hyphens and case aside). */
export function idMatches(id: string, prefix: Extract<ParsedId, { ok: true }>): boolean {
  return id.replaceAll('-', '').toLowerCase().startsWith(prefix.hex);
}

export type PrefixLookup<T> = { readonly ok: true; readonly matches: T[] } | { readonly ok: false; readonly error: string };

/**
 * The items whose ID starts with `prefix` (Nomad's `?prefix=` on allocations, deployments and
 * evaluations). An empty prefix matches everything.
 */
export function findByIdPrefix<T>(items: Iterable<T>, idOf: (item: T) => string, prefix: string): PrefixLookup<T> {
  const parsed = parseIdPrefix(prefix);
  if (!parsed.ok) return parsed;
  const matches: T[] = [];
  for (const item of items) if (idMatches(idOf(item), parsed)) matches.push(item);
  return { ok: true, matches };
}

/** Nomad's job prefix: a plain, case-sensitive string prefix of the job ID. */
export function jobIdMatches(jobId: string, prefix: string): boolean {
  return jobId.startsWith(prefix);
}

/** Nomad's CLI shows the first 8 characters of an ID unless asked for all of it. */
export const shortIdLength = 8;

export function shortId(id: string, length = shortIdLength): string {
  return id.slice(0, length);
}
