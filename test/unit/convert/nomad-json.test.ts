import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNomadJob } from '../../../src/model/validate.ts';
import { unsupportedJobFields, unsupportedTaskFields } from '../../../src/model/unsupported-fields.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import { convert, messages } from './helpers.ts';

/**
 * Nomad's own job JSON (issue 11 §4). The fixtures in test/fixtures/nomad-json are Nomad's facts:
 * the Create Job sample payload of its Jobs HTTP API page, and a service job as `nomad job
 * inspect` prints it (written by test/conformance/nomad_json_test.go from the Go client's types).
 */
const fixture = (name: string) => readFileSync(fromProjectRoot('test', 'fixtures', 'nomad-json', name), 'utf8');
const docsPayload = fixture('api-docs-create-job.json');
const inspected = fixture('job-inspect-service.json');

const validates = (manifest: { metadata: { name: string; namespace?: string }; spec: Parameters<typeof parseNomadJob>[2] } | undefined) => {
  const parsed = parseNomadJob(manifest!.metadata.name, manifest!.metadata.namespace ?? 'default', manifest!.spec);
  return parsed.ok ? [] : parsed.errors;
};

describe('the Create Job sample payload of Nomad’s Jobs API page', async () => {
  const result = await convert(docsPayload, {}, 'payload.json');

  it('converts with what it leaves out as warnings, and exits 1 for the values left out', () => {
    expect(messages(result, 'payload.json')).toEqual([
      'payload.json:34,17: warning: group "cache" task "redis": meta = {"meta":"for my service"} is ignored: Caravan has no service catalog, so nothing reads it; services become Kubernetes probes',
      `payload.json:61,17: warning: group "cache" task "redis": task network resources have been deprecated as of Nomad 0.12.0. Please configure networking via group network block. Caravan moves port "db" (to = 6379, from port_map) to the group's network`,
      'payload.json:65,19: warning: group "cache" task "redis": mbits = 10 is ignored: network bandwidth is not reserved; Nomad deprecated mbits in 0.12 and ignores it',
    ]);
    expect(result.exitCode).toBe(1);
  });

  it('moves the task’s network to the group, with port_map’s container port as the port’s to', () => {
    const group = result.manifest!.spec.taskGroups[0]!;
    expect(group.networks).toEqual([{ ports: [{ label: 'db', to: 6379 }] }]);
    expect(group.tasks[0]!.config).toEqual({ image: 'redis:3.2', ports: ['db'] });
    expect(group.tasks[0]!.services).toEqual([
      { name: 'redis-cache', port: 'db', tags: ['global', 'cache'], checks: [{ name: 'alive', type: 'tcp', interval: '10s', timeout: '2s' }] },
    ]);
  });

  it('gives a manifest that validates', () => {
    expect(validates(result.manifest)).toEqual([]);
  });
});

describe('a service job as `nomad job inspect` prints it', async () => {
  const result = await convert(inspected, {}, 'inspect.json');

  it('converts completely: every field Caravan leaves out is at the value Nomad fills in', () => {
    expect(messages(result, 'inspect.json')).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(validates(result.manifest)).toEqual([]);
  });

  it('keeps what the user wrote, and of the job-level update only what Nomad stores', () => {
    const { spec } = result.manifest!;
    expect(spec.update).toEqual({ maxParallel: 1, stagger: '30s' });
    expect(spec.taskGroups[0]!.update).toEqual({
      maxParallel: 1,
      healthCheck: 'checks',
      minHealthyTime: '2s',
      healthyDeadline: '5m',
      progressDeadline: '10m',
      autoRevert: true,
      autoPromote: true,
      canary: 1,
      stagger: '30s',
    });
    expect(spec.taskGroups[0]!.tasks[0]).toMatchObject({
      name: 'app',
      config: { image: 'nginx:1.27', ports: ['http'] },
      env: { LISTEN: ':8080' },
      resources: { cpu: 200, memoryMB: 128 },
    });
    expect(spec.taskGroups[0]!.networks).toEqual([{ ports: [{ label: 'http', to: 8080 }] }]);
  });

  it('reads the same with the keys a Nomad server writes that the Go client lacks', async () => {
    const job = (JSON.parse(inspected) as { Job: Record<string, unknown> }).Job;
    const [group] = job['TaskGroups'] as Record<string, unknown>[];
    const [task] = group!['Tasks'] as Record<string, unknown>[];
    const [service] = group!['Services'] as Record<string, unknown>[];
    // Servers before 1.10 print the (cleared) tokens; every server writes a service's namespace,
    // and the task's name into a task-level service and its checks.
    const taskService = {
      ...service,
      Name: 'app-admin',
      TaskName: 'app',
      Namespace: 'default',
      Checks: [{ ...(service!['Checks'] as object[])[0], TaskName: 'app' }],
    };
    const server = {
      ...job,
      ConsulToken: '',
      VaultToken: '',
      TaskGroups: [
        {
          ...group,
          Services: [{ ...service, Namespace: 'default', Checks: null }],
          Tasks: [{ ...task, Services: [taskService] }],
          StopAfterClientDisconnect: null,
          PreventRescheduleOnLost: false,
        },
      ],
    };
    const read = await convert(JSON.stringify({ Job: server }, null, 2), {}, 'inspect.json');
    expect(messages(read, 'inspect.json')).toEqual([]);
    const { checks } = read.manifest!.spec.taskGroups[0]!.tasks[0]!.services![0]!;
    expect(checks).toEqual([{ name: 'alive', type: 'http', path: '/health', interval: '10s', timeout: '2s' }]);
  });
});

