import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/planner/deployment.ts';
import { deploymentObject, deploymentStatusBody, observeDeployment } from '../../../src/resources/nomad-deployment.ts';

const d: Deployment = {
  name: 'web-v1',
  jobVersion: 1,
  status: 'running',
  statusDescription: 'Deployment is running but requires manual promotion',
  createdAt: Date.parse('2026-11-22T10:00:00Z'),
  groups: {
    frontend: {
      autoRevert: true,
      autoPromote: false,
      progressDeadline: 600_000,
      requireProgressBy: Date.parse('2026-11-22T10:10:00Z'),
      promoted: false,
      placedCanaries: ['u1'],
      desiredCanaries: 1,
      desiredTotal: 4,
      placedAllocs: 1,
      healthyAllocs: 0,
      unhealthyAllocs: 0,
    },
  },
};

describe('NomadDeployment objects', () => {
  it('a new one is owned by its job and names it and its version', () => {
    expect(deploymentObject({ name: 'web', namespace: 'shop', uid: 'job-uid' }, d)).toMatchObject({
      metadata: {
        name: 'web-v1',
        namespace: 'shop',
        labels: { 'caravan.dev/job': 'web' },
        ownerReferences: [{ kind: 'NomadJob', name: 'web', uid: 'job-uid', controller: true }],
      },
      spec: { job: 'web', jobVersion: 1 },
    });
  });

  it("status round-trips into the planner's view, with operator intent from the spec", () => {
    const obj = { ...deploymentObject({ name: 'web', namespace: 'shop', uid: 'j' }, d), metadata: { name: 'web-v1', uid: 'dep-uid', generation: 3 } };
    const status = deploymentStatusBody(d, obj, Date.parse('2026-11-22T10:01:00Z'));
    expect(status).toMatchObject({
      observedGeneration: 3,
      id: 'dep-uid',
      status: 'running',
      taskGroups: { frontend: { progressDeadline: '10m0s', requireProgressBy: '2026-11-22T10:10:00.000Z' } },
    });
    const observed = observeDeployment({ ...obj, spec: { ...obj.spec, promote: { all: true }, approveCanaryStep: 2 }, status });
    expect(observed).toEqual({ ...d, id: 'dep-uid', intent: { promote: { all: true }, approveCanaryStep: 2 } });
  });

  it('one whose status was never written reads as a fresh running deployment', () => {
    const observed = observeDeployment({
      ...deploymentObject({ name: 'web', namespace: 'shop', uid: 'j' }, d),
      metadata: { name: 'web-v1', creationTimestamp: '2026-11-22T10:00:00Z' },
    });
    expect(observed).toMatchObject({ status: 'running', groups: {}, jobVersion: 1, intent: {} });
  });
});
