import type { V1ControllerRevision } from '@kubernetes/client-node';
import { labels } from './labels.ts';
import { apiVersion, type NomadJobSpec } from './nomad-job-spec.ts';
import { nextVersion, specChanged } from './spec-change.ts';

/** One job version as Caravan keeps it: Nomad's Version, the spec it ran, SubmitTime and Stable. */
export interface JobVersion {
  readonly version: number;
  readonly spec: NomadJobSpec;
  /** RFC 3339. */
  readonly submitTime: string;
  readonly stable: boolean;
}

/** Nomad keeps 6 versions of a job (JobDefaultTrackedVersions). */
export const defaultVersionHistoryLimit = 6;

export const versionAnnotations = {
  stable: 'caravan.dev/stable',
  submitTime: 'caravan.dev/submit-time',
} as const;

export function versionObjectName(job: string, version: number): string {
  return `${job}-v${version}`;
}

export interface JobIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** The ControllerRevision that records a job version, owned by its NomadJob. */
export function versionRevision(job: JobIdentity, v: JobVersion): V1ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: versionObjectName(job.name, v.version),
      namespace: job.namespace,
      labels: { [labels.job]: job.name, [labels.managedBy]: 'caravan' },
      annotations: { [versionAnnotations.stable]: String(v.stable), [versionAnnotations.submitTime]: v.submitTime },
      ownerReferences: [{ apiVersion, kind: 'NomadJob', name: job.name, uid: job.uid, controller: true, blockOwnerDeletion: true }],
    },
    revision: v.version,
    data: { spec: v.spec },
  };
}

/** Reads a job version back from its ControllerRevision; undefined if it is not one of ours. */
export function versionFromRevision(revision: V1ControllerRevision): JobVersion | undefined {
  const data = revision.data as { spec?: NomadJobSpec } | undefined;
  const submitTime = revision.metadata?.annotations?.[versionAnnotations.submitTime];
  if (!data?.spec || submitTime === undefined) return undefined;
  return {
    version: revision.revision,
    spec: data.spec,
    submitTime,
    stable: revision.metadata?.annotations?.[versionAnnotations.stable] === 'true',
  };
}

export type VersionDecision =
  | { readonly kind: 'unchanged'; readonly current: JobVersion }
  | { readonly kind: 'new'; readonly version: JobVersion };

/** The newest version, if any. */
export function latestVersion(history: readonly JobVersion[]): JobVersion | undefined {
  return history.reduce<JobVersion | undefined>((latest, v) => (!latest || v.version > latest.version ? v : latest), undefined);
}

/** Nomad's "latest stable version": the highest version marked stable. */
export function latestStableVersion(history: readonly JobVersion[]): JobVersion | undefined {
  return latestVersion(history.filter((v) => v.stable));
}

/**
 * Whether the spec the user submitted makes a new version: a first submission is version 0; a
 * changed spec is the next number (never reused, even after pruning); an identical one is not.
 */
export function decideVersion(history: readonly JobVersion[], submitted: NomadJobSpec, now: Date): VersionDecision {
  const latest = latestVersion(history);
  if (latest && !specChanged(latest.spec, submitted)) return { kind: 'unchanged', current: latest };
  return { kind: 'new', version: { version: nextVersion(latest?.version), spec: submitted, submitTime: now.toISOString(), stable: false } };
}

/**
 * Versions to delete to keep `limit` (Nomad's version GC): the oldest go first, but the newest
 * stable version is never deleted, because auto-revert needs it.
 */
export function versionsToPrune(history: readonly JobVersion[], limit = defaultVersionHistoryLimit): JobVersion[] {
  const keepStable = latestStableVersion(history)?.version;
  const oldestFirst = [...history].sort((a, b) => a.version - b.version);
  const excess = Math.max(0, oldestFirst.length - limit);
  return oldestFirst.filter((v) => v.version !== keepStable).slice(0, excess);
}
