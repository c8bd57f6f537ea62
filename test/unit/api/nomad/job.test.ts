import { describe, expect, it } from 'vitest';
import { toJobListStub, toJobSummary, toJobVersions, toNomadJob } from '../../../../src/api/nomad/job.ts';
import type { NomadJobSpec } from '../../../../src/model/nomad-job-spec.ts';
import { exampleSpec } from '../../model/fixtures.ts';
import { goProblems } from './go-conformance.ts';
import { ns, v0, v1, webAt, webJob } from './fixtures.ts';

const s = 1e9;

describe('toNomadJob: a job at a version as api.Job', () => {
  const job = toNomadJob(webAt(v1));

  it('shows the version and the job as Nomad does', () => {
    expect(job).toMatchObject({
      ID: 'web',
      Name: 'web',
      Namespace: 'shop',
      Region: 'global',
      Type: 'service',
      Priority: 50,
      Datacenters: ['*'],
      NodePool: 'default',
      Status: 'running',
      StatusDescription: '',
      Stable: false,
      Version: 1,
      SubmitTime: ns(600),
      CreateIndex: 1210,
      ModifyIndex: 1450,
      JobModifyIndex: 1402,
      Meta: { team: 'storefront' },
      Stop: false,
      Periodic: null,
      ParameterizedJob: null,
    });
  });

  it('keeps only Stagger and MaxParallel in the job-level update block; each group carries its merged strategy in nanoseconds', () => {
    expect(job.Update).toEqual({ Stagger: 30 * s, MaxParallel: 2 });
    expect(job.TaskGroups[0]!.Update).toEqual({
      Stagger: 30 * s,
      MaxParallel: 2,
      HealthCheck: 'checks',
      MinHealthyTime: 15 * s,
      HealthyDeadline: 120 * s,
      ProgressDeadline: 300 * s,
      Canary: 1,
      AutoRevert: true,
      AutoPromote: true,
    });
  });

  it("fills a group with Nomad's defaults (restart, reschedule, disk) and keeps networks, services and spreads", () => {
    const g = job.TaskGroups[0]!;
    expect(g).toMatchObject({
      Name: 'frontend',
      Count: 4,
      RestartPolicy: { Attempts: 2, Interval: 1800 * s, Delay: 15 * s, Mode: 'fail' },
      ReschedulePolicy: { Attempts: 0, Interval: 0, Delay: 30 * s, DelayFunction: 'exponential', MaxDelay: 3600 * s, Unlimited: true },
      EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: 300 },
      Networks: [{ Mode: '', ReservedPorts: null, DynamicPorts: [{ Label: 'http', Value: 0, To: 8080, HostNetwork: 'default' }] }],
      Spreads: [{ Attribute: '${node.datacenter}', Weight: 100, SpreadTarget: null }],
      ShutdownDelay: null,
    });
    expect(g.Services).toEqual([
      {
        Name: 'web',
        Tags: ['public'],
        PortLabel: 'http',
        Provider: 'nomad',
        Checks: [
          {
            Name: 'service: "web" check',
            Type: 'http',
            Command: '',
            Args: null,
            Path: '/healthz',
            Protocol: 'http',
            PortLabel: '',
            Interval: 5 * s,
            Timeout: 1 * s,
            Method: 'GET',
            GRPCService: '',
            TaskName: '',
          },
        ],
      },
    ]);
  });

  it('shows tasks with their driver config under Nomad names and resources as written or defaulted', () => {
    expect(job.TaskGroups[0]!.Tasks).toEqual([
      {
        Name: 'nginx',
        Driver: 'docker',
        User: '',
        Lifecycle: null,
        Config: { image: 'nginx:1.27', ports: ['http'] },
        Env: { LISTEN_PORT: '8080' },
        Services: null,
        Resources: { CPU: 250, Cores: 0, MemoryMB: 128, MemoryMaxMB: 0 },
        RestartPolicy: { Attempts: 2, Interval: 1800 * s, Delay: 15 * s, Mode: 'fail' },
        Meta: null,
        KillTimeout: 5 * s,
        Leader: false,
        ShutdownDelay: 0,
        KillSignal: '',
        DispatchPayload: null,
      },
    ]);
  });

  it.each<[string, NomadJobSpec, (j: ReturnType<typeof toNomadJob>) => unknown, unknown]>([
    ['a job without an update block gets the default strategy per group', exampleSpec(), (j) => j.TaskGroups[0]!.Update?.MinHealthyTime, 10 * s],
    [
      'max_parallel 0 at job level: no job-level block, groups say 0',
      exampleSpec({ update: { maxParallel: 0 } }),
      (j) => [j.Update, j.TaskGroups[0]!.Update?.MaxParallel],
      [null, 0],
    ],
    ['a batch job has no update blocks', exampleSpec({ type: 'batch' }), (j) => [j.Update, j.TaskGroups[0]!.Update], [null, null]],
    ['a batch job has the batch reschedule policy', exampleSpec({ type: 'batch' }), (j) => j.TaskGroups[0]!.ReschedulePolicy?.DelayFunction, 'constant'],
    ['a system job is not rescheduled', exampleSpec({ type: 'system' }), (j) => j.TaskGroups[0]!.ReschedulePolicy, null],
    [
      'a constraint without operator has "="',
      exampleSpec({ constraints: [{ attribute: '${attr.kernel.name}', value: 'linux' }] }),
      (j) => j.Constraints,
      [{ LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' }],
    ],
    [
      'work_dir is under its Nomad name',
      exampleSpec({}, { tasks: [{ name: 'redis', driver: 'docker', config: { image: 'redis:7', workDir: '/data' } }] }),
      (j) => j.TaskGroups[0]!.Tasks[0]!.Config,
      { image: 'redis:7', work_dir: '/data' },
    ],
    [
      'a static port is reserved',
      exampleSpec({}, { networks: [{ ports: [{ label: 'db', static: 6379 }] }] }),
      (j) => j.TaskGroups[0]!.Networks?.[0]?.ReservedPorts,
      [{ Label: 'db', Value: 6379, To: 0, HostNetwork: 'default' }],
    ],
    [
      'one cron is the single Spec, with SpecType the Go client dereferences',
      exampleSpec({ type: 'batch', periodic: { crons: ['0 2 * * *'] } }),
      (j) => j.Periodic,
      { Enabled: true, Spec: '0 2 * * *', Specs: [], SpecType: 'cron', ProhibitOverlap: false, TimeZone: 'UTC' },
    ],
    [
      'several crons go in Specs',
      exampleSpec({ type: 'batch', periodic: { crons: ['0 2 * * *', '0 14 * * *'] } }),
      (j) => [j.Periodic?.Spec, j.Periodic?.Specs],
      ['', ['0 2 * * *', '0 14 * * *']],
    ],
    [
      'a parameterized job',
      exampleSpec({ type: 'batch', parameterized: { metaRequired: ['input'] } }),
      (j) => j.ParameterizedJob,
      { Payload: 'optional', MetaRequired: ['input'], MetaOptional: null },
    ],
    ['a stopped job', exampleSpec({ stop: true }), (j) => j.Stop, true],
    [
      'a prestart sidecar',
      exampleSpec(
        {},
        {
          tasks: [
            { name: 'redis', driver: 'docker', config: { image: 'redis:7' } },
            { name: 'proxy', driver: 'docker', config: { image: 'envoy' }, lifecycle: { hook: 'prestart', sidecar: true } },
          ],
        },
      ),
      (j) => j.TaskGroups[0]!.Tasks[1]!.Lifecycle,
      { Hook: 'prestart', Sidecar: true },
    ],
  ])('%s', (_rule, spec, pick, expected) => {
    const version = { version: 0, spec, submitTime: '2026-03-01T10:00:00Z', stable: false };
    const job = webJob();
    expect(
      pick(
        toNomadJob({
          job: { ...job, metadata: { ...job.metadata, name: 'example' } },
          version,
          indexes: { createIndex: 1, modifyIndex: 2, jobModifyIndex: 2 },
        }),
      ),
    ).toEqual(expected);
  });

  it("says pending for a job the controller has not reconciled yet, and passes the revert's description on", () => {
    const { status: _, ...fresh } = webJob();
    expect(toNomadJob({ ...webAt(v1), job: fresh }).Status).toBe('pending');
    const reverted = webJob({ statusDescription: 'running job version 2 (auto-revert of version 1) until the spec changes' });
    expect(toNomadJob(webAt(v1, reverted)).StatusDescription).toBe('running job version 2 (auto-revert of version 1) until the spec changes');
  });
});

describe('toJobSummary', () => {
  it("is the controller's per-group counts, with the job's indexes", () => {
    expect(toJobSummary(webAt(v1))).toEqual({
      JobID: 'web',
      Namespace: 'shop',
      Summary: { frontend: { Queued: 0, Complete: 0, Failed: 0, Running: 5, Starting: 0, Lost: 0, Unknown: 0 } },
      Children: null,
      CreateIndex: 1210,
      ModifyIndex: 1450,
    });
  });

  it('has a zeroed entry per group before the controller has counted', () => {
    const { summary: _counted, ...uncounted } = webJob().status!;
    expect(toJobSummary(webAt(v1, { ...webJob(), status: uncounted })).Summary).toEqual({
      frontend: { Queued: 0, Complete: 0, Failed: 0, Running: 0, Starting: 0, Lost: 0, Unknown: 0 },
    });
  });

  it('counts children for periodic and parameterized jobs (Caravan runs none)', () => {
    const batch = { ...v0, spec: exampleSpec({ type: 'batch', periodic: { crons: ['@daily'] } }) };
    expect(toJobSummary(webAt(batch)).Children).toEqual({ Pending: 0, Running: 0, Dead: 0 });
  });
});

describe('toJobListStub', () => {
  it('is the job list row, Meta only when asked for', () => {
    const stub = toJobListStub(webAt(v1));
    expect(stub).toMatchObject({
      ID: 'web',
      Name: 'web',
      Namespace: 'shop',
      Type: 'service',
      Priority: 50,
      Periodic: false,
      ParameterizedJob: false,
      Stop: false,
      Status: 'running',
      SubmitTime: ns(600),
      CreateIndex: 1210,
      ModifyIndex: 1450,
      JobModifyIndex: 1402,
    });
    expect(stub).not.toHaveProperty('Meta');
    expect(stub.JobSummary.Summary['frontend']!.Running).toBe(5);
    expect(toJobListStub(webAt(v1), { meta: true }).Meta).toEqual({ team: 'storefront' });
  });
});

describe('toJobVersions', () => {
  it('lists versions newest first, each with its own Version, Stable, SubmitTime and indexes', () => {
    const response = toJobVersions([webAt(v0), webAt(v1)]);
    expect(response.Versions.map((v) => [v.Version, v.Stable, v.SubmitTime, v.JobModifyIndex, v.ModifyIndex])).toEqual([
      [1, false, ns(600), 1402, 1450],
      [0, true, ns(0), 1210, 1210],
    ]);
    expect(response.Versions[1]!.TaskGroups[0]!.Tasks[0]!.Config).toEqual({ image: 'nginx:1.26', ports: ['http'] });
    expect(response.Index).toBe(1450);
    expect(response.Diffs).toBeNull();
  });
});

describe('decodes into the Go client types', () => {
  it.each([
    ['api.Job', () => toNomadJob(webAt(v1)), 'Job'],
    ['api.JobListStub', () => toJobListStub(webAt(v1), { meta: true }), 'JobListStub'],
    ['api.JobSummary', () => toJobSummary(webAt(v1)), 'JobSummary'],
    ['api.JobVersionsResponse', () => toJobVersions([webAt(v0), webAt(v1)]), 'JobVersionsResponse'],
    [
      'a periodic batch job',
      () => toNomadJob(webAt({ ...v0, spec: exampleSpec({ type: 'batch', periodic: { crons: ['@daily'] }, parameterized: { metaOptional: ['x'] } }) })),
      'Job',
    ],
  ])('%s', (_what, make, struct) => expect(goProblems(make(), struct)).toEqual([]));
});
