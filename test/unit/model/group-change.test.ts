import { describe, expect, it } from 'vitest';
import { canonicalJob } from '../../../src/model/defaults.ts';
import { classifyGroupChange } from '../../../src/model/group-change.ts';
import type { NomadJobSpec, TaskGroupSpec, TaskSpec } from '../../../src/model/nomad-job-spec.ts';

const redis: TaskSpec = {
  name: 'redis',
  driver: 'docker',
  config: { image: 'redis:7', ports: ['db'] },
  env: { MODE: 'cache' },
  resources: { cpu: 500, memoryMB: 256 },
};
const cache: TaskGroupSpec = {
  name: 'cache',
  count: 3,
  networks: [{ ports: [{ label: 'db', to: 6379 }] }],
  services: [{ name: 'redis', port: 'db', checks: [{ type: 'tcp', interval: '10s' }] }],
  tasks: [redis],
};
const base: NomadJobSpec = { datacenters: ['dc1'], meta: { team: 'a' }, taskGroups: [cache] };

type Edit = (spec: NomadJobSpec) => NomadJobSpec;
const group =
  (edit: Partial<TaskGroupSpec>): Edit =>
  (s) => ({ ...s, taskGroups: [{ ...s.taskGroups[0]!, ...edit }] });
const task = (edit: Partial<TaskSpec>): Edit => group({ tasks: [{ ...redis, ...edit }] });

function classify(edit: Edit) {
  return classifyGroupChange(canonicalJob('example', 'default', base), canonicalJob('example', 'default', edit(structuredClone(base))), 'cache');
}

describe('classifying a task group change (Nomad scheduler/util.go tasksUpdated)', () => {
  it('an identical version is no change', () => expect(classify((s) => s)).toEqual({ kind: 'none' }));
  it('writing out a default is no change', () => expect(classify(task({ killTimeout: '5s' }))).toEqual({ kind: 'none' }));

  it.each<[string, Edit, string]>([
    ['the image', task({ config: { image: 'redis:8', ports: ['db'] } }), 'task "redis" config changed'],
    ['an env variable', task({ env: { MODE: 'store' } }), 'task "redis" env changed'],
    ['cpu', task({ resources: { cpu: 1000, memoryMB: 256 } }), 'task "redis" resources changed'],
    ['memory', task({ resources: { cpu: 500, memoryMB: 512 } }), 'task "redis" resources changed'],
    ['the driver', task({ driver: 'podman' }), 'task "redis" driver changed'],
    ['the user', task({ user: 'nobody' }), 'task "redis" user changed'],
    [
      "job meta (combined into every task's meta)",
      (s) => ({ ...s, meta: { team: 'b' } }),
      'task "redis" meta changed (job, group and task meta reach the task)',
    ],
    ['group meta', group({ meta: { tier: 'x' } }), 'task "redis" meta changed (job, group and task meta reach the task)'],
    [
      'a task added',
      group({ tasks: [redis, { name: 'sidecar', driver: 'docker', config: { image: 'envoy' } }] }),
      'tasks changed from [redis] to [redis, sidecar]',
    ],
    ['the ephemeral disk', group({ ephemeralDisk: { sizeMB: 1024 } }), 'ephemeral disk changed from 300 MB to 1024 MB'],
    ["a port's target", group({ networks: [{ ports: [{ label: 'db', to: 6380 }] }] }), 'group network changed'],
    [
      "a check (Kubernetes cannot change a Pod's probes)",
      group({ services: [{ name: 'redis', port: 'db', checks: [{ type: 'tcp', interval: '5s' }] }] }),
      "group service checks changed (they are the Pods' readiness probes)",
    ],
    ['the service account', group({ kubernetes: { serviceAccountName: 'cache' } }), 'kubernetes.serviceAccountName changed'],
  ])('changing %s is destructive', (_what, edit, reason) => {
    const change = classify(edit);
    expect(change.kind).toBe('destructive');
    expect(change.kind !== 'none' && change.reasons).toContain(reason);
  });

  it.each<[string, Edit, string]>([
    ['the count', group({ count: 5 }), 'count changed'],
    ['the update strategy', group({ update: { maxParallel: 2 } }), 'update changed'],
    ['the restart policy', group({ restart: { attempts: 5 } }), 'restart changed'],
    ['the reschedule policy', group({ reschedule: { unlimited: false, attempts: 3 } }), 'reschedule changed'],
    ['service tags', group({ services: [{ name: 'redis', port: 'db', tags: ['v2'], checks: [{ type: 'tcp', interval: '10s' }] }] }), 'services changed'],
    ['the kill timeout', task({ killTimeout: '30s' }), 'task settings that apply when a task stops or restarts changed'],
    ['the job priority', (s) => ({ ...s, priority: 80 }), 'job priority changed'],
    ['the datacenters', (s) => ({ ...s, datacenters: ['dc1', 'dc2'] }), 'job datacenters changed'],
    ['Pod labels', group({ kubernetes: { labels: { tier: 'cache' } } }), 'Pod labels or annotations changed'],
  ])('changing %s is in-place', (_what, edit, reason) => {
    const change = classify(edit);
    expect(change.kind).toBe('in-place');
    expect(change.kind !== 'none' && change.reasons).toContain(reason);
  });

  it('a change to another group leaves this one unchanged', () => {
    const withOther: NomadJobSpec = {
      ...base,
      taskGroups: [cache, { name: 'web', tasks: [{ name: 'nginx', driver: 'docker', config: { image: 'nginx:1' } }] }],
    };
    const changed: NomadJobSpec = {
      ...withOther,
      taskGroups: [cache, { name: 'web', tasks: [{ name: 'nginx', driver: 'docker', config: { image: 'nginx:2' } }] }],
    };
    const [a, b] = [canonicalJob('j', 'd', withOther), canonicalJob('j', 'd', changed)];
    expect(classifyGroupChange(a, b, 'cache')).toEqual({ kind: 'none' });
    expect(classifyGroupChange(a, b, 'web').kind).toBe('destructive');
  });
});
