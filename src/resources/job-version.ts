import type { V1ControllerRevision } from '@kubernetes/client-node';
import type { JobIdentity, JobVersion } from '../model/job-versions.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import { labels, versionAnnotations } from './labels.ts';
import { jobOwnerReference } from './nomad-job.ts';

/** A job version's ControllerRevision: `<job>-v<N>`, deterministic so a retried record finds it. */
export function versionObjectName(job: string, version: number): string {
  return `${job}-v${version}`;
}

/** The ControllerRevision that records a job version, owned by its NomadJob. */
/**
 * A job version's ControllerRevision. `recordedIndex`: for a version of the user's spec, the
 * NomadJob's resourceVersion the spec was read at. It is the version's JobModifyIndex, as the
 * Nomad API showed it while the version was pending: a register's index must not move when the
 * controller records it (a client's check-and-set reads it back).
 */
export function versionRevision(job: JobIdentity, v: JobVersion, recordedIndex?: string): V1ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: versionObjectName(job.name, v.version),
      namespace: job.namespace,
      labels: { [labels.job]: job.name, [labels.managedBy]: 'caravan' },
      annotations: {
        [versionAnnotations.stable]: String(v.stable),
        [versionAnnotations.submitTime]: v.submitTime,
        ...(v.revertedFrom !== undefined ? { [versionAnnotations.revertedFrom]: String(v.revertedFrom) } : {}),
        ...(recordedIndex ? { [versionAnnotations.recordedIndex]: recordedIndex } : {}),
      },
      ownerReferences: [jobOwnerReference(job)],
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
  const revertedFrom = revision.metadata?.annotations?.[versionAnnotations.revertedFrom];
  return {
    version: revision.revision,
    spec: data.spec,
    submitTime,
    stable: revision.metadata?.annotations?.[versionAnnotations.stable] === 'true',
    ...(revertedFrom !== undefined ? { revertedFrom: Number(revertedFrom) } : {}),
  };
}
