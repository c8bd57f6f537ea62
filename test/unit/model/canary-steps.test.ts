import { describe, expect, it } from 'vitest';
import { groupUpdateStrategy } from '../../../src/model/defaults.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import { parseNomadJob } from '../../../src/model/validate.ts';
import { exampleSpec } from './fixtures.ts';

describe('canary steps (beyond Nomad: its issue #11822)', () => {
  it('resolves percentages against the group count, rounding up, and the last step sets canary', () => {
    const u = groupUpdateStrategy('service', { canarySteps: [{ count: 1 }, { percent: 25, pause: '5m' }, { percent: 50, approval: true }] }, undefined, 10);
    expect(u?.canarySteps).toEqual([
      { canaries: 1, pause: 0, approval: false },
      { canaries: 3, pause: 300_000, approval: false },
      { canaries: 5, pause: 0, approval: true },
    ]);
    expect(u?.canary).toBe(5);
  });

  it('a group block with steps replaces the job-level steps as a whole', () => {
    const u = groupUpdateStrategy('service', { canarySteps: [{ count: 1 }, { count: 2 }] }, { canarySteps: [{ percent: 100 }] }, 4);
    expect(u?.canarySteps.map((s) => s.canaries)).toEqual([4]);
  });

  it("absent: Nomad's single canary, unchanged", () => {
    expect(groupUpdateStrategy('service', { canary: 2 }, undefined, 4)).toMatchObject({ canary: 2, canarySteps: [] });
  });

  it.each<[string, NomadJobSpec, string, string]>([
    [
      'count and percent together',
      exampleSpec({ update: { canarySteps: [{ count: 1, percent: 10 }] } }),
      'spec.update.canarySteps[0]',
      'a canary step needs either count or percent',
    ],
    ['neither', exampleSpec({ update: { canarySteps: [{ pause: '1m' }] } }), 'spec.update.canarySteps[0]', 'a canary step needs either count or percent'],
    [
      'with canary as well',
      exampleSpec({ update: { canary: 2, canarySteps: [{ count: 1 }] } }),
      'spec.update.canary',
      'canary and canarySteps cannot be used together: the last canary step sets the number of canaries',
    ],
    [
      'a shrinking step',
      exampleSpec({ update: { canarySteps: [{ count: 3 }, { count: 2 }] } }),
      'spec.update.canarySteps[1].count',
      'canary steps cannot shrink: 2 after 3',
    ],
    [
      'a percent over 100',
      exampleSpec({}, { update: { canarySteps: [{ percent: 150 }] } }),
      'spec.taskGroups[0].update.canarySteps[0].percent',
      "a canary step's percent must be from 1 to 100, got 150",
    ],
    [
      'no steps',
      exampleSpec({ update: { canarySteps: [] } }),
      'spec.update.canarySteps',
      'canarySteps needs at least one step; leave it out for a single canary phase',
    ],
  ])('refuses %s', (_what, spec, path, message) => {
    const parsed = parseNomadJob('example', 'default', spec);
    expect(parsed.ok ? [] : parsed.errors).toContainEqual({ path, message });
  });
});
