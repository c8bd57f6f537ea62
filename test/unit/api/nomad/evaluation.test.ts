import { describe, expect, it } from 'vitest';
import { evaluationId, evaluationNamespace, placementEvaluationId, toNomadEvaluation, uuidV5 } from '../../../../src/api/nomad/evaluation.ts';
import { isUuid } from '../../../../src/api/nomad/ids.ts';
import { goProblems } from './go-conformance.ts';
import { deploymentUid, jobUid, ns, t0 } from './fixtures.ts';

describe('evaluation IDs: UUID version 5 of the write', () => {
  it('computes RFC 4122 version 5 UUIDs', () => {
    // RFC 4122's DNS namespace and a name with a published v5 UUID.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(isUuid(evaluationNamespace)).toBe(true);
  });

  it('gives the same ID for the same write on any replica, and another for every other write', () => {
    const id = evaluationId(jobUid, '1450');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('5');
    expect(evaluationId(jobUid, '1450')).toBe(id);
    expect(
      new Set([id, evaluationId(jobUid, '1451'), evaluationId(deploymentUid, '1450'), placementEvaluationId(jobUid, 1), placementEvaluationId(jobUid, 2)]).size,
    ).toBe(5);
  });
});

describe('toNomadEvaluation', () => {
  const input = {
    id: evaluationId(jobUid, '1450'),
    namespace: 'shop',
    jobId: 'web',
    jobType: 'service',
    priority: 50,
    triggeredBy: 'job-register',
    jobModifyIndex: 1402,
    index: 1450,
    at: t0,
  } as const;

  it('is complete by default, as `nomad job run` expects once the write is in', () => {
    expect(toNomadEvaluation({ ...input, deploymentId: deploymentUid })).toMatchObject({
      ID: input.id,
      Namespace: 'shop',
      Priority: 50,
      Type: 'service',
      TriggeredBy: 'job-register',
      JobID: 'web',
      JobModifyIndex: 1402,
      DeploymentID: deploymentUid,
      Status: 'complete',
      StatusDescription: '',
      BlockedEval: '',
      NextEval: '',
      FailedTGAllocs: null,
      CreateIndex: 1450,
      ModifyIndex: 1450,
      CreateTime: ns(0),
      ModifyTime: ns(0),
    });
  });

  it('can say pending (the controller has not observed the write) and carry queued allocations', () => {
    expect(toNomadEvaluation({ ...input, status: 'pending', queuedAllocations: { frontend: 2 } })).toMatchObject({
      Status: 'pending',
      DeploymentID: '',
      QueuedAllocations: { frontend: 2 },
    });
  });

  it('decodes into api.Evaluation', () => {
    expect(goProblems(toNomadEvaluation(input), 'Evaluation')).toEqual([]);
  });
});
