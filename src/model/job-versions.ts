import type { NomadJobSpec } from './nomad-job-spec.ts';
import { nextVersion, specChanged } from './spec-change.ts';

/** One job version as Caravan keeps it: Nomad's Version, the spec it ran, SubmitTime and Stable. */
export interface JobVersion {
  readonly version: number;
  readonly spec: NomadJobSpec;
  /** RFC 3339. */
  readonly submitTime: string;
  readonly stable: boolean;
  /**
   * Set on a version an auto-revert recorded: the failed version it replaced. Its spec is the
   * stable one, not the user's, so the user's spec is compared with the failed version's.
   */
  readonly revertedFrom?: number;
}

/** Nomad keeps 6 versions of a job (JobDefaultTrackedVersions). */
export const defaultVersionHistoryLimit = 6;

export interface JobIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export type VersionDecision = { readonly kind: 'unchanged'; readonly current: JobVersion } | { readonly kind: 'new'; readonly version: JobVersion };

/** The newest version, if any. */
export function latestVersion(history: readonly JobVersion[]): JobVersion | undefined {
  return history.reduce<JobVersion | undefined>((latest, v) => (!latest || v.version > latest.version ? v : latest), undefined);
}

/** Nomad's "latest stable version": the highest version marked stable. */
export function latestStableVersion(history: readonly JobVersion[]): JobVersion | undefined {
  return latestVersion(history.filter((v) => v.stable));
}

/**
 * The spec the user last submitted: the newest version's, unless that version is an auto-revert,
 * which runs the stable spec while the user's (failed) spec stays in the NomadJob.
 */
function lastSubmittedSpec(history: readonly JobVersion[], latest: JobVersion): NomadJobSpec | undefined {
  if (latest.revertedFrom === undefined) return latest.spec;
  return history.find((v) => v.version === latest.revertedFrom)?.spec;
}

/**
 * Whether the spec the user submitted makes a new version: a first submission is version 0; a
 * changed spec is the next number (never reused, even after pruning); an identical one is not.
 * After an auto-revert the user's spec is still the failed one: it makes no new version (the
 * revert stays in effect) until the user changes it.
 */
export function decideVersion(history: readonly JobVersion[], submitted: NomadJobSpec, now: Date): VersionDecision {
  const latest = latestVersion(history);
  const previous = latest && lastSubmittedSpec(history, latest);
  if (latest && previous && !specChanged(previous, submitted)) return { kind: 'unchanged', current: latest };
  return { kind: 'new', version: { version: nextVersion(latest?.version), spec: submitted, submitTime: now.toISOString(), stable: false } };
}

/**
 * Versions to delete to keep `limit` (Nomad's version GC): the oldest go first, but the newest
 * stable version is never deleted, because auto-revert needs it.
 */
export function versionsToPrune(history: readonly JobVersion[], limit = defaultVersionHistoryLimit): JobVersion[] {
  // The failed version a revert in effect stands in for is kept too: the user's spec is compared with it.
  const latest = latestVersion(history);
  const keep = new Set([latestStableVersion(history)?.version, latest?.revertedFrom]);
  const oldestFirst = [...history].sort((a, b) => a.version - b.version);
  const excess = Math.max(0, oldestFirst.length - limit);
  return oldestFirst.filter((v) => !keep.has(v.version)).slice(0, excess);
}
