/** An allocation that might be stopped because the group has more than `count`. */
export interface StopCandidate {
  readonly id: string;
  readonly index: number;
  /** Placed as a canary of the current deployment (promoted or not). */
  readonly canary: boolean;
  readonly migrating: boolean;
}

const byIndexDescending = (a: StopCandidate, b: StopCandidate) => b.index - a.index || a.id.localeCompare(b.id);

/**
 * Which allocations to stop when a group has more than `count` (Nomad's computeStop, §2.1 step 6).
 * While canarying, canaries are neither counted nor stopped. Victims in this order: after
 * promotion, old allocations sharing a name with a canary; migrating ones, highest index first;
 * then any, highest index first.
 */
export function excessToStop(allocs: readonly StopCandidate[], count: number, canarying: boolean): StopCandidate[] {
  const considered = canarying ? allocs.filter((a) => !a.canary) : [...allocs];
  let excess = considered.length - count;
  if (excess <= 0) return [];
  const stopped: StopCandidate[] = [];
  const take = (pool: StopCandidate[]) => {
    for (const a of pool.sort(byIndexDescending)) {
      if (excess <= 0) return;
      if (stopped.includes(a)) continue;
      stopped.push(a);
      excess--;
    }
  };
  if (!canarying) {
    const canaryIndexes = new Set(considered.filter((a) => a.canary).map((a) => a.index));
    take(considered.filter((a) => !a.canary && canaryIndexes.has(a.index)));
  }
  take(considered.filter((a) => a.migrating));
  take([...considered]);
  return stopped;
}
