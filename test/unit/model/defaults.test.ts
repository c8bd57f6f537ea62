import { describe, expect, it } from 'vitest';
import { canonicalJob, defaultUpdateStrategy, groupUpdateStrategy } from '../../../src/model/defaults.ts';
import type { JobType, UpdateSpec } from '../../../src/model/nomad-job-spec.ts';
import { exampleSpec } from './fixtures.ts';

describe('job defaults (Nomad canonicalization)', () => {
  const job = canonicalJob('example', 'default', exampleSpec());
  const group = job.taskGroups[0]!;
  const task = group.tasks[0]!;

  it.each([
    ['type', job.type, 'service'],
    ['priority', job.priority, 50],
    ['datacenters', job.datacenters, ['*']],
    ['region', job.region, 'global'],
    ['group count', group.count, 1],
    ['ephemeral disk', group.ephemeralDiskMB, 300],
    ['task cpu (MHz)', task.resources.cpu, 100],
    ['task memory (MB)', task.resources.memoryMB, 300],
    ['kill timeout', task.killTimeout, 5_000],
  ])('%s defaults to %j', (_field, actual, expected) => expect(actual).toEqual(expected));

  it('gives every service group the default update strategy', () => {
    expect(group.update).toEqual({
      maxParallel: 1,
      healthCheck: 'checks',
      minHealthyTime: 10_000,
      healthyDeadline: 300_000,
      progressDeadline: 600_000,
      autoRevert: false,
      autoPromote: false,
      canary: 0,
      canarySteps: [],
      stagger: 30_000,
    });
  });

  it.each<[JobType, object, object | undefined]>([
    [
      'service',
      { attempts: 2, interval: 1_800_000, delay: 15_000, mode: 'fail' },
      { attempts: 0, interval: 0, delay: 30_000, delayFunction: 'exponential', maxDelay: 3_600_000, unlimited: true },
    ],
    [
      'batch',
      { attempts: 3, interval: 86_400_000, delay: 15_000, mode: 'fail' },
      { attempts: 1, interval: 86_400_000, delay: 5_000, delayFunction: 'constant', maxDelay: 0, unlimited: false },
    ],
    ['system', { attempts: 2, interval: 1_800_000, delay: 15_000, mode: 'fail' }, undefined],
  ])('a %s job restarts with %j and reschedules with %j', (type, restart, reschedule) => {
    const g = canonicalJob('j', 'default', exampleSpec({ type })).taskGroups[0]!;
    expect(g.restart).toEqual(restart);
    expect(g.reschedule).toEqual(reschedule);
    expect(g.tasks[0]!.restart).toEqual(restart);
  });

  it('a task restart block overrides the group one field by field', () => {
    const spec = exampleSpec(
      {},
      { restart: { attempts: 5, delay: '1m' }, tasks: [{ name: 'redis', driver: 'docker', config: { image: 'redis' }, restart: { attempts: 1 } }] },
    );
    const g = canonicalJob('j', 'default', spec).taskGroups[0]!;
    expect(g.restart).toMatchObject({ attempts: 5, delay: 60_000, interval: 1_800_000 });
    expect(g.tasks[0]!.restart).toMatchObject({ attempts: 1, delay: 60_000 });
  });
});

describe('update block merge (job level into group level)', () => {
  it.each<{ name: string; type?: JobType; job?: UpdateSpec; group?: UpdateSpec; expected: object | undefined }>([
    { name: 'no blocks: the default strategy', expected: defaultUpdateStrategy },
    { name: 'job level only: copied to the group', job: { maxParallel: 3, canary: 1 }, expected: { ...defaultUpdateStrategy, maxParallel: 3, canary: 1 } },
    {
      name: 'both: the group overlays only the fields it sets',
      job: { maxParallel: 3, minHealthyTime: '30s' },
      group: { canary: 2, autoPromote: true },
      expected: { ...defaultUpdateStrategy, maxParallel: 3, minHealthyTime: 30_000, canary: 2, autoPromote: true },
    },
    { name: 'group sets max_parallel 0: no strategy, no deployment', job: { maxParallel: 3 }, group: { maxParallel: 0 }, expected: undefined },
    { name: 'job sets max_parallel 0: no strategy', job: { maxParallel: 0 }, expected: undefined },
    {
      name: 'job max_parallel 0, group turns it back on',
      job: { maxParallel: 0 },
      group: { maxParallel: 2 },
      expected: { ...defaultUpdateStrategy, maxParallel: 2 },
    },
    { name: 'batch jobs have none', type: 'batch', expected: undefined },
  ])('$name', ({ type = 'service', job, group, expected }) => {
    expect(groupUpdateStrategy(type, job, group)).toEqual(expected);
  });
});
