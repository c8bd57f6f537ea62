import { describe, expect, it } from 'vitest';
import { jobStatusBody, type JobStatusInput } from '../../../src/controller/job-status-body.ts';
import type { Deployment, DeploymentStatus } from '../../../src/planner/deployment.ts';
import type { JobStatus } from '../../../src/planner/job-status.ts';
import type { Plan } from '../../../src/planner/plan-types.ts';
import type { NomadJobCondition } from '../../../src/resources/nomad-job.ts';

const now = Date.parse('2026-12-02T12:00:00Z');

function input(o: { running: number; desired?: number; deployment?: [DeploymentStatus, string]; jobStatus?: JobStatus }): JobStatusInput {
  const plan: Plan = {
    place: [],
    stop: [],
    inPlace: [],
    health: [],
    jobStatus: o.jobStatus ?? 'running',
    summary: { web: { queued: 0, starting: 0, running: o.running, failed: 0, complete: 0, lost: 0 } },
    events: [],
  };
  const deployment: Deployment | undefined = o.deployment && {
    name: 'web-v1',
    jobVersion: 1,
    status: o.deployment[0],
    statusDescription: o.deployment[1],
    groups: {},
    createdAt: now,
  };
  return {
    generation: 2,
    plan,
    desired: o.desired ?? 3,
    latestVersion: 1,
    runningVersion: 1,
    stableVersion: 0,
    revert: undefined,
    deployment,
    previous: undefined,
    now,
  };
}

const statuses = (conditions: readonly NomadJobCondition[]) => Object.fromEntries(conditions.map((c) => [c.type, `${c.status} ${c.reason}`]));

// What kubectl wait (Ready), Kubernetes Deployment readers (Progressing) and kstatus (Reconciling,
// Stalled) conclude at each point of a rollout.
describe('NomadJob conditions', () => {
  it.each([
    [
      'deployment running',
      { running: 3, deployment: ['running', 'Deployment is running'] },
      { Ready: 'False DeploymentRunning', Progressing: 'True ReplicaSetUpdated', Reconciling: 'True DeploymentRunning', Stalled: 'False NotStalled' },
    ],
    [
      'waiting for promotion',
      { running: 4, deployment: ['running', 'Deployment is running but requires manual promotion'] },
      { Ready: 'False DeploymentRunning', Progressing: 'True ReplicaSetUpdated', Reconciling: 'True DeploymentRunning', Stalled: 'False NotStalled' },
    ],
    [
      'paused',
      { running: 3, deployment: ['paused', 'Deployment is paused'] },
      { Ready: 'False DeploymentRunning', Progressing: 'True ReplicaSetUpdated', Reconciling: 'True DeploymentPaused', Stalled: 'False NotStalled' },
    ],
    [
      'successful',
      { running: 3, deployment: ['successful', 'Deployment completed successfully'] },
      { Ready: 'True AllocationsRunning', Progressing: 'True NewReplicaSetAvailable', Reconciling: 'False Reconciled', Stalled: 'False NotStalled' },
    ],
    [
      'failed by the progress deadline',
      { running: 3, deployment: ['failed', 'Failed due to progress deadline'] },
      {
        Ready: 'False DeploymentFailed',
        Progressing: 'False ProgressDeadlineExceeded',
        Reconciling: 'False DeploymentFailed',
        Stalled: 'True DeploymentFailed',
      },
    ],
    [
      'failed by unhealthy allocations',
      { running: 3, deployment: ['failed', 'Failed due to unhealthy allocations'] },
      { Ready: 'False DeploymentFailed', Progressing: 'False DeploymentFailed', Reconciling: 'False DeploymentFailed', Stalled: 'True DeploymentFailed' },
    ],
    [
      'no deployment, an allocation missing',
      { running: 2 },
      {
        Ready: 'False AllocationsNotRunning',
        Progressing: 'True NewReplicaSetAvailable',
        Reconciling: 'True AllocationsNotRunning',
        Stalled: 'False NotStalled',
      },
    ],
    [
      'no deployment, all running',
      { running: 3 },
      { Ready: 'True AllocationsRunning', Progressing: 'True NewReplicaSetAvailable', Reconciling: 'False Reconciled', Stalled: 'False NotStalled' },
    ],
    [
      'a batch job that finished',
      { running: 0, jobStatus: 'dead' },
      { Ready: 'False AllocationsNotRunning', Progressing: 'True NewReplicaSetAvailable', Reconciling: 'False Reconciled', Stalled: 'False NotStalled' },
    ],
  ] as const)('%s', (_name, o, expected) => {
    const body = jobStatusBody(input(o as Parameters<typeof input>[0]));
    expect(statuses(body.conditions)).toEqual(expected);
    expect(body.conditions.every((c) => c.observedGeneration === 2)).toBe(true);
  });

  it("keeps a condition's transition time while its status stays the same", () => {
    const first = jobStatusBody(input({ running: 3, deployment: ['running', 'Deployment is running'] }));
    const later = jobStatusBody({
      ...input({ running: 3, deployment: ['successful', 'Deployment completed successfully'] }),
      previous: first.conditions,
      now: now + 60_000,
    });
    const time = (c: readonly NomadJobCondition[], type: NomadJobCondition['type']) => c.find((x) => x.type === type)?.lastTransitionTime;
    expect(time(later.conditions, 'Progressing')).toBe(time(first.conditions, 'Progressing'));
    expect(time(later.conditions, 'Ready')).toBe(new Date(now + 60_000).toISOString());
    expect(time(later.conditions, 'Reconciling')).toBe(new Date(now + 60_000).toISOString());
  });
});
