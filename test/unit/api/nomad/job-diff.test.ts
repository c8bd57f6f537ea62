import { describe, expect, it } from 'vitest';
import { goFloat, jobDiff } from '../../../../src/api/nomad/job-diff.ts';
import { toNomadJob } from '../../../../src/api/nomad/job.ts';
import type { NomadApiJob, NomadFieldDiff, NomadJobDiff, NomadObjectDiff } from '../../../../src/api/nomad/types.ts';
import type { NomadJobSpec, TaskGroupSpec } from '../../../../src/model/nomad-job-spec.ts';
import { goProblems } from './go-conformance.ts';
import { at, v0, v1, webAt, webSpec } from './fixtures.ts';

const s = 1e9;

/** The shop's web job as api.Job at version 1, with its spec as given. */
function nomadJob(spec: NomadJobSpec): NomadApiJob {
  return toNomadJob(webAt({ version: 1, spec, submitTime: at(600), stable: false }));
}

/** webSpec('nginx:1.26') with the frontend group changed. */
function withFrontend(change: Partial<TaskGroupSpec>, spec = webSpec('nginx:1.26')): NomadJobSpec {
  return { ...spec, taskGroups: [{ ...spec.taskGroups[0]!, ...change }] };
}

const base = nomadJob(webSpec('nginx:1.26'));
const field = (Type: NomadFieldDiff['Type'], Name: string, Old: string, New: string): NomadFieldDiff => ({ Type, Name, Old, New, Annotations: null });
const group = (d: NomadJobDiff) => d.TaskGroups![0]!;
const task = (d: NomadJobDiff) => group(d).Tasks![0]!;
const object = (objects: NomadObjectDiff[] | null, name: string) => objects?.find((o) => o.Name === name);

