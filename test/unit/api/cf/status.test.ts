import { describe, expect, it } from 'vitest';
import { canarySteps, cfStatus, continueIntent, type CanaryGroupFacts, type DeploymentFacts } from '../../../../src/api/cf/status.ts';

const rolling: CanaryGroupFacts = { desiredCanaries: 0, promoted: false, autoPromote: false, healthy: 1, needed: 0, stepApprovals: [] };
const canary = (over: Partial<CanaryGroupFacts> = {}): CanaryGroupFacts => ({
  desiredCanaries: 1,
  promoted: false,
  autoPromote: false,
  healthy: 0,
  needed: 1,
  stepApprovals: [],
  ...over,
});
const steps = (over: Partial<CanaryGroupFacts> = {}): CanaryGroupFacts =>
  canary({ desiredCanaries: 4, needed: 1, step: 1, stepApprovals: [true, false], ...over });
const facts = (over: Partial<DeploymentFacts>): DeploymentFacts => ({
  status: 'running',
  statusDescription: 'Deployment is running',
  failRequested: false,
  approvedStep: 0,
  groups: [rolling],
  ...over,
});

// Spec §2.1: CC's internal state and its value/reason, here derived from Nomad's deployment.
describe('CF status of a NomadDeployment (spec §2.1)', () => {
  it.each([
    ['rolling, running → DEPLOYING', facts({}), 'DEPLOYING', 'ACTIVE', 'DEPLOYING'],
    ['canary placing → PREPAUSED', facts({ groups: [canary()] }), 'PREPAUSED', 'ACTIVE', 'DEPLOYING'],
    ['canary healthy, manual promotion → PAUSED', facts({ groups: [canary({ healthy: 1 })] }), 'PAUSED', 'ACTIVE', 'PAUSED'],
    ['canary healthy, auto-promote → PREPAUSED', facts({ groups: [canary({ healthy: 1, autoPromote: true })] }), 'PREPAUSED', 'ACTIVE', 'DEPLOYING'],
    ['canary promoted, rolling on → DEPLOYING', facts({ groups: [canary({ promoted: true, healthy: 1 })] }), 'DEPLOYING', 'ACTIVE', 'DEPLOYING'],
    ['step 1 healthy, waits for approval → PAUSED', facts({ groups: [steps({ healthy: 1 })] }), 'PAUSED', 'ACTIVE', 'PAUSED'],
    ['step 1 approved, moving on → PREPAUSED', facts({ approvedStep: 1, groups: [steps({ healthy: 1 })] }), 'PREPAUSED', 'ACTIVE', 'DEPLOYING'],
    [
      'step 2 (last) healthy, waits for promotion → PAUSED',
      facts({ approvedStep: 1, groups: [steps({ step: 2, needed: 4, healthy: 4 })] }),
      'PAUSED',
      'ACTIVE',
      'PAUSED',
    ],
    [
      'step without approval sits out its pause → PREPAUSED',
      facts({ groups: [steps({ healthy: 1, stepApprovals: [false, false] })] }),
      'PREPAUSED',
      'ACTIVE',
      'DEPLOYING',
    ],
    ['Nomad paused → PAUSED', facts({ status: 'paused' }), 'PAUSED', 'ACTIVE', 'PAUSED'],
    ['cancel asked, controller not done → CANCELING', facts({ failRequested: true, groups: [canary({ healthy: 1 })] }), 'CANCELING', 'ACTIVE', 'CANCELING'],
    ['successful → DEPLOYED', facts({ status: 'successful' }), 'DEPLOYED', 'FINALIZED', 'DEPLOYED'],
    ['failed (cancel done, or unhealthy) → CANCELED', facts({ status: 'failed', failRequested: true }), 'CANCELED', 'FINALIZED', 'CANCELED'],
    [
      'cancelled by a newer version while rolling → DEPLOYED/SUPERSEDED',
      facts({ status: 'cancelled', statusDescription: 'Cancelled due to newer version of job' }),
      'DEPLOYED',
      'FINALIZED',
      'SUPERSEDED',
    ],
    [
      'cancelled by a newer version while canarying → CANCELED/SUPERSEDED',
      facts({ status: 'cancelled', statusDescription: 'Cancelled due to newer version of job', groups: [canary()] }),
      'CANCELED',
      'FINALIZED',
      'SUPERSEDED',
    ],
    [
      'cancelled because the job stopped → CANCELED',
      facts({ status: 'cancelled', statusDescription: 'Cancelled because job is stopped' }),
      'CANCELED',
      'FINALIZED',
      'CANCELED',
    ],
  ])('%s', (_name, f, state, value, reason) => {
    expect(cfStatus(f)).toEqual({ state, value, reason });
  });

  it.each([
    ['no steps: 1 of 1', [canary()], { current: 1, total: 1 }],
    ['at step 1 of 2', [steps()], { current: 1, total: 2 }],
    ['at step 2 of 2', [steps({ step: 2 })], { current: 2, total: 2 }],
    ['promoted: the last step', [steps({ step: 2, promoted: true })], { current: 2, total: 2 }],
  ])('status.canary.steps: %s', (_name, groups, expected) => {
    expect(canarySteps({ groups })).toEqual(expected);
  });

  it.each([
    ['a step waiting for approval is approved', facts({ groups: [steps({ healthy: 1 })] }), { approveCanaryStep: 1 }],
    ['the last step is promoted', facts({ approvedStep: 1, groups: [steps({ step: 2, needed: 4, healthy: 4 })] }), { promote: { all: true, groups: null } }],
    ['a single canary is promoted', facts({ groups: [canary({ healthy: 1 })] }), { promote: { all: true, groups: null } }],
    ['a paused deployment resumes', facts({ status: 'paused' }), { paused: false }],
  ])('continue: %s', (_name, f, intent) => {
    expect(continueIntent(f)).toEqual(intent);
  });
});
