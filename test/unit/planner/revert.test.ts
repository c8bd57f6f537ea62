import { describe, expect, it } from 'vitest';
import type { JobVersion } from '../../../src/model/job-versions.ts';
import { descriptions } from '../../../src/planner/deployment.ts';
import { revertDecision } from '../../../src/planner/revert.ts';
import { exampleSpec } from '../model/fixtures.ts';

const v = (version: number, image: string, stable: boolean): JobVersion => ({
  version,
  stable,
  submitTime: '',
  spec: exampleSpec({}, { tasks: [{ name: 'redis', driver: 'docker', config: { image } }] }),
});
const base = descriptions.progressDeadline;

describe('auto-revert (Nomad §2.9)', () => {
  it('reverts to the latest stable version whose spec differs (§4 case 35)', () => {
    const history = [v(0, 'redis:6', true), v(1, 'redis:7', true), v(2, 'redis:8', false)];
    expect(revertDecision(base, true, history[2]!.spec, history)).toEqual({
      kind: 'revert',
      toVersion: history[1],
      description: 'Failed due to progress deadline - rolling back to job version 1',
    });
  });

  it('with no stable version: no revert, and says so (§4 case 34)', () => {
    expect(revertDecision(descriptions.failedAllocations, true, v(0, 'redis:7', false).spec, [v(0, 'redis:7', false)])).toEqual({
      kind: 'none',
      description: 'Failed due to unhealthy allocations - no stable job version to auto revert to',
    });
  });

  it('a failing revert does not revert again: the stable spec is the one failing (§4 case 36)', () => {
    const history = [v(1, 'redis:7', true), v(2, 'redis:8', false), v(3, 'redis:7', true)];
    expect(revertDecision(base, true, history[2]!.spec, history)).toEqual({
      kind: 'none',
      description: 'Failed due to progress deadline - not rolling back to stable job version 3 as current job has same specification',
    });
  });

  it('without auto_revert: the plain description', () => {
    expect(revertDecision(base, false, v(2, 'redis:8', false).spec, [v(1, 'redis:7', true)])).toEqual({
      kind: 'none',
      description: 'Failed due to progress deadline',
    });
  });
});
