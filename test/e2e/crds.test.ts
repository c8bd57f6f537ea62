import { CustomObjectsApi } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertNomadJob } from '../../src/convert/convert.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../../src/project.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { clusterClients, freshNamespace } from './kube.ts';
import { rawGet } from './raw.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };

const examples = readdirSync(fromProjectRoot('examples'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => loadAll(readFileSync(fromProjectRoot('examples', f), 'utf8')) as NomadJob[])
  .filter((doc) => doc.kind === 'NomadJob');

function job(name: string, spec: NomadJobSpec): NomadJob {
  return { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec };
}

const redis = { name: 'redis', driver: 'docker', config: { image: 'redis:7' } };
const minimal = (extra: Partial<NomadJobSpec> = {}, group: Record<string, unknown> = {}): NomadJobSpec => ({
  taskGroups: [{ name: 'cache', tasks: [redis], ...group }],
  ...extra,
});

/** What the API server answers to a create: the created object, or its error message. */
async function create(namespace: string, body: NomadJob): Promise<{ created?: NomadJob; refused?: string }> {
  try {
    return { created: (await custom.createNamespacedCustomObject({ ...nj, namespace, body })) as NomadJob };
  } catch (error) {
    const e = error as { code?: number; body?: string };
    if (e.code !== 422) throw error;
    return { refused: (JSON.parse(e.body ?? '{}') as { message?: string }).message ?? String(e.body) };
  }
}

describe('NomadJob CRD on the real API server', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await freshNamespace(core, 'crds');
  });

  it.each(examples.map((e) => [e.metadata.name, e] as const))('example %s is accepted and reads back as written, plus defaults', async (_name, example) => {
    const { created, refused } = await create(namespace, example);
    expect(refused).toBeUndefined();
    expect(created!.spec).toMatchObject(example.spec as object);
  });

  it.each(readdirSync(fromProjectRoot('examples', 'nomad')))('caravan convert examples/nomad/%s gives a NomadJob the API server accepts', async (file) => {
    const converted = await convertNomadJob({ filename: file, source: readFileSync(fromProjectRoot('examples', 'nomad', file), 'utf8') });
    expect(converted.exitCode).toBe(0);
    const jobs = await freshNamespace(core, 'converted');
    const { created, refused } = await create(jobs, converted.manifest!);
    expect(refused).toBeUndefined();
    expect(created!.spec).toMatchObject(converted.manifest!.spec as object);
  });

  it("fills in Nomad's defaults on a minimal job", async () => {
    const { created } = await create(namespace, job('minimal', minimal({ update: { canary: 1 } })));
    expect(created!.spec).toMatchObject({
      type: 'service',
      priority: 50,
      datacenters: ['*'],
      update: {
        maxParallel: 1,
        healthCheck: 'checks',
        minHealthyTime: '10s',
        healthyDeadline: '5m',
        progressDeadline: '10m',
        autoRevert: false,
        autoPromote: false,
        canary: 1,
        stagger: '30s',
      },
      taskGroups: [{ name: 'cache', count: 1, tasks: [{ name: 'redis', killTimeout: '5s', resources: { cpu: 100, memoryMB: 300 } }] }],
    });
    // Group-level update fields are not defaulted: Nomad overlays only what a group sets.
    const { created: withGroupUpdate } = await create(namespace, job('group-update', minimal({}, { update: { canary: 2 } })));
    expect(withGroupUpdate!.spec.taskGroups[0]!.update).toEqual({ canary: 2 });
  });

  it.each<{ what: string; spec: NomadJobSpec; name?: string; message: string }>([
    {
      what: 'an exec driver',
      spec: minimal({}, { tasks: [{ name: 'x', driver: 'exec', config: { image: 'x' } }] }),
      message: 'spec.taskGroups[0].tasks[0].driver: Invalid value: "object": driver "exec" cannot run on Caravan',
    },
    {
      what: 'vault',
      spec: minimal({}, { tasks: [{ ...redis, vault: { policies: ['db'] } }] }),
      message: 'spec.taskGroups[0].tasks[0].vault: Forbidden: vault is not supported by Caravan',
    },
    {
      what: 'artifacts',
      spec: minimal({}, { tasks: [{ ...redis, artifacts: [{ source: 'https://example.com/x.tgz' }] }] }),
      message: 'artifacts is not supported by Caravan',
    },
    {
      what: 'group volumes',
      spec: minimal({}, { volumes: { data: { type: 'host' } } }),
      message: 'spec.taskGroups[0].volumes: Forbidden: volumes is not supported by Caravan',
    },
    {
      what: 'an update block on a batch job',
      spec: minimal({ type: 'batch', update: { maxParallel: 1 } }),
      message: 'Job type "batch" does not allow update block',
    },
    {
      what: 'min_healthy_time not below healthy_deadline',
      spec: minimal({ update: { minHealthyTime: '6m' } }),
      message: 'Minimum healthy time must be less than healthy deadline: 6m > 5m',
    },
    {
      what: 'healthy_deadline not below progress_deadline',
      spec: minimal({}, { update: { healthyDeadline: '10m', progressDeadline: '10m' } }),
      message: 'Healthy deadline must be less than progress deadline: 10m > 10m',
    },
    {
      what: 'auto_promote without canaries',
      spec: minimal({ update: { autoPromote: true } }),
      message: 'Auto Promote requires a Canary count greater than zero',
    },
    {
      what: 'a malformed duration',
      spec: minimal({ update: { minHealthyTime: '10 seconds' } }),
      message: 'spec.update.minHealthyTime: Invalid value: "10 seconds": spec.update.minHealthyTime in body should match',
    },
    {
      what: 'a group name used twice',
      spec: {
        taskGroups: [
          { name: 'cache', tasks: [redis] },
          { name: 'cache', tasks: [redis] },
        ],
      },
      message: 'spec.taskGroups[1]: Duplicate value',
    },
    {
      what: 'a system job with count 2',
      spec: minimal({ type: 'system' }, { count: 2 }),
      message: 'Count cannot exceed 1 with system scheduler',
    },
    {
      what: 'a docker task without an image',
      spec: minimal({}, { tasks: [{ name: 'redis', driver: 'docker', config: {} }] }),
      message: 'task "redis" needs config.image',
    },
    { what: 'no task groups', spec: { taskGroups: [] }, message: 'spec.taskGroups: Invalid value: 0: spec.taskGroups in body should have at least 1 items' },
    {
      what: 'periodic on a service job',
      spec: minimal({ periodic: { crons: ['@daily'] } }),
      message: 'Periodic can only be used with "batch" or "sysbatch" scheduler',
    },
    { what: 'a name too long for Pod labels', name: 'n'.repeat(64), spec: minimal(), message: "a NomadJob's name is used in its Pods' names and labels" },
  ])('refuses $what with a readable message', async ({ spec, name, message }) => {
    const { created, refused } = await create(namespace, job(name ?? 'refused', spec));
    expect(created).toBeUndefined();
    expect(refused).toContain(message);
  });

  it('publishes descriptions for kubectl explain', async () => {
    const doc = (await rawGet(kc, '/openapi/v3/apis/caravan.dev/v1alpha1')) as {
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    };
    const schema = Object.entries(doc.components.schemas).find(([key]) => key === 'dev.caravan.v1alpha1.NomadJob')![1];
    expect(schema.properties['spec']!.description).toContain('Owned by the user');
  });

  it('serves printer columns that read like nomad job status', async () => {
    const table = (await rawGet(kc, `/apis/caravan.dev/v1alpha1/namespaces/${namespace}/nomadjobs`, 'application/json;as=Table;v=v1;g=meta.k8s.io')) as {
      columnDefinitions: { name: string }[];
    };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Type',
      'Status',
      'Version',
      'Stable',
      'Desired',
      'Running',
      'Deployment',
      'Next Launch',
      'Age',
    ]);
  });
});

describe('NomadDeployment CRD', () => {
  it('keeps job and jobVersion immutable and a failed deployment failed', async () => {
    const namespace = await freshNamespace(core, 'nd');
    const nd = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments', namespace };
    await custom.createNamespacedCustomObject({
      ...nd,
      body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadDeployment', metadata: { name: 'web-1' }, spec: { job: 'web', jobVersion: 1, failed: true } },
    });
    const patch = (spec: object) =>
      custom.patchNamespacedCustomObject({ ...nd, name: 'web-1', body: [{ op: 'replace', path: '/spec', value: spec }] }).then(
        () => 'accepted',
        (e: { body?: string }) => (JSON.parse(e.body ?? '{}') as { message: string }).message,
      );
    expect(await patch({ job: 'web', jobVersion: 2, failed: true })).toContain('jobVersion is immutable');
    expect(await patch({ job: 'web', jobVersion: 1, failed: false })).toContain('a deployment marked failed cannot be un-failed');
    expect(await patch({ job: 'web', jobVersion: 1, failed: true, paused: true })).toBe('accepted');
  });
});
