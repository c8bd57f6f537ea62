import { describe, expect, it } from 'vitest';
import { rolloutTransitions } from '../../../src/metrics/rollout-transitions.ts';
import type { Deployment, DeploymentGroupState, DeploymentStatus } from '../../../src/planner/deployment.ts';
import type { ObservedAllocation } from '../../../src/planner/observed-allocation.ts';
import type { Plan } from '../../../src/planner/plan-types.ts';

const t0 = Date.parse('2026-12-02T12:00:00Z');
const now = t0 + 90_000;

function group(o: Partial<DeploymentGroupState> = {}): DeploymentGroupState {
  return {
    autoRevert: false,
    autoPromote: false,
    progressDeadline: 600_000,
    promoted: false,
    placedCanaries: [],
    desiredCanaries: 1,
    desiredTotal: 3,
    placedAllocs: 1,
    healthyAllocs: 0,
    unhealthyAllocs: 0,
    ...o,
  };
}

function deployment(status: DeploymentStatus, g: Partial<DeploymentGroupState> = {}, name = 'web-v1'): Deployment {
  return { name, jobVersion: Number(name.split('-v')[1]), status, statusDescription: '', groups: { frontend: group(g) }, createdAt: t0 };
}

function plan(o: Partial<Plan>): Plan {
  return { place: [], stop: [], inPlace: [], health: [], jobStatus: 'running', summary: {}, events: [], ...o };
}

const canary = { podName: 'web-frontend-0-v1', group: 'frontend', canary: true } as ObservedAllocation;
const old = { podName: 'web-frontend-1-v0', group: 'frontend', canary: false } as ObservedAllocation;

describe('rollout milestones passed by one applied plan', () => {
  it.each([
    [
      'a deployment succeeds',
      deployment('running', { promoted: true, healthyAllocs: 2 }),
      plan({ deployment: deployment('successful', { promoted: true, healthyAllocs: 3 }) }),
      [{ kind: 'finished', outcome: 'successful', seconds: 90 }],
    ],
    [
      'it was already successful: nothing again',
      deployment('successful', { promoted: true }),
      plan({ deployment: deployment('successful', { promoted: true }) }),
      [],
    ],
    ['a deployment fails', deployment('running'), plan({ deployment: deployment('failed') }), [{ kind: 'finished', outcome: 'failed', seconds: 90 }]],
    [
      'a deployment fails and auto-reverts',
      deployment('running'),
      plan({ deployment: deployment('failed'), revertTo: { version: 0 } as NonNullable<Plan['revertTo']> }),
      [{ kind: 'reverted' }, { kind: 'finished', outcome: 'reverted', seconds: 90 }],
    ],
    [
      'a newer version cancels the running deployment',
      deployment('running'),
      plan({ cancelled: deployment('cancelled'), deployment: deployment('running', {}, 'web-v2') }),
      [{ kind: 'finished', outcome: 'cancelled', seconds: 90 }],
    ],
    [
      'canaries promoted',
      deployment('running', { healthyAllocs: 1 }),
      plan({ deployment: deployment('running', { healthyAllocs: 1, promoted: true }) }),
      [{ kind: 'promoted', group: 'frontend' }],
    ],
    [
      'a group without canaries is never counted as promoted',
      deployment('running', { desiredCanaries: 0 }),
      plan({ deployment: deployment('running', { desiredCanaries: 0, promoted: true }) }),
      [],
    ],
    [
      'the first canary turns healthy',
      deployment('running'),
      plan({ deployment: deployment('running', { healthyAllocs: 1 }), health: [{ podName: canary.podName, health: 'healthy', at: now }] }),
      [{ kind: 'first-healthy-canary', group: 'frontend', seconds: 90 }],
    ],
    [
      'a second canary turns healthy: not the first',
      deployment('running', { healthyAllocs: 1 }),
      plan({ deployment: deployment('running', { healthyAllocs: 2 }), health: [{ podName: canary.podName, health: 'healthy', at: now }] }),
      [],
    ],
    [
      'an allocation that is not a canary turns healthy',
      deployment('running', { desiredCanaries: 0 }),
      plan({ deployment: deployment('running', { desiredCanaries: 0, healthyAllocs: 1 }), health: [{ podName: old.podName, health: 'healthy', at: now }] }),
      [],
    ],
    [
      'a canary turns unhealthy',
      deployment('running'),
      plan({ deployment: deployment('running', { unhealthyAllocs: 1 }), health: [{ podName: canary.podName, health: 'unhealthy', at: now }] }),
      [],
    ],
  ] as const)('%s', (_name, before, p, expected) => {
    expect(rolloutTransitions(before, p as Plan, [canary, old], now)).toEqual(expected);
  });

  it('a deployment created and finished in the same pass is counted once', () => {
    expect(rolloutTransitions(undefined, plan({ deployment: deployment('successful', { desiredCanaries: 0, promoted: false }) }), [], now)).toEqual([
      { kind: 'finished', outcome: 'successful', seconds: 90 },
    ]);
  });
});
