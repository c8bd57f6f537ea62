import { describe, expect, it } from 'vitest';
import { decideShards, freeSince, isLive, type ShardDecision, type ShardSituation } from '../../../src/controller/shard-plan.ts';
import type { ObservedLease } from '../../../src/kube/shard-leases.ts';

const now = 100_000;
const duration = 10_000;
/** A shard Lease renewed (as seen from here) `ago` ms before now. */
const heldBy = (holder: string, ago = 0): ObservedLease => ({ holder, since: now - ago, durationMs: duration });
const handedBack = (ago = 0): ObservedLease => ({ holder: '', since: now - ago, durationMs: 1000 });
const member = (identity: string, ago = 0, shards = 4) => ({ identity, shards, since: now - ago });

function situation(over: Partial<ShardSituation>): ShardSituation {
  return { count: 4, self: 'a', shards: [], members: [member('a')], single: undefined, memberTimeoutMs: duration, handingBack: [], now, ...over };
}

const pick = (d: ShardDecision) => ('shards' in d ? { kind: d.kind, shards: d.shards } : { kind: d.kind });

describe('a shard Lease as seen from here', () => {
  it.each([
    ['absent', undefined, false, Number.NEGATIVE_INFINITY],
    ['renewed just now', heldBy('b'), true, now + duration],
    ['unrenewed for almost its duration', heldBy('b', duration - 1), true, now + 1],
    ['unrenewed for its whole duration', heldBy('b', duration), false, now],
    ['handed back', handedBack(5), false, now - 5],
  ])('%s: live %s, free from %d', (_, lease, live, free) => {
    expect(isLive(lease, now)).toBe(live);
    expect(freeSince(lease)).toBe(free);
  });
});