describe('jobDiff: what Nomad says changed between two versions of a job', () => {
  it('an unchanged job is None, with null lists and its groups and tasks listed as None (as the Go server writes them)', () => {
    const diff = jobDiff(base, nomadJob(webSpec('nginx:1.26')), true);
    expect(diff).toEqual({
      Type: 'None',
      ID: 'web',
      Fields: null,
      Objects: null,
      TaskGroups: [
        {
          Type: 'None',
          Name: 'frontend',
          Fields: null,
          Objects: null,
          Tasks: [{ Type: 'None', Name: 'nginx', Fields: null, Objects: null, Annotations: null }],
          Updates: null,
        },
      ],
    });
  });

  it('ignores what changes with every version (Version, Stable, SubmitTime, indexes, Status)', () => {
    const later = {
      ...base,
      Version: 7,
      Stable: true,
      SubmitTime: base.SubmitTime + 1,
      JobModifyIndex: 9999,
      ModifyIndex: 9999,
      CreateIndex: 1,
      Status: 'dead' as const,
    };
    expect(jobDiff(base, later).Type).toBe('None');
  });

  it.each<[string, NomadApiJob, (d: NomadJobDiff) => unknown, unknown]>([
    [
      'an image change is an Edited Config object of the task, its field named by the config key',
      nomadJob(webSpec('nginx:1.27')),
      (d) => object(task(d).Objects, 'Config'),
      { Type: 'Edited', Name: 'Config', Fields: [field('Edited', 'image', 'nginx:1.26', 'nginx:1.27')], Objects: null },
    ],
    [
      'a count change is an Edited Count field of the group',
      nomadJob(withFrontend({ count: 6 })),
      (d) => group(d).Fields,
      [field('Edited', 'Count', '4', '6')],
    ],
    [
      'job meta is a field per key',
      nomadJob({ ...webSpec('nginx:1.26'), meta: { team: 'checkout' } }),
      (d) => d.Fields,
      [field('Edited', 'Meta[team]', 'storefront', 'checkout')],
    ],
    [
      'task env is a field per key',
      nomadJob(
        withFrontend({ tasks: [{ ...webSpec('x').taskGroups[0]!.tasks[0]!, config: { image: 'nginx:1.26', ports: ['http'] }, env: { LISTEN_PORT: '9090' } }] }),
      ),
      (d) => task(d).Fields,
      [field('Edited', 'Env[LISTEN_PORT]', '8080', '9090')],
    ],
    [
      'datacenters are a set: each member is a field named Datacenters (sorted by name, old, new)',
      nomadJob({ ...webSpec('nginx:1.26'), datacenters: ['eu-west', 'eu-north'] }),
      (d) => d.Objects,
      [
        {
          Type: 'Edited',
          Name: 'Datacenters',
          Fields: [field('Added', 'Datacenters', '', 'eu-north'), field('Added', 'Datacenters', '', 'eu-west'), field('Deleted', 'Datacenters', '*', '')],
          Objects: null,
        },
      ],
    ],
    [
      'a duration is integer nanoseconds',
      nomadJob({ ...webSpec('nginx:1.26'), update: { ...webSpec('nginx:1.26').update, minHealthyTime: '30s' } }),
      (d) => object(group(d).Objects, 'Update'),
      { Type: 'Edited', Name: 'Update', Fields: [field('Edited', 'MinHealthyTime', String(15 * s), String(30 * s))], Objects: null },
    ],
    [
      'a new constraint is an Added object',
      nomadJob(withFrontend({ constraints: [{ attribute: '${node.class}', value: 'large' }] })),
      (d) => d.TaskGroups![0]!.Objects?.filter((o) => o.Name === 'Constraint').map((o) => o.Type),
      ['Added'],
    ],
    [
      'resources are an object of their own',
      nomadJob(withFrontend({ tasks: [{ ...webSpec('nginx:1.26').taskGroups[0]!.tasks[0]!, resources: { cpu: 500, memoryMB: 128 } }] })),
      (d) => object(task(d).Objects, 'Resources'),
      { Type: 'Edited', Name: 'Resources', Fields: [field('Edited', 'CPU', '250', '500')], Objects: null },
    ],
  ])('%s', (_, next, pick, expected) => {
    expect(pick(jobDiff(base, next))).toEqual(expected);
  });

  it('an edited constraint is the old one Deleted and the new one Added (Nomad matches them by content)', () => {
    const from = nomadJob(withFrontend({ constraints: [{ attribute: '${node.class}', value: 'small' }] }));
    const to = nomadJob(withFrontend({ constraints: [{ attribute: '${node.class}', value: 'large' }] }));
    const constraints = group(jobDiff(from, to)).Objects!.filter((o) => o.Name === 'Constraint');
    expect(constraints).toEqual([
      {
        Type: 'Added',
        Name: 'Constraint',
        Fields: [field('Added', 'LTarget', '', '${node.class}'), field('Added', 'Operand', '', '='), field('Added', 'RTarget', '', 'large')],
        Objects: null,
      },
      {
        Type: 'Deleted',
        Name: 'Constraint',
        Fields: [field('Deleted', 'LTarget', '${node.class}', ''), field('Deleted', 'Operand', '=', ''), field('Deleted', 'RTarget', 'small', '')],
        Objects: null,
      },
    ]);
  });

  it('a changed port makes the network a new one: the old network Deleted, the new one Added, ports by label (a dynamic port without its Value)', () => {
    const diff = jobDiff(base, nomadJob(withFrontend({ networks: [{ ports: [{ label: 'http', to: 9090 }] }] })));
    const port = (Type: 'Added' | 'Deleted', to: string) => {
      const [old, next] = Type === 'Added' ? ['', to] : [to, ''];
      const [host, label] =
        Type === 'Added'
          ? [
              ['', 'default'],
              ['', 'http'],
            ]
          : [
              ['default', ''],
              ['http', ''],
            ];
      return {
        Type,
        Name: 'Dynamic Port',
        Fields: [field(Type, 'HostNetwork', host[0]!, host[1]!), field(Type, 'Label', label[0]!, label[1]!), field(Type, 'To', old, next)],
        Objects: null,
      };
    };
    expect(group(diff).Objects).toEqual([
      { Type: 'Added', Name: 'Network', Fields: null, Objects: [port('Added', '9090')] },
      { Type: 'Deleted', Name: 'Network', Fields: null, Objects: [port('Deleted', '8080')] },
    ]);
  });

  it('a service is matched to its old self and its tags diffed as a set', () => {
    const services = [{ ...webSpec('nginx:1.26').taskGroups[0]!.services![0]!, tags: ['internal'] }];
    const diff = jobDiff(base, nomadJob(withFrontend({ services })));
    expect(group(diff).Objects).toEqual([
      {
        Type: 'Edited',
        Name: 'Service',
        Fields: null,
        Objects: [{ Type: 'Edited', Name: 'Tags', Fields: [field('Added', 'Tags', '', 'internal'), field('Deleted', 'Tags', 'public', '')], Objects: null }],
      },
    ]);
  });

  it('a new job is Added: its set fields, its datacenters, and every group and task Added', () => {
    const diff = jobDiff(null, base);
    expect(diff.Type).toBe('Added');
    expect(diff.Fields).toEqual([
      field('Added', 'AllAtOnce', '', 'false'),
      field('Added', 'Dispatched', '', 'false'),
      field('Added', 'Meta[team]', '', 'storefront'),
      field('Added', 'Name', '', 'web'),
      field('Added', 'Namespace', '', 'shop'),
      field('Added', 'NodePool', '', 'default'),
      field('Added', 'Priority', '', '50'),
      field('Added', 'Region', '', 'global'),
      field('Added', 'Stop', '', 'false'),
      field('Added', 'Type', '', 'service'),
    ]);
    expect(diff.Objects).toEqual([{ Type: 'Added', Name: 'Datacenters', Fields: [field('Added', 'Datacenters', '', '*')], Objects: null }]);
    expect(group(diff)).toMatchObject({ Type: 'Added', Name: 'frontend', Fields: [field('Added', 'Count', '', '4')] });
    expect(group(diff).Objects!.map((o) => `${o.Name} ${o.Type}`)).toEqual([
      'RestartPolicy Added',
      'ReschedulePolicy Added',
      'EphemeralDisk Added',
      'Update Added',
      'Network Added',
      'Service Added',
    ]);
    expect(task(diff)).toMatchObject({ Type: 'Added', Name: 'nginx' });
    expect(task(diff).Fields!.map((f) => f.Name)).toEqual(['Driver', 'Env[LISTEN_PORT]', 'KillTimeout', 'Leader', 'ShutdownDelay']);
    expect(object(task(diff).Objects, 'Config')!.Fields).toEqual([field('Added', 'image', '', 'nginx:1.26'), field('Added', 'ports[0]', '', 'http')]);
  });

  it('a version diff (v0 → v1: canary on, image bumped), contextual as /versions?diffs=true and plans ask: changed blocks list their unchanged fields as None', () => {
    const diff = jobDiff(toNomadJob(webAt(v0)), toNomadJob(webAt(v1)), true);
    expect(diff).toMatchObject({ Type: 'Edited', ID: 'web', Fields: null, Objects: null });
    expect(group(diff)).toMatchObject({ Type: 'Edited', Fields: null, Updates: null });
    expect(group(diff).Objects).toEqual([
      {
        Type: 'Edited',
        Name: 'Update',
        Fields: [
          field('Edited', 'AutoPromote', 'false', 'true'),
          field('None', 'AutoRevert', 'true', 'true'),
          field('Edited', 'Canary', '0', '1'),
          field('None', 'HealthCheck', 'checks', 'checks'),
          field('None', 'HealthyDeadline', String(120 * s), String(120 * s)),
          field('None', 'MaxParallel', '2', '2'),
          field('None', 'MinHealthyTime', String(15 * s), String(15 * s)),
          field('None', 'ProgressDeadline', String(300 * s), String(300 * s)),
        ],
        Objects: null,
      },
    ]);
    expect(task(diff)).toEqual({
      Type: 'Edited',
      Name: 'nginx',
      Fields: null,
      Objects: [
        {
          Type: 'Edited',
          Name: 'Config',
          Fields: [field('Edited', 'image', 'nginx:1.26', 'nginx:1.27'), field('None', 'ports[0]', 'http', 'http')],
          Objects: null,
        },
      ],
      Annotations: null,
    });
    expect(jobDiff(toNomadJob(webAt(v0)), toNomadJob(webAt(v1)), false).TaskGroups![0]!.Objects![0]!.Fields!.map((f) => f.Name)).toEqual([
      'AutoPromote',
      'Canary',
    ]);
  });

  it('groups are matched by name: a new group is Added, a removed one Deleted, listed by name', () => {
    const two = nomadJob({
      ...webSpec('nginx:1.26'),
      taskGroups: [webSpec('nginx:1.26').taskGroups[0]!, { ...webSpec('nginx:1.26').taskGroups[0]!, name: 'admin' }],
    });
    expect(jobDiff(base, two).TaskGroups!.map((g) => `${g.Name} ${g.Type}`)).toEqual(['admin Added', 'frontend None']);
    expect(jobDiff(two, base).TaskGroups!.map((g) => `${g.Name} ${g.Type}`)).toEqual(['admin Deleted', 'frontend None']);
    expect(jobDiff(two, base).Type).toBe('Edited');
  });

  it('decodes into the Go client api.JobDiff', () => {
    for (const diff of [jobDiff(null, base, true), jobDiff(toNomadJob(webAt(v0)), toNomadJob(webAt(v1)), true), jobDiff(base, base)]) {
      expect(goProblems(diff, 'JobDiff')).toEqual([]);
    }
  });
});

describe("goFloat: Go's %v of a float64, as driver config numbers print", () => {
  it.each([
    [8080, '8080'],
    [1.5, '1.5'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [123456789, '1.23456789e+08'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e21, '1e+21'],
    [0, '0'],
    [-2.5, '-2.5'],
  ])('%d prints %s', (n, text) => {
    expect(goFloat(n)).toBe(text);
  });
});
