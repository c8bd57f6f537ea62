/**
 * Indexes for new canaries (§2.3 rule 3): first those of allocations being destructively updated
 * (lowest first) that no canary uses yet, then free indexes below count, then count, count+1, …
 * (so canary > count yields names beyond the count range).
 */
export function canaryIndexes(
  wanted: number,
  count: number,
  destructiveIndexes: readonly number[],
  usedByAllocations: ReadonlySet<number>,
  usedByCanaries: ReadonlySet<number>,
): number[] {
  const out: number[] = [];
  const taken = new Set(usedByCanaries);
  const take = (i: number) => {
    if (out.length >= wanted || taken.has(i)) return;
    out.push(i);
    taken.add(i);
  };
  for (const i of [...destructiveIndexes].sort((a, b) => a - b)) take(i);
  for (let i = 0; i < count && out.length < wanted; i++) if (!usedByAllocations.has(i)) take(i);
  for (let i = count; out.length < wanted; i++) take(i);
  return out;
}
