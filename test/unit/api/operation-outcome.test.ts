import { describe, expect, it } from 'vitest';
import { allocationHealthOutcome, notActedInTime, operationOutcome, type DeploymentOperation } from '../../../src/api/operation-outcome.ts';
import type { NomadDeployment, NomadDeploymentStatus } from '../../../src/resources/nomad-deployment.ts';
import { deploymentUid, webV1Deployment } from './nomad/fixtures.ts';

type Group = NonNullable<NomadDeploymentStatus['taskGroups']>[string];
const frontend = (g: Partial<Group> = {}): Group => ({ ...webV1Deployment().status!.taskGroups!['frontend']!, ...g });

/** web-v1 after the API wrote an intent at generation 2, as the controller left it at `observedGeneration`. */
function deployment(observedGeneration: number, status: Partial<NomadDeploymentStatus> = {}): NomadDeployment {
  const d = webV1Deployment({ observedGeneration, ...status });
  return { ...d, metadata: { ...d.metadata, generation: 2 } };
}
const honoured = (generation: number) => [
  { type: 'IntentHonoured' as const, status: 'True' as const, reason: 'Honoured' as const, message: '', observedGeneration: generation },
];
const refused = (generation: number, message: string) => [
  { type: 'IntentHonoured' as const, status: 'False' as const, reason: 'Refused' as const, message, observedGeneration: generation },
];
const unhealthyCanary = '1 error occurred:\n\t* Task group "frontend" has 0/1 healthy allocations\n\n';

const pause: DeploymentOperation = { kind: 'pause' };
const resume: DeploymentOperation = { kind: 'resume' };
const fail: DeploymentOperation = { kind: 'fail' };
const promoteAll: DeploymentOperation = { kind: 'promote', request: { all: true } };
const promoteOther: DeploymentOperation = { kind: 'promote', request: { groups: ['api'] } };