describe('the Create Job sample payload of the current page', () => {
  it('is refused only for its node pool, which Nomad also refuses until "prod" is created', async () => {
    const result = await convert(fixture('api-docs-create-job-node-pool.json'), {}, 'payload.json');
    expect(messages(result, 'payload.json')).toEqual([`payload.json:5,5: node_pool is not supported by Caravan: ${unsupportedJobFields['nodePool']!.reason}`]);
    expect(result.exitCode).toBe(1);
  });
});

/** A minimal API job with `extra` merged into the job, its group "web" or its task "app". */
const apiJob = (extra: { job?: object; group?: object; task?: object; service?: object; network?: object }) =>
  JSON.stringify({
    Job: {
      ID: 'web',
      TaskGroups: [
        {
          Name: 'web',
          Networks: [{ DynamicPorts: [{ Label: 'http', To: 8080 }], ...extra.network }],
          Services: [{ Name: 'web', PortLabel: 'http', ...extra.service }],
          Tasks: [{ Name: 'app', Driver: 'docker', Config: { image: 'nginx' }, ...extra.task }],
          ...extra.group,
        },
      ],
      ...extra.job,
    },
  });

describe('fields Nomad fills in, or that do nothing on Kubernetes', () => {
  it.each([
    ['the logs Nomad gives every task', { task: { LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false, Enabled: null } } }],
    [
      'the migrate block Nomad gives every service group',
      { group: { Migrate: { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10e9, HealthyDeadline: 300e9 } } },
    ],
    ['the default workload identity', { task: { Identity: { Name: 'default', Audience: ['nomadproject.io'], Env: false, File: false, TTL: 0 } } }],
    ['a consul block at its defaults', { group: { Consul: { Namespace: '', Cluster: 'default', Partition: '' } } }],
    ['a disconnect block at its defaults', { group: { Disconnect: { LostAfter: 0, Replace: true, Reconcile: 'best_score', StopOnClientAfter: null } } }],
    [
      'an empty job consul and vault namespace, tokens and all_at_once',
      { job: { ConsulNamespace: '', VaultNamespace: '', ConsulToken: '', VaultToken: '', AllAtOnce: false, Multiregion: null, UI: null } },
    ],
    [
      'null or empty blocks',
      {
        job: { Affinities: [], Spreads: [], Constraints: [], Migrate: null },
        task: { DispatchPayload: null, Templates: [], Artifacts: null, Vault: null, Identities: null },
      },
    ],
    [
      'the zero MBits, IOPS and the no-NUMA of an older server',
      { network: { MBits: 0 }, task: { Resources: { CPU: 100, MemoryMB: 300, IOPS: 0, DiskMB: 0, NUMA: { Affinity: 'none' } } } },
    ],
    [
      'a service’s defaults',
      { service: { AddressMode: 'auto', OnUpdate: 'require_healthy', Cluster: 'default', Provider: 'consul', Weights: { Passing: 1, Warning: 1 }, Meta: {} } },
    ],
  ])('take %s without a word', async (_what, extra) => {
    const result = await convert(apiJob(extra), {}, 'job.json');
    expect(messages(result, 'job.json')).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it.each([
    ['logs', { task: { LogConfig: { MaxFiles: 3 } } }, 'group "web" task "app": logs is ignored: logs are kept by Kubernetes; the logs block has no effect'],
    [
      'a migrate block',
      { group: { Migrate: { MaxParallel: 2 } } },
      'group "web": migrate is ignored: node drains are handled by Kubernetes (PodDisruptionBudgets), not a migrate block',
    ],
    [
      'a job-level migrate block',
      { job: { Migrate: { MinHealthyTime: 30e9 } } },
      'migrate is ignored: node drains are handled by Kubernetes (PodDisruptionBudgets), not a migrate block',
    ],
    ['all_at_once', { job: { AllAtOnce: true } }, 'all_at_once = true is ignored: placements are made by kube-scheduler; all_at_once has no meaning here'],
    [
      'a UI block',
      { job: { UI: { Description: 'the shop' } } },
      'ui = {"Description":"the shop"} is ignored: it describes the job in Nomad’s web UI, which Caravan does not serve',
    ],
    [
      'a Consul namespace',
      { job: { ConsulNamespace: 'shop' } },
      'consul_namespace = "shop" is ignored: Consul integration is not available; services become Kubernetes probes',
    ],
    [
      'a deprecated disconnect field',
      { group: { MaxClientDisconnect: 3600e9 } },
      'group "web": max_client_disconnect = "1h" is ignored: Nomad itself ignores it since 1.10; use disconnect.lost_after',
    ],
    [
      'mbits',
      { network: { MBits: 100 } },
      'group "web": mbits = 100 is ignored: network bandwidth is not reserved; Nomad deprecated mbits in 0.12 and ignores it',
    ],
    [
      'iops',
      { task: { Resources: { IOPS: 50 } } },
      'group "web" task "app": iops = 50 is ignored: IOPS are not reserved; Nomad deprecated iops in 0.9 and ignores it',
    ],
    [
      'canary tags',
      { service: { CanaryTags: ['canary'] } },
      'group "web": canary_tags = ["canary"] is ignored: Caravan has no service catalog, so nothing reads it; services become Kubernetes probes',
    ],
    [
      'check notes',
      { service: { Checks: [{ Type: 'tcp', Notes: 'see the runbook' }] } },
      'group "web": notes = "see the runbook" is ignored: Caravan has no service catalog, so nothing reads it; services become Kubernetes probes',
    ],
  ])('leave out %s with a warning, and exit 1', async (_what, extra, message) => {
    const result = await convert(apiJob(extra), {}, 'job.json');
    expect(messages(result, 'job.json')).toEqual([
      expect.stringMatching(new RegExp(`^job\\.json:\\d+,\\d+: warning: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)),
    ]);
    expect(result.exitCode).toBe(1);
  });

  it.each([
    [
      'an identity the task reads',
      { task: { Identity: { Name: 'default', Env: true } } },
      `identity is not supported by Caravan: ${unsupportedTaskFields['identity']!.reason}`,
    ],
    [
      'another Consul cluster',
      { group: { Consul: { Cluster: 'eu' } } },
      'consul is not supported by Caravan: Consul integration is not available; services become Kubernetes probes',
    ],
    [
      'a disconnect rule',
      { group: { Disconnect: { LostAfter: 60e9, Replace: true } } },
      'disconnect is not supported by Caravan: client disconnect handling is Kubernetes’ node lifecycle',
    ],
    ['a node pool', { job: { NodePool: 'gpu' } }, `node_pool is not supported by Caravan: ${unsupportedJobFields['nodePool']!.reason}`],
    [
      'checks that ignore warnings',
      { service: { OnUpdate: 'ignore_warnings' } },
      'on_update is not supported by Caravan: Caravan has no service catalog: services become Kubernetes probes, which have no equivalent',
    ],
  ])('still refuse %s, which would change how the job runs', async (_what, extra, message) => {
    const result = await convert(apiJob(extra), {}, 'job.json');
    expect(messages(result, 'job.json')).toEqual([
      expect.stringMatching(new RegExp(`^job\\.json:\\d+,\\d+: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)),
    ]);
    expect(result.exitCode).toBe(1);
  });

  it.each([
    ['a batch job’s, all zeros, as no update block', 'batch', { Stagger: 0, MaxParallel: 0 }, undefined],
    ['a service job’s as its stagger and max_parallel', 'service', { Stagger: 30e9, MaxParallel: 2 }, { maxParallel: 2, stagger: '30s' }],
  ])('reads the job-level update Nomad stores, %s', async (_what, type, kept, update) => {
    const stored = { ...kept, HealthCheck: '', MinHealthyTime: 0, HealthyDeadline: 0, ProgressDeadline: 0, AutoRevert: false, AutoPromote: false, Canary: 0 };
    const result = await convert(apiJob({ job: { Type: type, Update: stored } }), {}, 'job.json');
    expect(messages(result, 'job.json')).toEqual([]);
    expect(result.manifest!.spec.update).toEqual(update);
  });
});

describe('the same rules in a job file', () => {
  const hcl = (group: string, task: string) => `job "web" {
  group "web" {
${group}
    task "app" {
      driver = "docker"
      config {
        image    = "redis:7"
        port_map {
          db = 6379
        }
      }
${task}
    }
  }
}
`;

  it('takes blocks at Nomad’s defaults without a word', async () => {
    const result = await convert(
      hcl(
        '    migrate {\n      max_parallel = 1\n      min_healthy_time = "10s"\n    }',
        '      logs {\n        max_files = 10\n      }\n      identity {\n        aud = ["nomadproject.io"]\n      }',
      ),
    );
    expect(messages(result)).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('moves a task’s network block to the group, and leaves out its mbits with a warning', async () => {
    const result = await convert(hcl('', '      resources {\n        network {\n          mbits = 10\n          port "db" {}\n        }\n      }'));
    expect(messages(result)).toEqual([
      `job.nomad.hcl:13,9: warning: group "web" task "app": task network resources have been deprecated as of Nomad 0.12.0. Please configure networking via group network block. Caravan moves port "db" (to = 6379, from port_map) to the group's network`,
      'job.nomad.hcl:14,11: warning: group "web" task "app": mbits = 10 is ignored: network bandwidth is not reserved; Nomad deprecated mbits in 0.12 and ignores it',
    ]);
    expect(result.manifest!.spec.taskGroups[0]!.networks).toEqual([{ ports: [{ label: 'db', to: 6379 }] }]);
    expect(result.manifest!.spec.taskGroups[0]!.tasks[0]!.config).toEqual({ image: 'redis:7', ports: ['db'] });
  });
});
