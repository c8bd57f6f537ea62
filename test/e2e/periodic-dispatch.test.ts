import { CustomObjectsApi } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { load } from 'js-yaml';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../../src/project.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { startApi, tokenFor, type ApiUnderTest } from './nomad-api/api-harness.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };

/** `kubectl nomad …` as a user runs it (scripts/kubectl-nomad), plain output. */
function plugin(namespace: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return pluginWithInput(namespace, undefined, ...args);
}

function pluginWithInput(namespace: string, input: string | undefined, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(fromProjectRoot('scripts', 'kubectl-nomad'), [...args, '-n', namespace, '--kubeconfig', inject('kubeconfig')], {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  if (input !== undefined) child.stdin?.end(input);
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function batch(extra: Partial<NomadJobSpec>, behavior: 'complete' | 'ready' = 'complete'): NomadJobSpec {
  return {
    type: 'batch',
    ...extra,
    taskGroups: [
      {
        name: 'run',
        count: 1,
        restart: { attempts: 0, mode: 'fail' },
        tasks: [{ name: 'main', driver: 'docker', config: { image: 'registry.example/report:1' } }],
        kubernetes: { annotations: { 'sim.caravan.dev/behavior': behavior, 'sim.caravan.dev/delay': '1s' } },
      },
    ],
  };
}

/**
 * Periodic and parameterized parents on the real cluster (issue 13 §1-§3): crons with a seconds
 * field fire every few seconds, so nothing waits for a real schedule.
 */
describe('periodic and parameterized jobs on the real cluster (issue 13 §1-§3)', () => {
  let controller: RunningController;
  let api: ApiUnderTest;
  let namespace: string;
  let token: string;
  beforeAll(async () => {
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'periodic');
    api = await startApi();
    token = await tokenFor(namespace, 'dispatcher', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
  });
  afterAll(async () => {
    await controller?.stop();
    await api?.stop();
  });

  const create = (name: string, spec: NomadJobSpec) =>
    custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec } });
  const get = async (name: string) => (await custom.getNamespacedCustomObject({ ...nj, namespace, name })) as NomadJob;
  const children = async (parent: string) =>
    ((await custom.listNamespacedCustomObject({ ...nj, namespace, labelSelector: `caravan.dev/parent-job=${parent}` })) as { items: NomadJob[] }).items;
  const podsOf = async (job: string) => (await core.listNamespacedPod({ namespace, labelSelector: `caravan.dev/job=${job}` })).items;
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
    const res = await fetch(`${api.url}${path}${path.includes('?') ? '&' : '?'}namespace=${namespace}`, {
      method,
      headers: { 'X-Nomad-Token': token },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  it('a periodic parent never has Pods; each launch is a child that completes, listed under its parent; enabled: false stops launches', async () => {
    await create('tick', batch({ periodic: { crons: ['*/2 * * * * * *'] } }));
    const launched = await waitFor('two launches', async () => ((await children('tick')).length >= 2 ? await children('tick') : undefined), 30_000);
    for (const c of launched) {
      expect(c.metadata.name).toMatch(/^tick-periodic-\d+$/);
      expect(c.metadata.annotations?.['caravan.dev/nomad-id']).toMatch(/^tick\/periodic-\d+$/);
      expect(c.spec.periodic).toBeUndefined();
    }
    const parent = await get('tick');
    expect(parent.status?.status).toBe('running');
    expect(parent.status?.periodic?.nextLaunch).toBeDefined();
    expect(await podsOf('tick')).toEqual([]);
    const done = await waitFor('a child completes', async () => (await children('tick')).find((c) => c.status?.status === 'dead'), 60_000);

    const listed = await call('GET', '/v1/jobs?prefix=tick/');
    expect(listed.status).toBe(200);
    expect(listed.json.length).toBeGreaterThanOrEqual(2);
    for (const stub of listed.json) expect(stub).toMatchObject({ ParentID: 'tick', ID: expect.stringMatching(/^tick\/periodic-\d+$/), Type: 'batch' });
    const id = done.metadata.annotations!['caravan.dev/nomad-id']!;
    const read = await call('GET', `/v1/job/${encodeURIComponent(id)}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ ID: id, ParentID: 'tick', Periodic: null, Status: 'dead' });
    const summary = await call('GET', '/v1/job/tick/summary');
    expect(summary.json.Children.Dead).toBeGreaterThanOrEqual(1);
    const plan = await call('POST', '/v1/job/tick/plan', {
      Job: {
        ID: 'tick',
        Type: 'batch',
        Periodic: { Enabled: true, Specs: ['0 2 * * *'] },
        TaskGroups: [{ Name: 'run', Tasks: [{ Name: 'main', Driver: 'docker', Config: { image: 'x:1' } }] }],
      },
    });
    expect(plan.json.NextPeriodicLaunch).toMatch(/T02:00:00Z$/);

    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'tick', body: [{ op: 'add', path: '/spec/periodic/enabled', value: false }] });
    await waitFor('launches stopped', async () => ((await get('tick')).status?.periodic?.nextLaunch === undefined ? true : undefined), 20_000);
    const before = (await children('tick')).length;
    await sleep(5_000);
    expect((await children('tick')).length).toBe(before);
  });

  it('force launches now, whatever the schedule; refusals in Nomad words', async () => {
    await create('nightly', batch({ periodic: { crons: ['0 2 * * *'], timeZone: 'Europe/Berlin' } }));
    await waitFor('parent running', async () => ((await get('nightly')).status?.status === 'running' ? true : undefined));
    const forced = await call('POST', '/v1/job/nightly/periodic/force');
    expect(forced.status).toBe(200);
    expect(forced.json).toMatchObject({ EvalID: expect.stringMatching(/^[0-9a-f-]{36}$/), EvalCreateIndex: expect.any(Number), Index: expect.any(Number) });
    const [child] = await children('nightly');
    expect(child?.metadata.annotations?.['caravan.dev/nomad-id']).toMatch(/^nightly\/periodic-\d+$/);
    await waitFor('the forced child completes', async () => ((await get(child!.metadata.name)).status?.status === 'dead' ? true : undefined), 60_000);

    await create('plain', batch({}));
    // Created through the Kubernetes API: the Nomad API knows it once the controller's cache does.
    await waitFor('the Nomad API to know plain', async () => ((await call('GET', '/v1/job/plain')).status === 200 ? true : undefined));
    const notPeriodic = await call('POST', '/v1/job/plain/periodic/force');
    expect([notPeriodic.status, notPeriodic.text]).toEqual([500, "can't force launch non-periodic job"]);
    // Invalid crons: the API server refuses a wrong number of fields (CEL); the Nomad API any cron croner cannot parse.
    await expect(create('badcron', batch({ periodic: { crons: ['* * *'] } }))).rejects.toThrow(/Invalid cron spec/);
    const badCron = await call('POST', '/v1/jobs', {
      Job: {
        ID: 'badcron',
        Type: 'batch',
        Periodic: { Enabled: true, Specs: ['61 * * * *'] },
        TaskGroups: [{ Name: 'run', Tasks: [{ Name: 'main', Driver: 'docker', Config: { image: 'x:1' } }] }],
      },
    });
    expect(badCron.status).toBe(500);
    expect(badCron.text).toContain('Invalid cron spec "61 * * * *": CronPattern: Invalid value for minute: 61');
    const missing = await call('POST', '/v1/job/nothing/periodic/force');
    expect([missing.status, missing.text]).toEqual([500, 'job not found']);
  });

  it('prohibitOverlap skips launches while a child still runs; force does not care', async () => {
    await create('slow', batch({ periodic: { crons: ['*/2 * * * * * *'], prohibitOverlap: true } }, 'ready'));
    await waitFor('the first launch', async () => ((await children('slow')).length === 1 ? true : undefined), 30_000);
    await sleep(6_000);
    expect((await children('slow')).map((c) => c.metadata.name)).toHaveLength(1);
    // Force ignores prohibit_overlap, as Nomad's does.
    expect((await call('POST', '/v1/job/slow/periodic/force')).status).toBe(200);
    expect(await children('slow')).toHaveLength(2);
  });

  it('a controller down across launch times makes one catch-up launch when it comes back', async () => {
    await create('catchup', batch({ periodic: { crons: ['*/5 * * * * * *'] } }));
    await waitFor('the first launch', async () => ((await children('catchup')).length >= 1 ? true : undefined), 30_000);
    await controller.stop();
    const before = new Set((await children('catchup')).map((c) => c.metadata.name));
    await sleep(11_000); // two launch times pass
    // Come back 1 s after a launch time, so the next scheduled one is 4 s away.
    while (Date.now() % 5_000 < 1_000 || Date.now() % 5_000 > 1_500) await sleep(50);
    const restart = Date.now();
    controller = await runController(kc, {});
    await sleep(2_500);
    const added = (await children('catchup')).filter((c) => !before.has(c.metadata.name));
    expect(added).toHaveLength(1);
    const unix = Number(added[0]!.metadata.name.split('-').pop());
    expect(unix).toBeGreaterThanOrEqual(Math.floor(restart / 1000));
  });

  it('dispatch: Nomad checks and words, the payload as a Secret mounted at local/<file>, the meta in NOMAD_META_*', async () => {
    await create('report', batch({ parameterized: { payload: 'required', metaRequired: ['customer'], metaOptional: ['mode'] } }));
    await custom.patchNamespacedCustomObject({
      ...nj,
      namespace,
      name: 'report',
      body: [{ op: 'add', path: '/spec/taskGroups/0/tasks/0/dispatchPayload', value: { file: 'input/order.json' } }],
    });
    await waitFor('parent running', async () => ((await get('report')).status?.status === 'running' ? true : undefined));
    const payload = Buffer.from('{"order": 42}').toString('base64');
    const refusals: [unknown, string][] = [
      [{ Meta: { customer: 'acme' } }, 'Payload is not provided but required by parameterized job'],
      [{ Payload: payload, Meta: { customer: 'acme', color: 'red' } }, 'Dispatch request included unpermitted metadata keys: [color]'],
      [{ Payload: payload, Meta: { mode: 'full' } }, 'Dispatch did not provide required meta keys: [customer]'],
      [{ Payload: Buffer.alloc(16385).toString('base64'), Meta: { customer: 'acme' } }, 'Payload exceeds maximum size; 16385 > 16384'],
    ];
    for (const [body, message] of refusals) expect(await call('POST', '/v1/job/report/dispatch', body)).toMatchObject({ status: 500, text: message });
    expect(await call('POST', '/v1/job/nightly/dispatch', {})).toMatchObject({ status: 500, text: 'Specified job "nightly" is not a parameterized job' });

    const dispatched = await call('POST', '/v1/job/report/dispatch', { Payload: payload, Meta: { customer: 'acme' }, IdPrefixTemplate: 'acme' });
    expect(dispatched.status).toBe(200);
    expect(dispatched.json.DispatchedJobID).toMatch(/^report\/dispatch-acme-\d+-[0-9a-f]{8}$/);
    const [child] = await children('report');
    const childName = child!.metadata.name;
    const secret = await core.readNamespacedSecret({ namespace, name: `${childName}-payload` });
    expect(Buffer.from(secret.data!['payload']!, 'base64').toString()).toBe('{"order": 42}');
    expect(secret.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'NomadJob', name: childName });
    const [pod] = await waitFor('the child Pod', async () => ((await podsOf(childName)).length > 0 ? await podsOf(childName) : undefined));
    const main = pod!.spec!.containers[0]!;
    expect(main.volumeMounts).toContainEqual({ name: 'dispatch-payload', mountPath: '/local/input/order.json', subPath: 'payload', readOnly: true });
    expect(pod!.spec!.volumes).toContainEqual(
      expect.objectContaining({ name: 'dispatch-payload', secret: expect.objectContaining({ secretName: `${childName}-payload` }) }),
    );
    expect(main.env).toContainEqual({ name: 'NOMAD_META_customer', value: 'acme' });
    expect(await podsOf('report')).toEqual([]);
    await waitFor('the dispatched child completes', async () => ((await get(childName)).status?.status === 'dead' ? true : undefined), 60_000);
    const read = await call('GET', `/v1/job/${encodeURIComponent(dispatched.json.DispatchedJobID)}`);
    expect(read.json).toMatchObject({ ID: dispatched.json.DispatchedJobID, ParentID: 'report', Dispatched: true, Status: 'dead' });
    expect((await call('GET', '/v1/job/report/summary')).json.Children).toEqual({ Pending: 0, Running: 0, Dead: 1 });
    // The same idempotency token twice: one child; the second answer names it, with no evaluation.
    const first = await call('POST', '/v1/job/report/dispatch?idempotency_token=order-42', { Payload: payload, Meta: { customer: 'acme' } });
    const again = await call('POST', '/v1/job/report/dispatch?idempotency_token=order-42', { Payload: payload, Meta: { customer: 'acme' } });
    expect(first.status).toBe(200);
    expect(again.json).toMatchObject({ DispatchedJobID: first.json.DispatchedJobID, EvalID: '', EvalCreateIndex: 0 });
    expect((await call('GET', `/v1/job/${encodeURIComponent(first.json.DispatchedJobID)}`)).json.DispatchIdempotencyToken).toBe('order-42');
    expect(await children('report')).toHaveLength(2);
  });

  it('kubectl nomad periodic force, dispatch, and status of a parent', async () => {
    const force = await plugin(namespace, 'periodic', 'force', 'nightly');
    expect(force.code).toBe(0);
    expect(force.stdout).toMatch(/^Force periodic successful\nLaunched Job ID = nightly\/periodic-\d+/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'payload-')), 'order.json');
    writeFileSync(file, '{"order": 7}');
    const dispatched = await plugin(namespace, 'dispatch', 'report', '--meta', 'customer=globex', file);
    expect(dispatched.code).toBe(0);
    expect(dispatched.stdout).toMatch(/^Dispatched Job ID = report\/dispatch-\d+-[0-9a-f]{8}\n/);
    const refused = await plugin(namespace, 'dispatch', 'report', '--meta', 'color=red', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Dispatch request included unpermitted metadata keys: [color]');
    const periodicStatus = await plugin(namespace, 'status', 'nightly');
    expect(periodicStatus.stdout).toMatch(/Next Periodic Launch = \S+ \(.* from now\)/);
    expect(periodicStatus.stdout).toContain('Previously Launched Jobs');
    expect(periodicStatus.stdout).toMatch(/nightly\/periodic-\d+ +(pending|running|dead)/);
    const parameterizedStatus = await plugin(namespace, 'status', 'report');
    expect(parameterizedStatus.stdout).toContain('Dispatched Jobs');
    expect(parameterizedStatus.stdout).toMatch(/report\/dispatch-acme-\d+-[0-9a-f]{8} +dead/);
  });

  it('the examples run as documented: nightly-report forced, on-demand-report dispatched from stdin', async () => {
    for (const file of ['nightly-report.yaml', 'report-dispatch.yaml']) {
      const example = load(readFileSync(fromProjectRoot('examples', file), 'utf8')) as NomadJob;
      await custom.createNamespacedCustomObject({ ...nj, namespace, body: example });
    }
    await waitFor('nightly-report timed', async () => ((await get('nightly-report')).status?.periodic?.nextLaunch ? true : undefined));
    expect((await get('nightly-report')).status?.periodic?.nextLaunch).toMatch(/T0[01]:00:00\.000Z$/); // 02:00 in Berlin
    expect((await plugin(namespace, 'periodic', 'force', 'nightly-report')).code).toBe(0);
    const dispatched = await pluginWithInput(namespace, '{"order": 42}', 'dispatch', 'on-demand-report', '--meta', 'customer=acme', '-');
    expect(dispatched.code).toBe(0);
    const [child] = await children('on-demand-report');
    const [pod] = await waitFor('the dispatched Pod', async () =>
      (await podsOf(child!.metadata.name)).length > 0 ? await podsOf(child!.metadata.name) : undefined,
    );
    const render = pod!.spec!.containers[0]!;
    expect(render.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/local/order.json' }));
    expect(render.env).toEqual(
      expect.arrayContaining([
        { name: 'NOMAD_META_customer', value: 'acme' },
        { name: 'NOMAD_META_format', value: 'pdf' },
      ]),
    );
    for (const parent of ['nightly-report', 'on-demand-report'])
      await waitFor(`${parent}'s child completes`, async () => ((await children(parent)).some((c) => c.status?.status === 'dead') ? true : undefined), 60_000);
  });

  it('dead children are garbage-collected after --job-gc-threshold; deleting a parent deletes its children', async () => {
    await controller.stop();
    controller = await runController(kc, { jobGcThresholdMs: 1_000 });
    await waitFor('the dispatched child collected', async () => ((await children('report')).length === 0 ? true : undefined), 30_000);
    await custom.deleteNamespacedCustomObject({ ...nj, namespace, name: 'slow' });
    await waitFor('children of a deleted parent gone', async () => ((await children('slow')).length === 0 ? true : undefined), 60_000);
  });
});