describe('operationOutcome: whether the controller has carried out a deployment operation the API wrote', () => {
  it.each([
    [
      "pause: paused for the intent's generation",
      pause,
      deployment(2, { status: 'paused', statusDescription: 'Deployment is paused' }),
      { state: 'done', settled: true },
    ],
    ['pause: still running, generation not observed', pause, deployment(1), { state: 'waiting' }],
    ['pause: a status written for the generation but planned before it (the next pass pauses)', pause, deployment(2), { state: 'waiting' }],
    ['pause: paused, but the generation not observed yet (a resume never took effect)', pause, deployment(1, { status: 'paused' }), { state: 'waiting' }],
    ['resume: running again', resume, deployment(2, { statusDescription: 'Deployment is running' }), { state: 'done', settled: true }],
    ['resume: still paused', resume, deployment(2, { status: 'paused' }), { state: 'waiting' }],
    [
      "fail: failed with Nomad's description",
      fail,
      deployment(2, { status: 'failed', statusDescription: 'Deployment marked as failed' }),
      { state: 'done', settled: true },
    ],
    [
      'fail: failed by the progress deadline before the intent was seen',
      fail,
      deployment(1, { status: 'failed', statusDescription: 'Failed due to progress deadline' }),
      { state: 'refused', error: "can't fail terminal deployment" },
    ],
    ['pause: the deployment ended meanwhile', pause, deployment(1, { status: 'successful' }), { state: 'refused', error: "can't pause terminal deployment" }],
    [
      'resume: the deployment was cancelled by a newer version',
      resume,
      deployment(1, { status: 'cancelled' }),
      { state: 'refused', error: "can't resume terminal deployment" },
    ],
    ['promote: the group promoted', promoteAll, deployment(2, { taskGroups: { frontend: frontend({ promoted: true }) } }), { state: 'done', settled: true }],
    [
      'promote: promoted and successful at once (canary == count)',
      promoteAll,
      deployment(2, { status: 'successful', taskGroups: { frontend: frontend({ promoted: true }) } }),
      { state: 'done', settled: true },
    ],
    ['promote: not promoted yet', promoteAll, deployment(2, { conditions: honoured(2) }), { state: 'waiting' }],
    [
      'promote: refused by the controller for this generation',
      promoteAll,
      deployment(2, { conditions: refused(2, unhealthyCanary) }),
      { state: 'refused', error: unhealthyCanary },
    ],
    [
      'promote: a refusal of an earlier generation does not count',
      promoteAll,
      deployment(2, { conditions: refused(1, unhealthyCanary) }),
      { state: 'waiting' },
    ],
    ['promote: a group the deployment does not have (ignored, as in Nomad)', promoteOther, deployment(2), { state: 'done', settled: true }],
    [
      'promote: the deployment failed meanwhile',
      promoteAll,
      deployment(2, { status: 'failed', statusDescription: 'Failed due to progress deadline' }),
      { state: 'refused', error: "can't promote terminal deployment" },
    ],
  ] as const)('%s', (_what, op, d, expected) => {
    expect(operationOutcome(op, { deployment: d, generation: 2 })).toMatchObject(expected);
  });

  it('promote: a group without canaries counts once nothing waits for promotion', () => {
    const groups = { frontend: frontend({ promoted: true }), worker: frontend({ desiredCanaries: 0, placedCanaries: [] }) };
    expect(operationOutcome(promoteAll, { deployment: deployment(2, { taskGroups: groups }), generation: 2 })).toEqual({ state: 'done', settled: true });
    const waiting = { frontend: frontend(), worker: frontend({ desiredCanaries: 0, placedCanaries: [] }) };
    expect(
      operationOutcome({ kind: 'promote', request: { groups: ['worker'] } }, { deployment: deployment(2, { taskGroups: waiting }), generation: 2 }).state,
    ).toBe('waiting');
  });

  it('fail with auto-revert settles once the revert version is recorded (§2.9 rule 5)', () => {
    const failed = deployment(2, { status: 'failed', statusDescription: 'Deployment marked as failed - rolling back to job version 0', revertedJobVersion: 0 });
    expect(operationOutcome(fail, { deployment: failed, generation: 2, newestJobVersion: 1 })).toEqual({ state: 'done', settled: false });
    expect(operationOutcome(fail, { deployment: failed, generation: 2, newestJobVersion: 2 })).toEqual({ state: 'done', settled: true });
  });

  it('a deployment that is gone is not found, as Nomad says on a write', () => {
    expect(operationOutcome(pause, { deployment: undefined, generation: 2 })).toEqual({ state: 'refused', error: 'deployment not found' });
  });

  it('says what it waits for', () => {
    expect(operationOutcome(pause, { deployment: deployment(1), generation: 2 })).toEqual({
      state: 'waiting',
      for: 'its status.observedGeneration is 1, not yet 2',
    });
    expect(operationOutcome(pause, { deployment: deployment(2), generation: 2 })).toEqual({ state: 'waiting', for: 'it still shows status "running"' });
  });
});

