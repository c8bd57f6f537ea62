import { describe, expect, it } from 'vitest';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import { parseNomadJob } from '../../../src/model/validate.ts';
import { exampleSpec } from './fixtures.ts';

function errorsOf(spec: NomadJobSpec, name = 'example') {
  const parsed = parseNomadJob(name, 'default', spec);
  return parsed.ok ? [] : parsed.errors;
}

const redis = { name: 'redis', driver: 'docker', config: { image: 'redis:7' } };

describe('a valid job', () => {
  it("Nomad's example job parses, with no warnings", () => {
    const parsed = parseNomadJob('example', 'default', exampleSpec());
    expect(parsed).toMatchObject({ ok: true, warnings: [] });
  });
});

describe("Nomad's validation messages", () => {
  it.each<{ rule: string; spec: NomadJobSpec; path: string; message: string }>([
    { rule: 'no task groups', spec: { taskGroups: [] }, path: 'spec.taskGroups', message: 'Missing job task groups' },
    { rule: 'bad job type', spec: exampleSpec({ type: 'web' as never }), path: 'spec.type', message: 'Invalid job type: "web"' },
    { rule: 'priority out of range', spec: exampleSpec({ priority: 101 }), path: 'spec.priority', message: 'job priority must be between [1, 100]' },
    {
      rule: 'update block on a batch job',
      spec: exampleSpec({ type: 'batch', update: { maxParallel: 1 } }),
      path: 'spec.update',
      message: 'Job type "batch" does not allow update block',
    },
    {
      rule: 'a group name used twice',
      spec: {
        taskGroups: [
          { name: 'cache', tasks: [redis] },
          { name: 'cache', tasks: [redis] },
        ],
      },
      path: 'spec.taskGroups[1].name',
      message: "Job task group 2 redefines 'cache' from group 1",
    },
    { rule: 'negative count', spec: exampleSpec({}, { count: -1 }), path: 'spec.taskGroups[0].count', message: "Task group count can't be negative" },
    {
      rule: 'negative max_parallel',
      spec: exampleSpec({}, { update: { maxParallel: -1 } }),
      path: 'spec.taskGroups[0].update',
      message: 'Max parallel can not be less than zero: -1 < 0',
    },
    {
      rule: 'negative canary',
      spec: exampleSpec({}, { update: { canary: -2 } }),
      path: 'spec.taskGroups[0].update',
      message: 'Canary count can not be less than zero: -2 < 0',
    },
    {
      rule: 'auto_promote without canaries',
      spec: exampleSpec({ update: { autoPromote: true } }),
      path: 'spec.taskGroups[0].update',
      message: 'Auto Promote requires a Canary count greater than zero',
    },
    {
      rule: 'min_healthy_time not below healthy_deadline',
      spec: exampleSpec({}, { update: { minHealthyTime: '5m', healthyDeadline: '5m' } }),
      path: 'spec.taskGroups[0].update',
      message: 'Minimum healthy time must be less than healthy deadline: 5m0s > 5m0s',
    },
    {
      rule: 'healthy_deadline not below progress_deadline',
      spec: exampleSpec({ update: { healthyDeadline: '10m' } }),
      path: 'spec.taskGroups[0].update',
      message: 'Healthy deadline must be less than progress deadline: 10m0s > 10m0s',
    },
    {
      rule: 'zero healthy_deadline',
      spec: exampleSpec({}, { update: { healthyDeadline: '0', minHealthyTime: '0' } }),
      path: 'spec.taskGroups[0].update',
      message: 'Healthy deadline must be greater than zero: 0s',
    },
    {
      rule: 'zero stagger',
      spec: exampleSpec({}, { update: { stagger: '0' } }),
      path: 'spec.taskGroups[0].update',
      message: 'Stagger must be greater than zero: 0s',
    },
    {
      rule: 'too many allocations',
      spec: exampleSpec({}, { count: 50_001 }),
      path: 'spec.taskGroups',
      message: 'total count was greater than configured job_max_count: 50001 > 50000',
    },
    {
      rule: 'periodic on a service job',
      spec: exampleSpec({ periodic: { crons: ['@daily'] } }),
      path: 'spec.periodic',
      message: 'Periodic can only be used with "batch" or "sysbatch" scheduler',
    },
    { rule: 'a group without tasks', spec: exampleSpec({}, { tasks: [] }), path: 'spec.taskGroups[0].tasks', message: 'Missing tasks for task group "cache"' },
    {
      rule: 'a task name used twice',
      spec: exampleSpec({}, { tasks: [redis, redis] }),
      path: 'spec.taskGroups[0].tasks[1].name',
      message: "Task 2 redefines 'redis' from task 1",
    },
    {
      rule: 'too little memory',
      spec: exampleSpec({}, { tasks: [{ ...redis, resources: { memoryMB: 5 } }] }),
      path: 'spec.taskGroups[0].tasks[0].resources.memoryMB',
      message: 'minimum MemoryMB value is 10; got 5',
    },
    {
      rule: 'memory_max below memory',
      spec: exampleSpec({}, { tasks: [{ ...redis, resources: { memoryMB: 512, memoryMaxMB: 256 } }] }),
      path: 'spec.taskGroups[0].tasks[0].resources.memoryMaxMB',
      message: 'MemoryMaxMB value (256) should be larger than MemoryMB value (512)',
    },
  ])('$rule: $message', ({ spec, path, message }) => {
    expect(errorsOf(spec)).toContainEqual({ path, message });
  });

  it.each<{ rule: string; spec: NomadJobSpec; path: string; message: string }>([
    {
      rule: 'system count above 1',
      spec: exampleSpec({ type: 'system' }, { count: 2 }),
      path: 'spec.taskGroups[0].count',
      message: 'Job task group cache has count 2. Count cannot exceed 1 with system scheduler',
    },
    {
      rule: 'system job affinity',
      spec: exampleSpec({ type: 'system', affinities: [{ attribute: '${node.datacenter}', value: 'dc1' }] }),
      path: 'spec.affinities',
      message: 'System jobs may not have an affinity block',
    },
    {
      rule: 'system group affinity',
      spec: exampleSpec({ type: 'system' }, { affinities: [{ attribute: '${node.datacenter}', value: 'dc1' }] }),
      path: 'spec.taskGroups[0].affinities',
      message: 'System jobs may not have an affinity block',
    },
    {
      rule: 'system job spread',
      spec: exampleSpec({ type: 'system', spreads: [{ attribute: '${node.datacenter}' }] }),
      path: 'spec.spreads',
      message: 'System jobs may not have a spread block',
    },
    {
      rule: 'system group reschedule',
      spec: exampleSpec({ type: 'system' }, { reschedule: { attempts: 1 } }),
      path: 'spec.taskGroups[0].reschedule',
      message: 'System or sysbatch jobs should not have a reschedule policy',
    },
    {
      rule: 'sysbatch group reschedule',
      spec: exampleSpec({ type: 'sysbatch' }, { reschedule: { attempts: 1 } }),
      path: 'spec.taskGroups[0].reschedule',
      message: 'System or sysbatch jobs should not have a reschedule policy',
    },
    {
      rule: 'sysbatch update block',
      spec: exampleSpec({ type: 'sysbatch', update: { maxParallel: 1 } }),
      path: 'spec.update',
      message: 'Job type "sysbatch" does not allow update block',
    },
  ])('system and sysbatch (§7.1), $rule: $message', ({ spec, path, message }) => {
    expect(errorsOf(spec)).toContainEqual({ path, message });
  });

  it.each(['regexp', 'version', 'semver', 'set_contains', '>=', '<='])(
    'a system job takes the %s operator: Caravan checks constraints per node itself',
    (operator) => {
      const spec = exampleSpec({ type: 'system', constraints: [{ attribute: '${meta.rack}', operator, value: '1' }] }, { count: 1 });
      expect(errorsOf(spec).filter((e) => e.path.includes('constraints'))).toEqual([]);
    },
  );

  it('max_parallel 0 still has its strategy validated, as Nomad does', () => {
    expect(errorsOf(exampleSpec({}, { update: { maxParallel: 0, canary: -1 } }))).toContainEqual({
      path: 'spec.taskGroups[0].update',
      message: 'Canary count can not be less than zero: -1 < 0',
    });
  });
});

