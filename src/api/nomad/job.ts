/**
 * NomadJobs as Nomad's api.Job, api.JobListStub, api.JobSummary and api.JobVersionsResponse.
 *
 * A job is shown at one of its versions (a ControllerRevision): the version's spec with Nomad's
 * defaults, its Version, Stable and SubmitTime, and the job's live Status. The current job is the
 * newest version, which after an auto-revert runs the stable version's spec (Nomad too records a
 * revert as a new version carrying the old spec).
 */
import { canonicalJob } from '../../model/defaults.ts';
import type { Job } from '../../model/job.ts';
import type { JobVersion } from '../../model/job-versions.ts';
import { childAnnotations, childIdentity, nomadJobId } from '../../resources/child-job.ts';
import type { NomadJob } from '../../resources/nomad-job.ts';
import type { JobIndexes } from './indexes.ts';
import { nomadJobSpec } from './job-spec.ts';
import type { Index, JobStatus, NomadApiJob, NomadJobListStub, NomadJobSummary, NomadJobVersionsResponse, NomadTaskGroupSummary } from './types.ts';
import { unixNanos } from './wire.ts';

/** One version of a job, with the indexes it shows (indexes.ts jobIndexes). */
export interface JobAtVersion {
  readonly job: NomadJob;
  readonly version: JobVersion;
  readonly indexes: JobIndexes;
}

const namespaceOf = (job: NomadJob) => job.metadata.namespace ?? 'default';

/** The version's spec with Nomad's defaults (the one the controller runs). */
export function canonicalVersion(job: NomadJob, version: JobVersion): Job {
  return canonicalJob(job.metadata.name, namespaceOf(job), version.spec);
}

/**
 * The job's Status: the controller's, or Nomad's `pending` for a job it has not reconciled yet
 * (Nomad's status of a job registered before its first evaluation ran).
 */
function jobStatus(job: NomadJob): JobStatus {
  return job.status?.status ?? 'pending';
}

/** The whole api.Job of a job at a version. */
export function toNomadJob({ job, version, indexes }: JobAtVersion): NomadApiJob {
  const child = childIdentity(job);
  const spec = nomadJobSpec(canonicalVersion(job, version), version.spec);
  return {
    ...spec,
    // A child's Nomad ID (`<parent>/periodic-<unix>`) is not its object name, which cannot hold a `/`.
    ID: nomadJobId(job),
    Name: nomadJobId(job),
    ...(child?.dispatched ? { ParameterizedJob: dispatchedParameterizedJob(job) } : {}),
    ParentID: child?.parentId ?? '',
    Dispatched: child?.dispatched ?? false,
    ...(job.metadata.annotations?.[childAnnotations.idempotencyToken]
      ? { DispatchIdempotencyToken: job.metadata.annotations[childAnnotations.idempotencyToken] }
      : {}),
    Status: jobStatus(job),
    StatusDescription: job.status?.statusDescription ?? '',
    Stable: version.stable,
    Version: version.version,
    SubmitTime: unixNanos(version.submitTime),
    CreateIndex: indexes.createIndex,
    ModifyIndex: indexes.modifyIndex,
    JobModifyIndex: indexes.jobModifyIndex,
  };
}

/** A dispatched child keeps its parent's ParameterizedJob in Nomad (only Dispatched tells them apart). */
function dispatchedParameterizedJob(job: NomadJob): NomadApiJob['ParameterizedJob'] {
  const p = JSON.parse(job.metadata.annotations?.[childAnnotations.parameterized] ?? '{}') as {
    payload?: string;
    metaRequired?: string[];
    metaOptional?: string[];
  };
  const list = (l: string[] | undefined) => (l && l.length > 0 ? l : null);
  return { Payload: p.payload ?? 'optional', MetaRequired: list(p.metaRequired), MetaOptional: list(p.metaOptional) };
}

const zeroSummary: NomadTaskGroupSummary = { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 };

/**
 * api.JobSummary from the controller's per-group counts (status.summary), one entry per group of
 * the version (zeroed until the controller has counted, as Nomad adds a zeroed entry per new
 * group). Its indexes are the job's: the summary is written with the job's status.
 */
export function toJobSummary({ job, version, indexes }: JobAtVersion, children?: NomadJobSummary['Children']): NomadJobSummary {
  const counted = job.status?.summary ?? {};
  const groups = new Set([...version.spec.taskGroups.map((g) => g.name), ...Object.keys(counted)]);
  const Summary: Record<string, NomadTaskGroupSummary> = {};
  for (const group of groups) {
    const c = counted[group];
    Summary[group] = c
      ? { Queued: c.queued, Complete: c.complete, Failed: c.failed, Running: c.running, Starting: c.starting, Lost: c.lost, Unknown: 0 }
      : { ...zeroSummary };
  }
  const parent = version.spec.periodic !== undefined || version.spec.parameterized !== undefined;
  return {
    JobID: nomadJobId(job),
    Namespace: namespaceOf(job),
    Summary,
    // The children listed now: Nomad's Dead also keeps counting garbage-collected ones (§5.2), Caravan's does not.
    Children: parent ? (children ?? { Pending: 0, Running: 0, Dead: 0 }) : null,
    CreateIndex: indexes.createIndex,
    ModifyIndex: indexes.modifyIndex,
  };
}

/** api.JobListStub; `meta` adds the job's Meta, as `?meta=true` does. */
export function toJobListStub(at: JobAtVersion, opts: { meta?: boolean; children?: NomadJobSummary['Children'] } = {}): NomadJobListStub {
  return jobListStub(toNomadJob(at), toJobSummary(at, opts.children ?? null), opts.meta ?? false);
}

/** api.JobListStub from the job's api.Job and JobSummary (which a list may have made before). */
export function jobListStub(full: NomadApiJob, summary: NomadJobSummary, meta: boolean): NomadJobListStub {
  return {
    ID: full.ID,
    ParentID: full.ParentID,
    Name: full.Name,
    Namespace: full.Namespace,
    Datacenters: full.Datacenters,
    Type: full.Type,
    Priority: full.Priority,
    Periodic: full.Periodic !== null,
    ParameterizedJob: full.ParameterizedJob !== null,
    Stop: full.Stop,
    Status: full.Status,
    StatusDescription: full.StatusDescription,
    JobSummary: summary,
    CreateIndex: full.CreateIndex,
    ModifyIndex: full.ModifyIndex,
    JobModifyIndex: full.JobModifyIndex,
    SubmitTime: full.SubmitTime,
    ...(meta ? { Meta: full.Meta ?? {} } : {}),
  };
}

/**
 * `/v1/job/:id/versions`: every version kept, newest first; Index is the highest ModifyIndex among
 * them (what Nomad blocks on for this endpoint).
 */
export function toJobVersions(versions: readonly JobAtVersion[]): NomadJobVersionsResponse {
  const newestFirst = [...versions].sort((a, b) => b.version.version - a.version.version);
  const Index: Index = Math.max(0, ...newestFirst.map((v) => v.indexes.modifyIndex));
  return { Versions: newestFirst.map(toNomadJob), Diffs: null, Index };
}
