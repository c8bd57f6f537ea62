import { describe, expect, it } from 'vitest';
import { goDuration } from '../../../src/convert/api-json.ts';
import { unsupportedTaskFields } from '../../../src/model/unsupported-fields.ts';
import { convert, messages } from './helpers.ts';

const s = 1_000_000_000;

/** A job as `nomad job inspect` prints it: server state, zero values and defaults included. */
const inspected = {
  ID: 'nightly',
  Name: 'nightly',
  Namespace: 'default',
  Type: 'batch',
  Priority: 50,
  AllAtOnce: false,
  Datacenters: ['dc1'],
  NodePool: 'default',
  Constraints: [{ LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' }],
  Periodic: { Enabled: true, Spec: '0 2 * * *', Specs: [], SpecType: 'cron', ProhibitOverlap: true, TimeZone: 'UTC' },
  ParameterizedJob: null,
  TaskGroups: [
    {
      Name: 'report',
      Count: 1,
      RestartPolicy: { Attempts: 1, Interval: 24 * 3600 * s, Delay: 30 * s, Mode: 'fail', RenderTemplates: false },
      ReschedulePolicy: { Attempts: 2, Interval: 6 * 3600 * s, Delay: 90 * s, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false },
      EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: 300 },
      Networks: [{ Mode: 'host', ReservedPorts: [{ Label: 'metrics', Value: 9100, To: 0, HostNetwork: 'default' }], DynamicPorts: null }],
      Tasks: [
        {
          Name: 'build',
          Driver: 'docker',
          User: '',
          Config: { image: 'registry.example/reports:1.8', args: ['--since', '24h'] },
          Env: { TZ: 'UTC' },
          Resources: { CPU: 2000, Cores: 0, MemoryMB: 2048, MemoryMaxMB: 0, DiskMB: null, IOPS: 0 },
          KillTimeout: 5 * s,
          LogConfig: null,
          Templates: [{ EmbeddedTmpl: 'x', DestPath: 'local/x' }],
          Leader: false,
          ShutdownDelay: 0,
          Lifecycle: null,
        },
      ],
    },
  ],
  Stop: false,
  Status: 'running',
  Version: 3,
  CreateIndex: 10,
  ModifyIndex: 42,
  JobModifyIndex: 42,
  SubmitTime: 1_700_000_000_000_000_000,
};

describe('Nomad API JSON', async () => {
  const text = JSON.stringify({ Job: inspected }, null, 2);
  const result = await convert(text, {}, 'job.json');

  it('maps fields, converts nanoseconds to durations, and ignores server state and Go zero values', () => {
    expect(result.manifest).toEqual({
      apiVersion: 'caravan.dev/v1alpha1',
      kind: 'NomadJob',
      metadata: { name: 'nightly', namespace: 'default' },
      spec: {
        type: 'batch',
        priority: 50,
        datacenters: ['dc1'],
        constraints: [{ attribute: '${attr.kernel.name}', value: 'linux' }],
        periodic: { crons: ['0 2 * * *'], prohibitOverlap: true, timeZone: 'UTC', enabled: true },
        taskGroups: [
          {
            name: 'report',
            count: 1,
            restart: { attempts: 1, interval: '24h', delay: '30s', mode: 'fail' },
            reschedule: { attempts: 2, interval: '6h', delay: '1m30s', delayFunction: 'constant', maxDelay: '0s', unlimited: false },
            ephemeralDisk: { sizeMB: 300, sticky: false, migrate: false },
            networks: [{ mode: 'host', ports: [{ label: 'metrics', static: 9100 }] }],
            tasks: [
              {
                name: 'build',
                driver: 'docker',
                config: { image: 'registry.example/reports:1.8', args: ['--since', '24h'] },
                env: { TZ: 'UTC' },
                resources: { cpu: 2000, cores: 0, memoryMB: 2048, memoryMaxMB: 0 },
                killTimeout: '5s',
              },
            ],
          },
        ],
      },
    });
  });

  it('reports what Caravan cannot run at the position of its key', () => {
    const line = text.split('\n').findIndex((l) => l.includes('"Templates"')) + 1;
    const column = text.split('\n')[line - 1]!.indexOf('"Templates"') + 1;
    expect(messages(result, 'job.json')).toEqual([
      `job.json:${line},${column}: template is not supported by Caravan: ${unsupportedTaskFields['templates']!.reason}`,
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('reads a bare Job object like a {"Job": …} one', async () => {
    expect((await convert(JSON.stringify(inspected), {}, 'job.json')).manifest).toEqual(result.manifest);
  });

  it('reports a Name different from the ID', async () => {
    const renamed = await convert(JSON.stringify({ ...inspected, Name: 'Nightly Report', TaskGroups: [] }), {}, 'job.json');
    expect(messages(renamed, 'job.json')).toContainEqual(expect.stringContaining('job.json:1,17: name is not supported by Caravan: a job’s name is its ID'));
  });

  it.each([
    ['a JSON syntax error', '{\n  "Job": {\n    "ID": "x",\n  }\n}', {}, [expect.stringMatching(/^job\.json:4,3: /)]],
    [
      'JSON that is not a job',
      '{"Jobs": []}',
      {},
      ['job.json: not a Nomad job: expected {"Job": {…}} as `nomad job run -output` prints it, or a Job object with ID and TaskGroups'],
    ],
    ["HCL's JSON syntax", '{"job": {"x": {}}}', {}, [expect.stringContaining("job.json: this is HCL's JSON syntax")]],
    [
      '-var with an API job',
      JSON.stringify(inspected),
      { x: '1' },
      ['job.json: -var applies to HCL job files; an API JSON job has its values filled in already'],
    ],
  ])('fails with exit 2 on %s', async (_what, json, vars, expected) => {
    const failed = await convert(json, vars, 'job.json');
    expect(failed.exitCode).toBe(2);
    expect(messages(failed, 'job.json')).toEqual(expected);
  });
});

describe('goDuration', () => {
  it.each([
    [0, '0s'],
    [10 * s, '10s'],
    [300 * s, '5m'],
    [90 * s, '1m30s'],
    [1800 * s, '30m'],
    [5400 * s, '1h30m'],
    [24 * 3600 * s, '24h'],
    [250_000_000, '250ms'],
    [1_500_000_000, '1s500ms'],
  ])('%d ns is %s', (ns, text) => expect(goDuration(ns)).toBe(text));
});
