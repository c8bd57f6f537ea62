import { describe, expect, it } from 'vitest';
import { jobDiff } from '../../../../src/api/nomad/job-diff.ts';
import { toNomadJob } from '../../../../src/api/nomad/job.ts';
import { annotateJobDiff, desiredUpdates, type PlanCurrent } from '../../../../src/api/nomad/plan-updates.ts';
import type { NomadDesiredUpdates } from '../../../../src/api/nomad/types.ts';
import { canonicalJob } from '../../../../src/model/defaults.ts';
import type { Job } from '../../../../src/model/job.ts';
import type { NomadJobSpec, TaskGroupSpec } from '../../../../src/model/nomad-job-spec.ts';
import { goProblems } from './go-conformance.ts';
import { at, webAt, webSpec } from './fixtures.ts';

const job = (spec: NomadJobSpec): Job => canonicalJob('web', 'shop', spec);
const running = (spec: NomadJobSpec, live = 4): PlanCurrent => ({ job: job(spec), liveAllocationsPerGroup: { frontend: live } });

/** webSpec with the frontend group changed. */
function withFrontend(change: Partial<TaskGroupSpec>, spec = webSpec('nginx:1.26')): NomadJobSpec {
  return { ...spec, taskGroups: [{ ...spec.taskGroups[0]!, ...change }] };
}

const zero: NomadDesiredUpdates = {
  Ignore: 0,
  Place: 0,
  Migrate: 0,
  Stop: 0,
  InPlaceUpdate: 0,
  DestructiveUpdate: 0,
  Canary: 0,
  Preemptions: 0,
  Disconnect: 0,
  Reconnect: 0,
  RescheduleNow: 0,
  RescheduleLater: 0,
};
const v126 = webSpec('nginx:1.26');
const noUpdateBlock: NomadJobSpec = { ...v126, update: { maxParallel: 0 } };
const admin: TaskGroupSpec = { ...v126.taskGroups[0]!, name: 'admin', count: 1 };

describe('desiredUpdates: what a plan would do to each group (api.DesiredUpdates)', () => {
  it.each<[string, PlanCurrent | undefined, NomadJobSpec, Record<string, Partial<NomadDesiredUpdates>>]>([
    ['a new job places count per group', undefined, v126, { frontend: { Place: 4 } }],
    ['an unchanged job ignores its live allocations', running(v126), v126, { frontend: { Ignore: 4 } }],
    ['an unchanged job places what is missing', running(v126, 3), v126, { frontend: { Ignore: 3, Place: 1 } }],
    [
      'a count increase relabels the running allocations in place and places the difference',
      running(v126),
      withFrontend({ count: 6 }),
      { frontend: { InPlaceUpdate: 4, Place: 2 } },
    ],
    ['a count decrease stops the difference', running(v126), withFrontend({ count: 2 }), { frontend: { InPlaceUpdate: 2, Stop: 2 } }],
    ['count 0 stops them all', running(v126), withFrontend({ count: 0 }), { frontend: { Stop: 4 } }],
    [
      'an in-place change (update strategy) updates in place',
      running(v126),
      { ...v126, update: { ...v126.update, minHealthyTime: '30s' } },
      { frontend: { InPlaceUpdate: 4 } },
    ],
    [
      'a destructive change with canaries places the canaries and ignores the old allocations',
      running(v126),
      webSpec('nginx:1.27', 1),
      { frontend: { Canary: 1, Ignore: 4 } },
    ],
    [
      'while canarying, a count increase waits for promotion',
      running(v126),
      withFrontend({ count: 6 }, webSpec('nginx:1.27', 2)),
      { frontend: { Canary: 2, Ignore: 4 } },
    ],
    [
      'a destructive change without canaries replaces max_parallel and ignores the rest',
      running(v126),
      webSpec('nginx:1.27'),
      { frontend: { DestructiveUpdate: 2, Ignore: 2 } },
    ],
    [
      'new placements take from max_parallel before destructive updates',
      running(v126),
      withFrontend({ count: 5 }, webSpec('nginx:1.27')),
      { frontend: { Place: 1, DestructiveUpdate: 1, Ignore: 3 } },
    ],
    [
      'a count decrease with a destructive change stops first, then replaces',
      running(v126),
      withFrontend({ count: 1 }, webSpec('nginx:1.27')),
      { frontend: { Stop: 3, DestructiveUpdate: 1 } },
    ],
    [
      'without an update strategy every allocation is replaced at once',
      running(noUpdateBlock),
      { ...noUpdateBlock, taskGroups: webSpec('nginx:1.27').taskGroups },
      { frontend: { DestructiveUpdate: 4 } },
    ],
    [
      'a new group places its count; the untouched group moves to the new version in place',
      running(v126),
      { ...v126, taskGroups: [...v126.taskGroups, admin] },
      { frontend: { InPlaceUpdate: 4 }, admin: { Place: 1 } },
    ],
    [
      'a removed group stops its allocations',
      { job: job({ ...v126, taskGroups: [...v126.taskGroups, admin] }), liveAllocationsPerGroup: { frontend: 4, admin: 1 } },
      v126,
      { frontend: { InPlaceUpdate: 4 }, admin: { Stop: 1 } },
    ],
    ['a stopped job stops every allocation', running(v126), { ...v126, stop: true }, { frontend: { Stop: 4 } }],
  ])('%s', (_, current, next, expected) => {
    const result = desiredUpdates(current, job(next));
    expect(result).toEqual(Object.fromEntries(Object.entries(expected).map(([g, u]) => [g, { ...zero, ...u }])));
    for (const u of Object.values(result)) expect(goProblems(u, 'DesiredUpdates')).toEqual([]);
  });
});