describe('what Caravan cannot run is refused by name', () => {
  it.each<{ what: string; spec: NomadJobSpec; path: string; message: RegExp }>([
    {
      what: 'an exec task',
      spec: exampleSpec({}, { tasks: [{ name: 'x', driver: 'exec', config: { command: '/bin/true' } }] }),
      path: 'spec.taskGroups[0].tasks[0].driver',
      message: /^driver "exec" cannot run on Caravan: .*docker, podman, containerd$/,
    },
    {
      what: 'raw_exec',
      spec: exampleSpec({}, { tasks: [{ name: 'x', driver: 'raw_exec' }] }),
      path: 'spec.taskGroups[0].tasks[0].driver',
      message: /^driver "raw_exec" cannot run on Caravan/,
    },
    {
      what: 'a docker task without an image',
      spec: exampleSpec({}, { tasks: [{ name: 'x', driver: 'docker', config: {} }] }),
      path: 'spec.taskGroups[0].tasks[0].config.image',
      message: /needs config.image/,
    },
    {
      what: 'artifacts',
      spec: exampleSpec({}, { tasks: [{ ...redis, artifacts: [{ source: 'https://x' }] }] }),
      path: 'spec.taskGroups[0].tasks[0].artifacts',
      message: /^artifacts is not supported by Caravan: /,
    },
    {
      what: 'vault on a task',
      spec: exampleSpec({}, { tasks: [{ ...redis, vault: { policies: ['x'] } }] }),
      path: 'spec.taskGroups[0].tasks[0].vault',
      message: /^vault is not supported by Caravan: /,
    },
    {
      what: 'templates',
      spec: exampleSpec({}, { tasks: [{ ...redis, templates: [] }] }),
      path: 'spec.taskGroups[0].tasks[0].templates',
      message: /^templates is not supported by Caravan: /,
    },
    { what: 'group volumes', spec: exampleSpec({}, { volumes: {} }), path: 'spec.taskGroups[0].volumes', message: /^volumes is not supported by Caravan: / },
    { what: 'multiregion', spec: exampleSpec({ multiregion: {} }), path: 'spec.multiregion', message: /^multiregion is not supported by Caravan: / },
    {
      what: 'a port label no network defines',
      spec: exampleSpec({}, { tasks: [{ ...redis, config: { image: 'redis', ports: ['db'] } }] }),
      path: 'spec.taskGroups[0].tasks[0].config.ports',
      message: /port "db" is not defined/,
    },
    {
      what: 'an http check without a path',
      spec: exampleSpec({}, { networks: [{ ports: [{ label: 'http', to: 80 }] }], services: [{ port: 'http', checks: [{ type: 'http' }] }] }),
      path: 'spec.taskGroups[0].services[0].checks[0].path',
      message: /an http check needs a path/,
    },
    { what: 'a job name that cannot name Pods', spec: exampleSpec(), path: 'metadata.name', message: /must be a DNS label/ },
  ])('$what', ({ what, spec, path, message }) => {
    const errors = errorsOf(spec, what === 'a job name that cannot name Pods' ? 'Example_Job' : 'example');
    expect(errors.find((e) => e.path === path)?.message).toMatch(message);
  });
});