describe('which shards a replica takes and hands back', () => {
  it.each<[string, Partial<ShardSituation>, ReturnType<typeof pick>]>([
    ['alone with no Lease yet: takes every shard', { shards: [undefined, undefined, undefined, undefined] }, { kind: 'take', shards: [0, 1, 2, 3] }],
    [
      'two members, no Lease yet: each takes its half (free shards assigned alike by every replica)',
      { members: [member('a'), member('b')], shards: [undefined, undefined, undefined, undefined] },
      { kind: 'take', shards: [0, 2] },
    ],
    [
      'the second of two members takes the other half',
      { self: 'b', members: [member('a'), member('b')], shards: [undefined, undefined, undefined, undefined] },
      { kind: 'take', shards: [1, 3] },
    ],
    [
      'holding all four when a second member joins: hands back the two above its share',
      { members: [member('a'), member('b')], shards: [heldBy('a'), heldBy('a'), heldBy('a'), heldBy('a')] },
      { kind: 'hand back', shards: [2, 3] },
    ],
    [
      'the newcomer waits while they are held',
      { self: 'b', members: [member('a'), member('b')], shards: [heldBy('a'), heldBy('a'), heldBy('a'), heldBy('a')] },
      { kind: 'keep' },
    ],
    [
      'the newcomer takes what was handed back',
      { self: 'b', members: [member('a'), member('b')], shards: [heldBy('a'), heldBy('a'), handedBack(), handedBack()] },
      { kind: 'take', shards: [2, 3] },
    ],
    [
      'shards it is handing back already are not handed back twice',
      { members: [member('a'), member('b')], shards: [heldBy('a'), heldBy('a'), heldBy('a'), heldBy('a')], handingBack: [2, 3] },
      { kind: 'keep' },
    ],
    [
      'a dead replica: its Leases are not taken before they went unrenewed for their whole duration',
      { members: [member('a'), member('b', duration + 1)], shards: [heldBy('a'), heldBy('a'), heldBy('b', duration - 1), heldBy('b', duration - 1)] },
      { kind: 'keep' },
    ],
    [
      'a dead replica: its expired Leases are taken',
      { members: [member('a'), member('b', duration + 1)], shards: [heldBy('a'), heldBy('a'), heldBy('b', duration), heldBy('b', duration)] },
      { kind: 'take', shards: [2, 3] },
    ],
    [
      'four shards, three replicas: at its share of two, it keeps them',
      { members: [member('a'), member('b'), member('c')], shards: [heldBy('a'), heldBy('a'), heldBy('b'), heldBy('c')] },
      { kind: 'keep' },
    ],
    [
      'four shards, three replicas, one holding none: one above the least share hands one back',
      { members: [member('a'), member('b'), member('c')], shards: [heldBy('a'), heldBy('a'), heldBy('b'), heldBy('b')] },
      { kind: 'hand back', shards: [1] },
    ],
    [
      'a free shard goes to the replica holding fewest, not to one at its share',
      { members: [member('a'), member('b'), member('c')], shards: [heldBy('a'), heldBy('a'), heldBy('b'), handedBack()] },
      { kind: 'keep' },
    ],
    [
      '… unless the replica it was for has not taken it for a whole lease duration',
      { members: [member('a'), member('b'), member('c')], shards: [heldBy('a'), heldBy('b'), heldBy('b'), handedBack(duration)] },
      { kind: 'take', shards: [3] },
    ],
    [
      'more replicas than shards: one each, the rest hold none',
      { self: 'e', members: ['a', 'b', 'c', 'd', 'e'].map((m) => member(m)), shards: [heldBy('a'), heldBy('b'), heldBy('c'), heldBy('d')] },
      { kind: 'keep' },
    ],
    [
      'a live holder missing from the members still counts as a replica',
      { shards: [heldBy('a'), heldBy('a'), heldBy('x'), heldBy('a')] },
      { kind: 'hand back', shards: [3] },
    ],
    [
      'a --shards 1 replica leads on the single Lease: takes nothing',
      { single: heldBy('old'), shards: [undefined, undefined, undefined, undefined] },
      { kind: 'wait' },
    ],
    [
      'a --shards 1 replica leads on the single Lease: hands back all it holds',
      { single: heldBy('old'), shards: [heldBy('a'), undefined, heldBy('a'), undefined] },
      { kind: 'hand back', shards: [0, 2] },
    ],
    [
      'a single Lease handed back or expired does not stop it',
      { single: heldBy('old', duration), shards: [undefined, undefined, undefined, undefined] },
      { kind: 'take', shards: [0, 1, 2, 3] },
    ],
    [
      'a live member runs another --shards: takes nothing (they would both act on some jobs)',
      { members: [member('a'), member('b', 0, 8)], shards: [undefined, undefined, undefined, undefined] },
      { kind: 'wait' },
    ],
    [
      'a member with another --shards gone for a lease duration does not stop it',
      { members: [member('a'), member('b', duration, 8)], shards: [undefined, undefined, undefined, undefined] },
      { kind: 'take', shards: [0, 1, 2, 3] },
    ],
  ])('%s', (_, over, expected) => {
    expect(pick(decideShards(situation(over)))).toEqual(expected);
  });

  it('says why, in words for the log', () => {
    const d = decideShards(situation({ members: [member('a'), member('b')], shards: [heldBy('a'), heldBy('a'), heldBy('a'), heldBy('a')] }));
    expect(d.reason).toBe('holds 4, above its share of 2 (2 replicas, 4 shards)');
  });

  it('never takes a shard that another replica holds live, whatever the members (property)', () => {
    const ids = ['a', 'b', 'c'];
    for (let seed = 0; seed < 500; seed++) {
      const rand = mulberry32(seed);
      const shards = Array.from({ length: 6 }, () => {
        const r = rand();
        if (r < 0.2) return undefined;
        if (r < 0.3) return handedBack(Math.floor(rand() * 2 * duration));
        return heldBy(ids[Math.floor(rand() * 3)]!, Math.floor(rand() * 2 * duration));
      });
      const members = ids.filter(() => rand() < 0.7).map((m) => member(m, Math.floor(rand() * 2 * duration), 6));
      const d = decideShards(situation({ count: 6, shards, members }));
      if (d.kind === 'take') for (const i of d.shards) expect(isLive(shards[i], now) && shards[i]!.holder !== 'a').toBe(false);
      if (d.kind === 'take') for (const i of d.shards) expect(shards[i]?.holder).not.toBe('a');
      if (d.kind === 'hand back') for (const i of d.shards) expect(shards[i]?.holder).toBe('a');
    }
  });

  it('settles: replicas following their decisions reach an even split with every shard held once', () => {
    for (const replicas of [1, 2, 3, 5]) {
      for (const count of [1, 4, 7]) {
        const ids = Array.from({ length: replicas }, (_, i) => `r${i}`);
        const holders: string[] = new Array(count).fill('');
        for (let round = 0; round < 20; round++) {
          for (const self of ids) {
            const view = holders.map((h) => (h === '' ? handedBack(duration) : heldBy(h)));
            const d = decideShards(situation({ count, self, shards: view, members: ids.map((m) => member(m, 0, count)) }));
            if (d.kind === 'take') for (const i of d.shards) holders[i] = self;
            if (d.kind === 'hand back') for (const i of d.shards) holders[i] = '';
          }
        }
        expect(holders.filter((h) => h === '')).toEqual([]);
        const per = ids.map((id) => holders.filter((h) => h === id).length);
        expect(Math.max(...per) - Math.min(...per), `${replicas} replicas, ${count} shards: ${per}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
