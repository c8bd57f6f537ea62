import type { Millis } from '../model/duration.ts';
import type { PeriodicSpec } from '../model/nomad-job-spec.ts';
import { nextLaunchAfter } from '../model/periodic-schedule.ts';

/** What the parent's status remembers between passes: Nomad's launch record and the dispatcher's heap entry. */
export interface PeriodicRecord {
  /** Nomad's PeriodicLaunch.Launch: the last launch, or when tracking began. */
  readonly lastLaunch?: Millis;
  /** The scheduled next launch (the leader's heap). */
  readonly nextLaunch?: Millis;
  /** The job version the next launch was computed for: a spec edit re-times it from now. */
  readonly trackedVersion?: number;
}

export interface PeriodicInput {
  readonly periodic: PeriodicSpec;
  /** Nomad's "active periodic": enabled, not stopped, not parameterized. */
  readonly active: boolean;
  readonly version: number;
  readonly record: PeriodicRecord;
  /** The newest launch time in a child's ID (`…/periodic-<unix>`): a launch that landed before a crash. */
  readonly latestChildLaunch: Millis | undefined;
  /** A periodic child is pending or running (what prohibit_overlap looks at). */
  readonly childRunning: boolean;
  /** This controller process sees the parent for the first time: Nomad's leader restore (§1.7). */
  readonly restored: boolean;
  readonly now: Millis;
}

export type PeriodicDecision = {
  readonly record: PeriodicRecord;
  /** Launch a child for this time (its ID carries the time in seconds). */
  readonly launch?: { readonly at: Millis; readonly reason: 'scheduled' | 'catch-up' };
  /** Why a due launch was not made. */
  readonly skipped?: string;
  readonly requeueAt?: Millis;
};

const overlapSkip = 'prohibit_overlap: a previous launch is still running';

/**
 * The periodic dispatcher's step for one parent (spec §1.3-§1.7), pure:
 * - an inactive parent (disabled, stopped) launches nothing and keeps its record;
 * - (re)tracking — first sight in this process, or a new version — times the next launch from
 *   now; on first sight a launch missed since the record is made once, now (no backfill);
 * - a due launch is made at its scheduled time, and the next one is timed from that time, not
 *   from now, so a skipped or late launch never stalls the schedule;
 * - `prohibit_overlap` skips a due or catch-up launch while a child runs (no queueing).
 */
export function decidePeriodicLaunch(i: PeriodicInput): PeriodicDecision {
  const { periodic: p, now } = i;
  const lastLaunch = Math.max(i.record.lastLaunch ?? now, i.latestChildLaunch ?? Number.NEGATIVE_INFINITY);
  if (!i.active) return { record: { lastLaunch } };
  const overlapBlocks = p.prohibitOverlap === true && i.childRunning;

  if (i.restored || i.record.nextLaunch === undefined || i.record.trackedVersion !== i.version) {
    const next = nextLaunchAfter(p, now);
    const record = { lastLaunch, trackedVersion: i.version, ...(next !== undefined ? { nextLaunch: next } : {}) };
    const missed = i.restored ? nextLaunchAfter(p, lastLaunch) : undefined;
    const base = { record, ...(next !== undefined ? { requeueAt: next } : {}) };
    if (missed === undefined || missed >= now) return base;
    if (overlapBlocks) return { ...base, skipped: overlapSkip };
    return { ...base, record: { ...record, lastLaunch: now }, launch: { at: now, reason: 'catch-up' } };
  }

  const due = i.record.nextLaunch;
  if (due > now) return { record: { ...i.record, lastLaunch }, requeueAt: due };
  const next = nextLaunchAfter(p, due);
  const record = { lastLaunch, trackedVersion: i.version, ...(next !== undefined ? { nextLaunch: next } : {}) };
  const base = { record, ...(next !== undefined ? { requeueAt: Math.max(next, now) } : {}) };
  if (overlapBlocks) return { ...base, skipped: overlapSkip };
  return { ...base, record: { ...record, lastLaunch: Math.max(lastLaunch, due) }, launch: { at: due, reason: 'scheduled' } };
}
