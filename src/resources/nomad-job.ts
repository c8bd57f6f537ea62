import type { JobIdentity } from '../model/job-versions.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import type { JobStatus } from '../planner/job-status.ts';
import type { GroupSummary } from '../planner/job-summary.ts';
import { apiVersion } from './api-version.ts';
import type { ObjectMeta, OwnerReference } from './object-meta.ts';

/**
 * A NomadJob: Nomad's job specification as a user writes it (kubectl apply, Argo CD, the Nomad
 * API), and the status the controller writes.
 */
export interface NomadJob {
  apiVersion: typeof apiVersion;
  kind: 'NomadJob';
  metadata: ObjectMeta;
  spec: NomadJobSpec;
  status?: NomadJobStatus;
}

/** The NomadJob's status: Nomad's status, versions and counts, and conditions for kubectl wait and kstatus. */
export interface NomadJobStatus {
  observedGeneration: number;
  status?: JobStatus;
  statusDescription?: string;
  version?: number;
  runningVersion?: number;
  stableVersion?: number;
  revert?: { fromVersion: number; toVersion: number; reason: string };
  desired?: number;
  running?: number;
  summary?: Readonly<Record<string, GroupSummary>>;
  latestDeployment?: { name: string; id?: string; jobVersion: number; status: string; statusDescription: string };
  /** A periodic parent: Nomad's launch record and the next launch (RFC 3339), and the version it was timed for. */
  periodic?: { lastLaunch?: string; nextLaunch?: string; trackedVersion?: number };
  conditions: NomadJobCondition[];
}

export interface NomadJobCondition {
  type: 'Ready' | 'Progressing' | 'Reconciling' | 'Stalled';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

/**
 * The controller reference every object Caravan makes for a job carries (Pods, versions,
 * deployments): deleting the NomadJob deletes them, and a retried create cannot adopt another's.
 */
export function jobOwnerReference(job: JobIdentity): Required<OwnerReference> {
  return { apiVersion, kind: 'NomadJob', name: job.name, uid: job.uid, controller: true, blockOwnerDeletion: true };
}

/** kubectl apply's copy of the last applied object: as large as the spec, and nothing in Caravan reads it. */
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What the NomadJob informer keeps of a job: all of it but kubectl apply's copy of the spec, which
 * would double the memory of every job applied with kubectl (Argo CD's client-side apply adds it
 * too).
 */
export function cachedJob(job: NomadJob): NomadJob {
  const annotations = job.metadata.annotations;
  if (!annotations || !(lastAppliedAnnotation in annotations)) return job;
  const { [lastAppliedAnnotation]: _, ...rest } = annotations;
  return { ...job, metadata: { ...job.metadata, annotations: rest } };
}
