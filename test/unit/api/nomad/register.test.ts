import { loadAll } from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toNomadJob } from '../../../../src/api/nomad/job.ts';
import { checkAndSetError, formatWarnings, fromNomadJob, multierror } from '../../../../src/api/nomad/register.ts';
import { sameNomadJob, withCaravanExtensions } from '../../../../src/api/nomad/resubmission.ts';
import { convertNomadJob } from '../../../../src/convert/convert.ts';
import { canonicalJob } from '../../../../src/model/defaults.ts';
import type { NomadJobSpec } from '../../../../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../../../../src/project.ts';
import type { NomadJob } from '../../../../src/resources/nomad-job.ts';
import { v1, webAt, webJob, webSpec } from './fixtures.ts';

const exampleJson = readFileSync(fromProjectRoot('examples', 'nomad', 'example.json'), 'utf8');
/** The job the Go client sends for examples/nomad/example.nomad.hcl (`nomad job run -output`). */
const example = JSON.parse(exampleJson) as { Job: Record<string, unknown> };
const withJob = (job: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ Job: { ...example.Job, ...job }, ...rest });

describe('fromNomadJob: a register request as a NomadJob', () => {
  it("reads the Go client's job as `caravan convert` reads the same JSON", async () => {
    const result = fromNomadJob(example);
    const converted = await convertNomadJob({ filename: 'example.json', source: exampleJson });
    expect(result).toMatchObject({ ok: true, name: 'example', namespace: 'default', warnings: [] });
    expect(result.ok && result.spec).toEqual(converted.manifest!.spec);
  });

  it.each([
    ['no body', undefined, {}, 'Job must be specified'],
    ['no Job', { EnforceIndex: true }, {}, 'Job must be specified'],
    ['a null Job', { Job: null }, {}, 'Job must be specified'],
    ['no ID', withJob({ ID: undefined }), {}, "Job ID hasn't been provided"],
    ['an empty ID', withJob({ ID: '' }), {}, "Job ID hasn't been provided"],
    ['an ID other than the path', example, { pathJobId: 'other' }, 'Job ID does not match name'],
    ['an eval priority above 100', { ...example, EvalPriority: 101 }, {}, 'Eval priority must be between 1 and 100 inclusively'],
  ])('answers 400 to %s', (_what, body, context, error) => {
    expect(fromNomadJob(body, context)).toEqual({ ok: false, status: 400, error });
  });

  it.each([
    ['the query parameter first', { queryNamespace: 'team-a' }, { Namespace: 'team-b' }, { Namespace: 'team-c' }, 'team-a'],
    ["then the request's Namespace", {}, { Namespace: 'team-b' }, { Namespace: 'team-c' }, 'team-b'],
    ["then the job's", {}, {}, { Namespace: 'team-c' }, 'team-c'],
    ['then default', {}, {}, {}, 'default'],
  ])('takes the namespace from %s', (_rule, context, request, job, namespace) => {
    expect(fromNomadJob(withJob(job, request), context)).toMatchObject({ ok: true, namespace });
  });

  it('reads the request options for the HTTP layer', () => {
    const result = fromNomadJob({ ...example, EnforceIndex: true, JobModifyIndex: 1402, PreserveCounts: true, EvalPriority: 70 });
    expect(result.ok && result.options).toEqual({
      enforceIndex: true,
      jobModifyIndex: 1402,
      preserveCounts: true,
      preserveResources: false,
      policyOverride: false,
      evalPriority: 70,
    });
  });

  it("refuses what Caravan cannot run with a 500 and Nomad's error list, naming the field", () => {
    const [group] = example.Job['TaskGroups'] as Record<string, unknown>[];
    const [task] = group!['Tasks'] as Record<string, unknown>[];
    const result = fromNomadJob(withJob({ TaskGroups: [{ ...group, Tasks: [{ ...task, Vault: { Policies: ['db'] } }] }] }));
    expect(result).toEqual({
      ok: false,
      status: 500,
      error: multierror(['vault is not supported by Caravan: Vault integration is not available; mount secrets from Kubernetes Secrets']),
    });
  });

  it('nests validation errors under their group and task, as Nomad does', () => {
    const [group] = example.Job['TaskGroups'] as Record<string, unknown>[];
    const result = fromNomadJob(withJob({ TaskGroups: [{ ...group, Update: { MinHealthyTime: 360e9, HealthyDeadline: 300e9 } }] }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBe(
      '1 error occurred:\n\t* Task group cache validation failed: 1 error occurred:\n\t* Minimum healthy time must be less than healthy deadline: 6m0s > 5m0s (update)\n\n\n\n',
    );
  });

  it.each([
    ['no task groups', withJob({ TaskGroups: null }), 'Missing job task groups'],
    ['a job ID Kubernetes cannot name', withJob({ ID: 'My Job', Name: 'My Job' }), "cannot be the NomadJob's metadata.name"],
    ['a namespace Kubernetes cannot name', withJob({ Namespace: 'Team_A' }), 'cannot be a Kubernetes namespace'],
  ])('refuses %s', (_what, body, message) => {
    const result = fromNomadJob(body);
    expect(result).toMatchObject({ ok: false, status: 500 });
    expect(!result.ok && result.error).toContain(message);
  });

  it("returns Caravan's warnings for the response's Warnings", () => {
    const [group] = example.Job['TaskGroups'] as Record<string, unknown>[];
    const result = fromNomadJob(withJob({ TaskGroups: [{ ...group, Count: 2, Update: { MaxParallel: 3 } }] }));
    expect(result.ok && result.warnings).toEqual([
      'Update max parallel count is greater than task group count (3 > 2). A destructive change would result in the simultaneous replacement of all allocations.',
    ]);
  });
});

/** Nomad's own job JSON (issue 11 §4): test/fixtures/nomad-json, see test/unit/convert/nomad-json.test.ts. */
describe("fromNomadJob: Nomad's own job JSON", () => {
  const fixture = (name: string) => readFileSync(fromProjectRoot('test', 'fixtures', 'nomad-json', name), 'utf8');

  it("registers the Create Job sample payload of Nomad's Jobs API page, with what it leaves out in Warnings", async () => {
    const source = fixture('api-docs-create-job.json');
    const result = fromNomadJob(JSON.parse(source));
    const converted = await convertNomadJob({ filename: 'payload.json', source });
    expect(result).toMatchObject({ ok: true, name: 'example', namespace: 'default', options: { preserveCounts: true, enforceIndex: false } });
    if (!result.ok) return;
    expect(result.spec).toEqual(converted.manifest!.spec);
    expect(formatWarnings(result.warnings)).toBe(
      [
        '3 warnings:\n',
        '* group "cache" task "redis": mbits = 10 is ignored: network bandwidth is not reserved; Nomad deprecated mbits in 0.12 and ignores it',
        `* group "cache" task "redis": task network resources have been deprecated as of Nomad 0.12.0. Please configure networking via group network block. Caravan moves port "db" (to = 6379, from port_map) to the group's network`,
        '* group "cache" task "redis": meta = {"meta":"for my service"} is ignored: Caravan has no service catalog, so nothing reads it; services become Kubernetes probes',
      ].join('\n'),
    );
  });

  it('registers `nomad job inspect` output without a warning, and it reads back as the same job', () => {
    const result = fromNomadJob(JSON.parse(fixture('job-inspect-service.json')), { queryNamespace: 'shop' });
    expect(result).toMatchObject({ ok: true, name: 'inspected', namespace: 'shop', warnings: [] });
    if (!result.ok) return;
    const again = inspectThenRun('inspected', result.spec);
    expect(again.ok && sameNomadJob('inspected', 'shop', result.spec, again.spec)).toBe(true);
  });
});

describe("formatWarnings and multierror: Nomad's texts", () => {
  it.each([
    [[], ''],
    [['a'], '1 warning:\n\n* a'],
    [['a', 'b '], '2 warnings:\n\n* a\n* b'],
  ])('warnings %j', (warnings, text) => expect(formatWarnings(warnings)).toBe(text));

  it.each([
    [['a'], '1 error occurred:\n\t* a\n\n'],
    [['a', 'b'], '2 errors occurred:\n\t* a\n\t* b\n\n'],
  ])('errors %j', (errors, text) => expect(multierror(errors)).toBe(text));
});

describe('checkAndSetError: EnforceIndex (nomad-semantics §3.4)', () => {
  it.each([
    ['not enforced', false, 7, 1402, undefined],
    ['create only, job missing', true, 0, undefined, undefined],
    ['create only, job exists', true, 0, 1402, 'Enforcing job modify index 0: job already exists'],
    ['matching index', true, 1402, 1402, undefined],
    ['stale index', true, 1210, 1402, 'Enforcing job modify index 1210: job exists with conflicting job modify index: 1402'],
    ['index for a missing job', true, 1402, undefined, 'Enforcing job modify index 1402: job does not exist'],
  ])('%s', (_rule, enforceIndex, jobModifyIndex, current, error) => {
    expect(checkAndSetError({ enforceIndex, jobModifyIndex }, current)).toBe(error);
  });
});

const dir = fromProjectRoot('examples');
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    (loadAll(readFileSync(path.join(dir, file), 'utf8')) as NomadJob[])
      .filter((j) => j?.kind === 'NomadJob')
      .map((j) => [`${file} (${j.metadata.name})`, j] as const),
  );

/** What a Nomad client sends back after `nomad job inspect`: the api.Job Caravan showed. */
function inspectThenRun(name: string, spec: NomadJobSpec): ReturnType<typeof fromNomadJob> {
  const job = webJob();
  const shown = toNomadJob({
    job: { ...job, metadata: { ...job.metadata, name, namespace: 'shop' } },
    version: { version: 3, spec, submitTime: '2026-03-01T10:00:00Z', stable: true },
    indexes: { createIndex: 5, modifyIndex: 9, jobModifyIndex: 8 },
  });
  return fromNomadJob(JSON.parse(JSON.stringify({ Job: shown })), { queryNamespace: 'shop' });
}

describe('inspect, then run again: the same job', () => {
  it.each([...examples, ['the web fixture', { metadata: { name: 'web' }, spec: webSpec('nginx:1.27', 1) } as NomadJob] as const])(
    '%s reads back to the same canonical job',
    (_what, job) => {
      const result = inspectThenRun(job.metadata.name, job.spec);
      expect(result.ok ? [] : result.error).toEqual([]);
      if (!result.ok) return;
      // Leave out what Nomad's JSON cannot carry, and fill periodic's defaults, which canonicalJob leaves as written.
      const strip = (spec: NomadJobSpec) => {
        const c = canonicalJob(job.metadata.name, 'shop', spec);
        return {
          ...c,
          periodic: c.periodic && { enabled: true, prohibitOverlap: false, timeZone: 'UTC', ...c.periodic },
          taskGroups: c.taskGroups.map((g) => ({ ...g, kubernetes: {}, update: g.update && { ...g.update, canarySteps: [] } })),
        };
      };
      expect(strip(result.spec)).toEqual(strip(job.spec));
      const restored = withCaravanExtensions(job.spec, result.spec);
      expect(sameNomadJob(job.metadata.name, 'shop', job.spec, restored)).toBe(true);
    },
  );

  it("keeps a group's kubernetes block and canary steps, which Nomad's JSON cannot carry", () => {
    const spec: NomadJobSpec = { ...webSpec('nginx:1.27'), update: { maxParallel: 2, canarySteps: [{ count: 1, pause: '1m' }, { percent: 50 }] } };
    const result = inspectThenRun('web', spec);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.taskGroups[0]!.kubernetes).toBeUndefined();
    const restored = withCaravanExtensions(spec, result.spec);
    expect(restored.taskGroups[0]!.kubernetes).toEqual({ labels: { tier: 'frontend' } });
    expect(restored.taskGroups[0]!.update?.canarySteps).toEqual([{ count: 1, pause: '1m' }, { percent: 50 }]);
    expect(restored.taskGroups[0]!.update).not.toHaveProperty('canary');
    expect(sameNomadJob('web', 'shop', spec, restored)).toBe(true);
  });

  it('drops the canary steps when the client changed the canary count: it meant another rollout', () => {
    const spec: NomadJobSpec = { ...webSpec('nginx:1.27'), update: { maxParallel: 2, canarySteps: [{ count: 1 }, { count: 2 }] } };
    const result = inspectThenRun('web', spec);
    if (!result.ok) throw new Error(result.error);
    const changed = { ...result.spec, taskGroups: result.spec.taskGroups.map((g) => ({ ...g, update: { ...g.update, canary: 3 } })) };
    const restored = withCaravanExtensions(spec, changed);
    expect(restored.taskGroups[0]!.update).toMatchObject({ canary: 3 });
    expect(restored.taskGroups[0]!.update?.canarySteps).toBeUndefined();
  });

  it('a real change is not the same job', () => {
    expect(sameNomadJob('web', 'shop', v1.spec, webSpec('nginx:1.28', 1))).toBe(false);
    expect(sameNomadJob('web', 'shop', v1.spec, { ...v1.spec, taskGroups: v1.spec.taskGroups.map((g) => ({ ...g, count: 5 })) })).toBe(false);
  });

  it('defaults written out are the same job as defaults left out', () => {
    const explicit: NomadJobSpec = {
      ...v1.spec,
      priority: 50,
      region: 'global',
      type: 'service',
      taskGroups: v1.spec.taskGroups.map((g) => ({ ...g, restart: { attempts: 2, interval: '30m', delay: '15s', mode: 'fail' } })),
    };
    expect(sameNomadJob('web', 'shop', v1.spec, explicit)).toBe(true);
    expect(toNomadJob(webAt(v1)).TaskGroups[0]!.RestartPolicy).toEqual(
      toNomadJob({ ...webAt(v1), version: { ...v1, spec: explicit } }).TaskGroups[0]!.RestartPolicy,
    );
  });
});
