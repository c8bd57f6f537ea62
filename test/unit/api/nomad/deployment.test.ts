import { describe, expect, it } from 'vitest';
import { toNomadDeployment } from '../../../../src/api/nomad/deployment.ts';
import { CreateIndexBook } from '../../../../src/api/nomad/indexes.ts';
import { goProblems } from './go-conformance.ts';
import { at, deploymentUid, ns, webV1Deployment } from './fixtures.ts';

const job = { jobCreateIndex: 1210, versionJobModifyIndex: 1402, priority: 50 };

describe('toNomadDeployment: a NomadDeployment as api.Deployment', () => {
  it('spells the status the controller wrote in Nomad JSON', () => {
    expect(toNomadDeployment(webV1Deployment(), job)).toEqual({
      ID: deploymentUid,
      Namespace: 'shop',
      JobID: 'web',
      JobVersion: 1,
      JobModifyIndex: 1402,
      JobSpecModifyIndex: 1402,
      JobCreateIndex: 1210,
      IsMultiregion: false,
      TaskGroups: {
        frontend: {
          AutoRevert: true,
          AutoPromote: true,
          ProgressDeadline: 300_000_000_000,
          RequireProgressBy: '2026-03-01T10:15:25Z',
          Promoted: false,
          PlacedCanaries: ['c0c0c0c0-0000-4000-8000-00000000000c'],
          DesiredCanaries: 1,
          DesiredTotal: 4,
          PlacedAllocs: 1,
          HealthyAllocs: 1,
          UnhealthyAllocs: 0,
        },
      },
      Status: 'running',
      StatusDescription: 'Deployment is running pending automatic promotion',
      EvalPriority: 50,
      CreateIndex: 1466,
      ModifyIndex: 1466,
      CreateTime: ns(601),
      ModifyTime: ns(640),
    });
  });

  it.each([
    [
      'a terminal status and its description',
      { status: 'failed', statusDescription: 'Failed due to progress deadline - rolling back to job version 0' } as const,
      (d: ReturnType<typeof toNomadDeployment>) => [d.Status, d.StatusDescription],
      ['failed', 'Failed due to progress deadline - rolling back to job version 0'],
    ],
    [
      'no placement yet: RequireProgressBy is the zero time',
      { taskGroups: { frontend: { ...webV1Deployment().status!.taskGroups!['frontend']!, requireProgressBy: undefined, placedAllocs: 0 } } },
      (d: ReturnType<typeof toNomadDeployment>) => d.TaskGroups['frontend']!.RequireProgressBy,
      '0001-01-01T00:00:00Z',
    ],
    [
      'a disabled progress deadline is 0',
      { taskGroups: { frontend: { ...webV1Deployment().status!.taskGroups!['frontend']!, progressDeadline: '0s' } } },
      (d: ReturnType<typeof toNomadDeployment>) => d.TaskGroups['frontend']!.ProgressDeadline,
      0,
    ],
  ])('%s', (_what, status, pick, expected) => {
    expect(pick(toNomadDeployment(webV1Deployment(status as never), job))).toEqual(expected);
  });

  it('shows a deployment whose status is not written yet as a new running one', () => {
    const { status: _status, ...bare } = webV1Deployment();
    expect(toNomadDeployment(bare, job)).toMatchObject({
      Status: 'running',
      StatusDescription: 'Deployment is running',
      TaskGroups: {},
      CreateTime: ns(601),
      ModifyTime: ns(601),
    });
  });

  it("stands the deployment's CreateIndex in for the version's JobModifyIndex once its revision is pruned", () => {
    const book = new CreateIndexBook();
    book.observe(deploymentUid, 1440);
    const d = toNomadDeployment(webV1Deployment(), { jobCreateIndex: 1210 }, book.lookup);
    expect([d.CreateIndex, d.ModifyIndex, d.JobModifyIndex, d.JobSpecModifyIndex, d.EvalPriority]).toEqual([1440, 1466, 1440, 1440, 50]);
  });

  it('decodes into api.Deployment (AutoPromote and EvalPriority are server fields Nomad writes too)', () => {
    expect(goProblems(toNomadDeployment(webV1Deployment(), job), 'Deployment')).toEqual([]);
  });

  it('keeps times as the controller wrote them', () => {
    expect(toNomadDeployment(webV1Deployment({ modifyTime: at(700) }), job).ModifyTime).toBe(ns(700));
  });
});