describe('allocationHealthOutcome: whether the controller has recorded the health an allocation-health request set (§2.13)', () => {
  const canary = 'c0c0c0c0-0000-4000-8000-00000000000c';
  const other = 'c0c0c0c0-0000-4000-8000-0000000000aa';
  const healthy = new Map([[canary, 'healthy' as const]]);

  it.each([
    [
      'not recorded on the Pod yet',
      deployment(2, { taskGroups: { frontend: frontend({ healthyAllocs: 0 }) } }),
      [{ uid: canary, group: 'frontend' }],
      { state: 'waiting' },
    ],
    [
      'recorded on the Pod, but the deployment in the cache does not count it yet',
      deployment(2, { taskGroups: { frontend: frontend({ healthyAllocs: 0 }) } }),
      [{ uid: canary, group: 'frontend', recorded: 'healthy' as const }],
      { state: 'waiting' },
    ],
    ['recorded and counted', deployment(2), [{ uid: canary, group: 'frontend', recorded: 'healthy' as const }], { state: 'done', settled: true }],
    [
      'counted only with the other healthy allocation too',
      deployment(2),
      [
        { uid: canary, group: 'frontend', recorded: 'healthy' as const },
        { uid: other, group: 'frontend', recorded: 'healthy' as const },
      ],
      { state: 'waiting' },
    ],
    ['the Pod is gone: nothing left to show', deployment(2), [], { state: 'done', settled: true }],
    [
      'recorded otherwise (the checks decided first): the controller overwrites it (§2.13 rule 3)',
      deployment(2, { taskGroups: { frontend: frontend({ healthyAllocs: 0, unhealthyAllocs: 1 }) } }),
      [{ uid: canary, group: 'frontend', recorded: 'unhealthy' as const }],
      { state: 'waiting', for: `allocation ${canary} still shows unhealthy` },
    ],
    [
      'the deployment succeeded with it, the mark not in the cache yet (the API shows it healthy)',
      deployment(2, { status: 'successful' }),
      [{ uid: canary, group: 'frontend' }],
      { state: 'done', settled: true },
    ],
    [
      'the deployment was cancelled before recording it',
      deployment(2, { status: 'cancelled' }),
      [{ uid: canary, group: 'frontend' }],
      { state: 'refused', error: "can't set health of allocations for a terminal deployment" },
    ],
  ] as const)('%s', (_what, d, allocations, expected) => {
    expect(allocationHealthOutcome({ deployment: d, requested: healthy, allocations })).toMatchObject(expected);
  });

  it('unhealthy on a deployment that succeeded first is refused as Nomad refuses a terminal one', () => {
    const request = {
      deployment: deployment(2, { status: 'successful' }),
      requested: new Map([[canary, 'unhealthy' as const]]),
      allocations: [{ uid: canary, group: 'frontend' }],
    };
    expect(allocationHealthOutcome(request)).toEqual({ state: 'refused', error: "can't set health of allocations for a terminal deployment" });
  });

  it('unhealthy with auto-revert settles once the revert version is recorded', () => {
    const d = deployment(2, {
      status: 'failed',
      statusDescription: 'Failed due to unhealthy allocations - rolling back to job version 0',
      revertedJobVersion: 0,
      taskGroups: { frontend: frontend({ healthyAllocs: 0, unhealthyAllocs: 1 }) },
    });
    const request = {
      deployment: d,
      requested: new Map([[canary, 'unhealthy' as const]]),
      allocations: [{ uid: canary, group: 'frontend', recorded: 'unhealthy' as const }],
    };
    expect(allocationHealthOutcome({ ...request, newestJobVersion: 1 })).toEqual({ state: 'done', settled: false });
    expect(allocationHealthOutcome({ ...request, newestJobVersion: 2 })).toEqual({ state: 'done', settled: true });
  });
});

describe('notActedInTime: the answer when the controller does not act', () => {
  const base = {
    what: 'pause',
    deploymentId: deploymentUid,
    ms: 10_000,
    waitingFor: 'it still shows status "running"',
    intentIn: 'the spec of NomadDeployment shop/web-v1',
  };
  it('says there is no leader, as Nomad does, and that the intent stays', () => {
    expect(notActedInTime({ ...base, leaderKnown: false })).toBe(
      `No cluster leader: the controller did not pause deployment "${deploymentUid}" within 10s (it still shows status "running"); the request stays in the spec of NomadDeployment shop/web-v1 and takes effect once a controller leads`,
    );
  });
  it('with a leader, that it has not got to it', () => {
    expect(notActedInTime({ ...base, leaderKnown: true, ms: 2500 })).toMatch(
      /^the controller did not pause deployment "[^"]+" within 2\.5s .* takes effect when the controller gets to it$/,
    );
  });
});
