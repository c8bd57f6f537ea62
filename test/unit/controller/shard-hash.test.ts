import { describe, expect, it } from 'vitest';
import { fnv1a32, shardOf } from '../../../src/controller/shard-hash.ts';

describe('FNV-1a 32-bit, the shard hash', () => {
  // The first three are the reference vectors of draft-eastlake-fnv; the rest pin UTF-8 and keys.
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
    ['default/web', 0x41d689bb],
    ['prod/api', 0x27678f1b],
    ['ü', 0x119dd44a],
  ])('hashes %j to %d', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });
});

describe('the shard of a job key', () => {
  it.each([
    ['default/web', 4, 3],
    ['prod/api', 4, 3],
    ['default/web', 7, 0x41d689bb % 7],
    ['default/web', 1, 0],
  ])('%s with %d shards is shard %d', (key, shards, shard) => {
    expect(shardOf(key, shards)).toBe(shard);
  });

  it('spreads many keys over every shard, roughly evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOf(`team-${i % 13}/job-${i}`, 8)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
