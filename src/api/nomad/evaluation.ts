/**
 * Nomad's evaluations, synthesized. Nomad answers every write that makes the scheduler work with
 * an evaluation ID, and its CLI follows that evaluation (`nomad job run` waits for it to finish,
 * lists the allocations it placed, then follows the deployment it names). Caravan has no
 * evaluations: a write is picked up by the controller's next reconcile. So an evaluation is a
 * name for "the reconcile of this write":
 *
 * - its ID is a UUID version 5 (SHA-1, RFC 4122 §4.3) of the written object's UID and the
 *   resourceVersion the write produced, in Caravan's own namespace UUID. Any replica computes the
 *   same ID for the same write, nothing has to be stored to answer `GET /v1/evaluation/:id` (the
 *   HTTP layer recomputes it for the writes it knows), and two writes never share one;
 * - the allocations of a job version carry the placement evaluation of that version
 *   (placementEvaluationId), as every Pod knows its job's UID and its version;
 * - its Status is `complete` once the controller has observed the write (NomadJob
 *   status.observedGeneration reached the written generation), `pending` before.
 */
import { createHash } from 'node:crypto';
import type { JobType } from '../../model/nomad-job-spec.ts';
import type { EvaluationStatus, Index, NomadEvaluation, TriggeredBy } from './types.ts';
import { msToUnixNanos, zeroGoTime } from './wire.ts';

/** UUIDv5 of the DNS name `evaluations.caravan.dev` (RFC 4122's DNS namespace): Caravan's evaluation namespace. */
export const evaluationNamespace = uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'evaluations.caravan.dev');

/** RFC 4122 §4.3: SHA-1 of the namespace's 16 bytes then the name, version 5, variant 10. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The evaluation of a write: the object's UID and the resourceVersion the write returned. */
export function evaluationId(objectUid: string, resourceVersion: string): string {
  return uuidV5(evaluationNamespace, `${objectUid}/${resourceVersion}`);
}

/** The evaluation that placed a job version's allocations (the EvalID of their Pods). */
export function placementEvaluationId(jobUid: string, version: number): string {
  return uuidV5(evaluationNamespace, `${jobUid}/version/${version}`);
}

export interface EvaluationInput {
  readonly id: string;
  readonly namespace: string;
  readonly jobId: string;
  readonly jobType: JobType;
  readonly priority: number;
  readonly triggeredBy: TriggeredBy;
  /** The job's JobModifyIndex when the evaluation was made. */
  readonly jobModifyIndex: Index;
  /** The index of the write the evaluation stands for: its CreateIndex and ModifyIndex. */
  readonly index: Index;
  /** When the write happened (epoch ms): CreateTime and ModifyTime. */
  readonly at: number;
  /** The deployment it concerns (its UID), if any: `nomad job run` follows it once the evaluation is done. */
  readonly deploymentId?: string | undefined;
  /** Defaults to complete: the HTTP layer says pending while the controller has not observed the write. */
  readonly status?: EvaluationStatus | undefined;
  /** Allocations per group not yet placed (Nomad's QueuedAllocations), if known. */
  readonly queuedAllocations?: Readonly<Record<string, number>> | undefined;
}

/** api.Evaluation of a synthesized evaluation. */
export function toNomadEvaluation(e: EvaluationInput): NomadEvaluation {
  const time = msToUnixNanos(e.at);
  return {
    ID: e.id,
    Priority: e.priority,
    Type: e.jobType,
    TriggeredBy: e.triggeredBy,
    Namespace: e.namespace,
    JobID: e.jobId,
    JobModifyIndex: e.jobModifyIndex,
    NodeID: '',
    NodeModifyIndex: 0,
    DeploymentID: e.deploymentId ?? '',
    Status: e.status ?? 'complete',
    StatusDescription: '',
    Wait: 0,
    WaitUntil: zeroGoTime,
    NextEval: '',
    PreviousEval: '',
    BlockedEval: '',
    FailedTGAllocs: null,
    QueuedAllocations: { ...e.queuedAllocations },
    SnapshotIndex: e.index,
    CreateIndex: e.index,
    ModifyIndex: e.index,
    CreateTime: time,
    ModifyTime: time,
  };
}
