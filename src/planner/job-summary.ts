import type { ObservedAllocation } from './observed-allocation.ts';

/** Nomad's TaskGroupSummary counts (§1.8). */
export interface GroupSummary {
  readonly queued: number;
  readonly starting: number;
  readonly running: number;
  readonly failed: number;
  readonly complete: number;
  readonly lost: number;
}

/**
 * Allocation counts per task group, from the Pods that exist: queued (not yet on a node),
 * starting, running, failed, complete and lost (on a node that is gone). Unlike Nomad's
 * cumulative failed and complete counters, these count Pods still present: Kubernetes deletes
 * what a replacement supersedes.
 */
export function jobSummary(groups: readonly string[], allocs: readonly ObservedAllocation[], lostNodes: ReadonlySet<string>): Record<string, GroupSummary> {
  const out: Record<string, GroupSummary> = {};
  for (const group of groups) {
    const mine = allocs.filter((a) => a.group === group && !a.deleting);
    const lost = mine.filter((a) => a.nodeName !== undefined && lostNodes.has(a.nodeName));
    const rest = mine.filter((a) => !lost.includes(a));
    out[group] = {
      queued: rest.filter((a) => a.phase === 'Pending' && a.nodeName === undefined).length,
      starting: rest.filter((a) => a.phase === 'Pending' && a.nodeName !== undefined).length,
      running: rest.filter((a) => a.phase === 'Running' || a.phase === 'Unknown').length,
      failed: rest.filter((a) => a.phase === 'Failed').length,
      complete: rest.filter((a) => a.phase === 'Succeeded').length,
      lost: lost.length,
    };
  }
  return out;
}