describe('warnings', () => {
  it('max_parallel above a count above 1', () => {
    const parsed = parseNomadJob('example', 'default', exampleSpec({}, { count: 3, update: { maxParallel: 5 } }));
    expect(parsed.warnings).toEqual([
      'Update max parallel count is greater than task group count (5 > 3). A destructive change would result in the simultaneous replacement of all allocations.',
    ]);
  });

  it('auto_promote on some canary groups but not all', () => {
    const task = { name: 't', driver: 'docker', config: { image: 'x' } };
    const spec: NomadJobSpec = {
      taskGroups: [
        { name: 'a', tasks: [task], update: { canary: 1, autoPromote: true } },
        { name: 'b', tasks: [task], update: { canary: 1 } },
      ],
    };
    expect(parseNomadJob('example', 'default', spec).warnings).toContain('auto_promote must be true for all groups to enable automatic promotion');
  });
});

describe('what kube-scheduler and Pods cannot express is refused', () => {
  it.each<{ what: string; spec: NomadJobSpec; path: string; message: RegExp }>([
    {
      what: 'a regexp constraint',
      spec: exampleSpec({ constraints: [{ attribute: '${meta.rack}', operator: 'regexp', value: 'r[0-9]' }] }),
      path: 'spec.constraints[0]',
      message: /operator "regexp" cannot be expressed as a Kubernetes node affinity/,
    },
    {
      what: 'an attribute with no node label',
      spec: exampleSpec({}, { constraints: [{ attribute: '${attr.unique.storage.volume}', value: 'x' }] }),
      path: 'spec.taskGroups[0].constraints[0]',
      message: /has no Kubernetes node label/,
    },
    {
      what: 'a datacenter pattern',
      spec: exampleSpec({ datacenters: ['us-*'] }),
      path: 'spec.datacenters',
      message: /datacenter pattern "us-\*" cannot select nodes/,
    },
    {
      what: 'a poststop task',
      spec: exampleSpec({}, { tasks: [redis, { ...redis, name: 'cleanup', lifecycle: { hook: 'poststop' } }] }),
      path: 'spec.taskGroups[0].tasks[1].lifecycle.hook',
      message: /"poststop" cannot run on Kubernetes/,
    },
    {
      what: 'a user name',
      spec: exampleSpec({}, { tasks: [{ ...redis, user: 'nobody' }] }),
      path: 'spec.taskGroups[0].tasks[0].user',
      message: /must be a numeric UID/,
    },
    {
      what: 'only prestart tasks',
      spec: exampleSpec({}, { tasks: [{ ...redis, lifecycle: { hook: 'prestart' } }] }),
      path: 'spec.taskGroups[0].tasks',
      message: /needs a main task/,
    },
  ])('$what', ({ spec, path, message }) => {
    expect(errorsOf(spec).find((e) => e.path === path)?.message).toMatch(message);
  });

  it('warns that only the first of several checks on one task decides its health', () => {
    const spec = exampleSpec(
      {},
      {
        networks: [{ ports: [{ label: 'db', to: 6379 }] }],
        services: [
          {
            port: 'db',
            checks: [
              { name: 'ping', type: 'tcp' },
              { name: 'info', type: 'script', command: 'redis-cli' },
            ],
          },
        ],
        tasks: [{ ...redis, config: { image: 'redis', ports: ['db'] } }],
      },
    );
    expect(parseNomadJob('example', 'default', spec).warnings).toContain(
      'task "redis" in group "cache" has 2 checks; Kubernetes runs one readiness probe per container, so only the first ("ping") decides its health',
    );
  });
});
