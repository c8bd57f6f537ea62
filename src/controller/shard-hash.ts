/**
 * Which shard a job belongs to (issue 15 §5): FNV-1a, 32 bits, over the UTF-8 bytes of its queue
 * key `namespace/name`, modulo the shard count. FNV-1a is documented (IETF draft-eastlake-fnv),
 * tiny and stable across versions and platforms, so every replica of every release agrees on it;
 * it is not a cryptographic hash, and need not be: keys are not adversarial here, and a skewed
 * shard costs balance, never correctness.
 */
const fnvOffsetBasis = 0x811c9dc5;
const fnvPrime = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a 32-bit of the string's UTF-8 bytes, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = fnvOffsetBasis;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, fnvPrime);
  }
  return hash >>> 0;
}

/** The shard (0 to shards - 1) of a job's key `namespace/name`. */
export function shardOf(jobKey: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a32(jobKey) % shards;
}
