import type { Health, ObservedAllocation } from './observed-allocation.ts';

/** What decides which of several allocations sharing a name is kept. */
export interface DuplicateInput {
  readonly allocs: readonly ObservedAllocation[];
  /** The version being rolled out: an allocation already at it is worth keeping. */
  readonly version: number;
  /** Canaries of the current deployment (promoted): Nomad keeps them over old same-name allocations. */
  readonly isCanary: (a: ObservedAllocation) => boolean;
  readonly healthOf: (a: ObservedAllocation) => Health | undefined;
}

const phaseRank: Record<ObservedAllocation['phase'], number> = { Running: 0, Pending: 1, Unknown: 2, Succeeded: 3, Failed: 4 };

/**
 * Allocations that share an alloc index (a name, `group[i]`) with a better one, to stop before
 * anything else is counted or placed. Nomad's names are unique among an allocation set's live
 * members except while canaries run beside the allocations they replace; after promotion it stops
 * the old allocations sharing the canaries' names (computeStop). When observations disagree after a
 * crash (a label, a deployment's counters, Pod names), this is what converges: per name, keep a
 * promoted canary, else one at the target version, else a healthy one, else the newest version,
 * else the oldest Pod; stop the others.
 */
export function duplicatesToStop(input: DuplicateInput): ObservedAllocation[] {
  const byIndex = new Map<number, ObservedAllocation[]>();
  for (const a of input.allocs) byIndex.set(a.index, [...(byIndex.get(a.index) ?? []), a]);
  const preference = (a: ObservedAllocation) =>
    [
      input.isCanary(a) ? 0 : 1,
      a.version === input.version ? 0 : 1,
      input.healthOf(a) === 'healthy' ? 0 : input.healthOf(a) === undefined ? 1 : 2,
      phaseRank[a.phase],
      -a.version,
      a.createdAt,
    ] as const;
  const better = (a: ObservedAllocation, b: ObservedAllocation) => {
    const [pa, pb] = [preference(a), preference(b)];
    for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return a.podName.localeCompare(b.podName);
  };
  return [...byIndex.values()].flatMap((same) => (same.length < 2 ? [] : [...same].sort(better).slice(1)));
}
