import { describe, expect, it } from 'vitest';
import { descriptions, revertDescription, runningDescription } from '../../../src/planner/deployment.ts';
import { deployment, groupState } from './fixtures.ts';

describe("Nomad's deployment descriptions", () => {
  it.each([
    ['no canaries', { web: groupState() }, 'Deployment is running'],
    ['canaries waiting for manual promotion', { web: groupState({ desiredCanaries: 1 }) }, 'Deployment is running but requires manual promotion'],
    [
      'canaries in every group auto-promote',
      { web: groupState({ desiredCanaries: 1, autoPromote: true }) },
      'Deployment is running pending automatic promotion',
    ],
    [
      'one canary group without auto_promote blocks it',
      { web: groupState({ desiredCanaries: 1, autoPromote: true }), api: groupState({ desiredCanaries: 1 }) },
      'Deployment is running but requires manual promotion',
    ],
    ['canaries promoted', { web: groupState({ desiredCanaries: 1, promoted: true }) }, 'Deployment is running'],
  ])('%s: %s', (_what, groups, expected) => expect(runningDescription(deployment(groups))).toBe(expected));

  it.each([
    [revertDescription.rollingBack(descriptions.progressDeadline, 1), 'Failed due to progress deadline - rolling back to job version 1'],
    [
      revertDescription.sameSpec(descriptions.failedAllocations, 3),
      'Failed due to unhealthy allocations - not rolling back to stable job version 3 as current job has same specification',
    ],
    [revertDescription.noStable(descriptions.failedAllocations), 'Failed due to unhealthy allocations - no stable job version to auto revert to'],
  ])('%s', (actual, expected) => expect(actual).toBe(expected));
});
