import type { ObservedLease, ShardLeaseObservation } from '../kube/shard-leases.ts';

/**
 * Which shards a replica takes and which it hands back (issue 15 §5), decided from one look at the
 * Leases: pure, so every rule below is a table test. Safety does not rest on these decisions (a
 * shard's Lease admits one holder at a time, and a free one is taken only after it was seen
 * unrenewed for its whole duration); they only spread the shards: each live replica holds about
 * shards / replicas of them, and shards move as replicas come and go.
 */
export interface ShardSituation extends ShardLeaseObservation {
  /** How many shards this replica was started with (`--shards`). */
  readonly count: number;
  readonly self: string;
  /** Members not seen renewing for this long are gone (the lease duration). */
  readonly memberTimeoutMs: number;
  /** Shards this replica is handing back already: its running reconciles are finishing. */
  readonly handingBack: readonly number[];
  readonly now: number;
}

export type ShardDecision =
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'hand back'; readonly shards: readonly number[]; readonly reason: string }
  | { readonly kind: 'take'; readonly shards: readonly number[]; readonly reason: string }
  | { readonly kind: 'keep'; readonly reason: string };

/** Whether the lease's holder still counts: it was renewed less than its duration ago, seen from here. */
export const isLive = (lease: ObservedLease | undefined, now: number): boolean =>
  lease !== undefined && lease.holder !== '' && now < lease.since + lease.durationMs;

/** When a shard became free to take: never created, handed back, or unrenewed for its duration. */
export function freeSince(lease: ObservedLease | undefined): number {
  if (lease === undefined) return Number.NEGATIVE_INFINITY;
  return lease.holder === '' ? lease.since : lease.since + lease.durationMs;
}

export function decideShards(s: ShardSituation): ShardDecision {
  const holders = s.shards.map((lease) => (isLive(lease, s.now) || lease?.holder === s.self ? lease!.holder : undefined));
  const mine = holders.flatMap((h, i) => (h === s.self && !s.handingBack.includes(i) ? [i] : []));
  const blocked = whyNotShard(s);
  // A --shards 1 replica that took the single Lease acts on every job already: step aside at once.
  if (blocked && isLive(s.single, s.now) && mine.length > 0) return { kind: 'hand back', shards: mine, reason: blocked };
  if (blocked) return { kind: 'wait', reason: blocked };
  const members = liveMembers(s);
  const replicas = [...new Set([...members, ...holders.filter((h): h is string => h !== undefined)])].sort();
  const held = (identity: string) => holders.filter((h, i) => h === identity && !(identity === s.self && s.handingBack.includes(i))).length;
  const share = Math.ceil(s.count / replicas.length);
  const least = Math.floor(s.count / replicas.length);
  const split = `${replicas.length} replicas, ${s.count} shards`;
  if (mine.length > share) return { kind: 'hand back', shards: mine.slice(share), reason: `holds ${mine.length}, above its share of ${share} (${split})` };
  const free = holders.flatMap((h, i) => (h === undefined && s.now >= freeSince(s.shards[i]) ? [i] : []));
  const starving = replicas.find((r) => held(r) < least);
  if (free.length === 0 && starving !== undefined && mine.length > least) {
    return { kind: 'hand back', shards: mine.slice(-1), reason: `${starving} holds fewer than ${least} (${split})` };
  }
  const ours = assignFree(free, members, held, share)
    .filter((a) => a.to === s.self)
    .map((a) => a.shard);
  // A free shard assigned to a replica that does not take it (it lost the race, or is stuck) is
  // anyone's after it has stayed free for a whole lease duration more.
  const unclaimed = free.filter((i) => !ours.includes(i) && s.now >= freeSince(s.shards[i]) + s.memberTimeoutMs);
  const take = [...ours, ...unclaimed].slice(0, Math.max(0, share - mine.length));
  if (take.length > 0) return { kind: 'take', shards: take.sort((a, b) => a - b), reason: `holds ${mine.length} of its share of ${share} (${split})` };
  return { kind: 'keep', reason: `holds ${mine.length} (${split})` };
}

/** Why this replica must take nothing now, if it must not: another replica could act on the same jobs under another count. */
function whyNotShard(s: ShardSituation): string | undefined {
  if (isLive(s.single, s.now)) return `${s.single!.holder} holds the single-replica Lease (--shards 1): it acts on every job`;
  const other = s.members.find((m) => m.identity !== s.self && m.shards !== s.count && s.now < m.since + s.memberTimeoutMs);
  if (other) return `${other.identity} runs with --shards ${other.shards}, this replica with ${s.count}: they would both act on some jobs`;
  return undefined;
}

function liveMembers(s: ShardSituation): string[] {
  const live = s.members.filter((m) => m.identity === s.self || s.now < m.since + s.memberTimeoutMs).map((m) => m.identity);
  return live.includes(s.self) ? live : [...live, s.self];
}

/**
 * Free shards, lowest first, each to the member holding fewest (then the first identity), up to the
 * share: every replica that sees the same Leases assigns them alike, so they do not race for them.
 */
function assignFree(free: readonly number[], members: readonly string[], held: (identity: string) => number, share: number) {
  const counts = new Map(members.map((m) => [m, held(m)]));
  const order = [...members].sort();
  const assigned: { shard: number; to: string }[] = [];
  for (const shard of free) {
    const to = order.filter((m) => counts.get(m)! < share).sort((a, b) => counts.get(a)! - counts.get(b)!)[0];
    if (to === undefined) break;
    counts.set(to, counts.get(to)! + 1);
    assigned.push({ shard, to });
  }
  return assigned;
}
