import type { Millis } from '../model/duration.ts';
import type { JobStatus } from './job-status.ts';

/** Nomad's job_gc_threshold default: 4h. */
export const defaultJobGcThreshold: Millis = 4 * 3600_000;

export interface ObservedChild {
  readonly name: string;
  readonly status: JobStatus | undefined;
  /** Nomad's SubmitTime: the child's creation. */
  readonly submitTime: Millis;
}

/**
 * Nomad's job GC for children (spec §5.3): a `dead` batch child whose SubmitTime is older than
 * the threshold goes (its allocations with it). Returns the names to delete and, when some child
 * is not old enough yet, when to look again.
 */
export function childrenToCollect(
  children: readonly ObservedChild[],
  now: Millis,
  threshold: Millis,
): { readonly collect: readonly string[]; readonly recheckAt?: Millis } {
  const dead = children.filter((c) => c.status === 'dead');
  const collect = dead.filter((c) => c.submitTime + threshold <= now).map((c) => c.name);
  const later = dead.filter((c) => c.submitTime + threshold > now).map((c) => c.submitTime + threshold);
  return { collect, ...(later.length > 0 ? { recheckAt: Math.min(...later) } : {}) };
}

/** `JobSummary.Children` of a parent: its listable children by status (a child not yet observed is pending). */
export function childrenSummary(children: readonly Pick<ObservedChild, 'status'>[]): { Pending: number; Running: number; Dead: number } {
  const count = (s: JobStatus) => children.filter((c) => (c.status ?? 'pending') === s).length;
  return { Pending: count('pending'), Running: count('running'), Dead: count('dead') };
}