describe("annotateJobDiff: the plan's diff as `nomad job plan` prints it", () => {
  const nomadJob = (spec: NomadJobSpec) => toNomadJob(webAt({ version: 1, spec, submitTime: at(600), stable: false }));
  const plan = (current: PlanCurrent | undefined, next: NomadJobSpec) =>
    annotateJobDiff(jobDiff(current ? nomadJob(v126) : null, nomadJob(next), true), desiredUpdates(current, job(next)));

  it('a canary deployment: group counts by update type, the task forced to a create/destroy update', () => {
    const diff = plan(running(v126), webSpec('nginx:1.27', 1));
    expect(diff.TaskGroups![0]!.Updates).toEqual({ canary: 1, ignore: 4 });
    expect(diff.TaskGroups![0]!.Tasks![0]!.Annotations).toEqual(['forces create/destroy update']);
  });

  it('a count increase: the Count field forces create; the task is unchanged and not annotated', () => {
    const diff = plan(running(v126), withFrontend({ count: 6 }));
    expect(diff.TaskGroups![0]!.Fields).toEqual([{ Type: 'Edited', Name: 'Count', Old: '4', New: '6', Annotations: ['forces create'] }]);
    expect(diff.TaskGroups![0]!.Updates).toEqual({ create: 2, 'in-place update': 4 });
    expect(diff.TaskGroups![0]!.Tasks![0]!.Annotations).toBeNull();
  });

  it('a count decrease forces destroy', () => {
    const diff = plan(running(v126), withFrontend({ count: 2 }));
    expect(diff.TaskGroups![0]!.Fields![0]!.Annotations).toEqual(['forces destroy']);
    expect(diff.TaskGroups![0]!.Updates).toEqual({ destroy: 2, 'in-place update': 2 });
  });

  it('a change Nomad makes in place (kill timeout) annotates the task so; its allocations are updated in place', () => {
    const diff = plan(running(v126), withFrontend({ tasks: [{ ...v126.taskGroups[0]!.tasks[0]!, killTimeout: '30s' }] }));
    expect(diff.TaskGroups![0]!.Tasks![0]!).toMatchObject({
      Fields: [{ Name: 'KillTimeout', Old: '5000000000', New: '30000000000' }],
      Annotations: ['forces in-place update'],
    });
    expect(diff.TaskGroups![0]!.Updates).toEqual({ 'in-place update': 4 });
  });

  it('a new job: every task forces create, the group creates count', () => {
    const diff = plan(undefined, v126);
    expect(diff.TaskGroups![0]!.Updates).toEqual({ create: 4 });
    expect(diff.TaskGroups![0]!.Fields![0]).toEqual({ Type: 'Added', Name: 'Count', Old: '', New: '4', Annotations: ['forces create'] });
    expect(diff.TaskGroups![0]!.Tasks![0]!.Annotations).toEqual(['forces create']);
    expect(goProblems(diff, 'JobDiff')).toEqual([]);
  });

  it('an unchanged job: the group ignores its allocations', () => {
    const diff = plan(running(v126), v126);
    expect(diff.Type).toBe('None');
    expect(diff.TaskGroups![0]!.Updates).toEqual({ ignore: 4 });
    expect(diff.TaskGroups![0]!.Tasks![0]!.Annotations).toBeNull();
  });
});
