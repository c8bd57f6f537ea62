import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../../src/controller/controller.ts';
import { clusterClients, freshNamespace, waitFor } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from './api-harness.ts';

const { kc, core } = clusterClients();

/** A Nomad job as `nomad job run -output` prints it: one group, a canary, manual promotion. */
function nomadJob(namespace: string, image: string) {
  return {
    Job: {
      ID: 'web',
      Name: 'web',
      Namespace: namespace,
      Type: 'service',
      Datacenters: ['*'],
      Update: {
        MaxParallel: 1,
        Canary: 1,
        MinHealthyTime: 1_000_000_000,
        HealthyDeadline: 30_000_000_000,
        ProgressDeadline: 120_000_000_000,
        AutoRevert: false,
        AutoPromote: false,
      },
      TaskGroups: [{ Name: 'frontend', Count: 2, Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image } }] }],
    },
  };
}

/**
 * A canary rollout driven only through the Nomad API, as Nomad's CLI drives one: register,
 * follow the deployment with blocking queries, promote, read the allocations; then the errors.
 */
describe('the Nomad API drives a canary rollout', () => {
  let api: ApiUnderTest;
  let controller: RunningController;
  let namespace: string;
  let token: string;
  beforeAll(async () => {
    api = await startApi();
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'nomadrollout');
    token = await tokenFor(namespace, 'deployer', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch', 'delete'] },
    ]);
  });
  afterAll(async () => {
    await controller?.stop();
    await api?.stop();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; index: number; json: any; text: string }> {
    // Nomad's clients always send their namespace; lookups by ID are scoped to it.
    const scoped = path.includes('namespace=') ? path : `${path}${path.includes('?') ? '&' : '?'}namespace=${namespace}`;
    const res = await fetch(`${api.url}${scoped}`, {
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
    return { status: res.status, index: Number(res.headers.get('x-nomad-index') ?? 0), json, text };
  }
  const ns = () => `namespace=${namespace}`;

  it('registers a job, runs version 0, and reads it back as Nomad shows it', async () => {
    const registered = await call('POST', `/v1/jobs?${ns()}`, nomadJob(namespace, 'nginx:1'));
    expect(registered.status).toBe(200);
    expect(registered.json).toMatchObject({ EvalID: expect.stringMatching(/^[0-9a-f-]{36}$/), JobModifyIndex: expect.any(Number), Warnings: '' });
    const job = await waitFor(
      'version 0 stable',
      async () => {
        const r = await call('GET', `/v1/job/web?${ns()}`);
        return r.status === 200 && r.json.Stable === true ? r.json : undefined;
      },
      90_000,
      500,
    );
    expect(job).toMatchObject({
      ID: 'web',
      Namespace: namespace,
      Type: 'service',
      Status: 'running',
      Version: 0,
      TaskGroups: [{ Name: 'frontend', Count: 2 }],
    });
    const list = await call('GET', `/v1/jobs?${ns()}`);
    expect(list.json.map((j: { ID: string }) => j.ID)).toEqual(['web']);
    expect(list.index).toBeGreaterThan(0);
  });

  it('follows a canary deployment with blocking queries, promotes it, and it succeeds', async () => {
    const before = await call('GET', `/v1/job/web?${ns()}`);
    const update = await call('POST', `/v1/job/web?${ns()}`, {
      ...nomadJob(namespace, 'nginx:2'),
      EnforceIndex: true,
      JobModifyIndex: before.json.JobModifyIndex,
    });
    expect([update.status, update.text]).toEqual([200, expect.stringContaining('"EvalID"')]);
    // As `nomad job run` does: wait for the evaluation, then follow the deployment it names.
    const evaluation = await waitFor(
      'the evaluation to complete',
      async () => {
        const r = await call('GET', `/v1/evaluation/${update.json.EvalID}`);
        return r.json?.Status === 'complete' && r.json.DeploymentID ? r.json : undefined;
      },
      30_000,
      250,
    );
    expect(evaluation).toMatchObject({ ID: update.json.EvalID, JobID: 'web', Namespace: namespace, TriggeredBy: 'job-register', Type: 'service' });
    expect((await call('GET', `/v1/job/web/evaluations?${ns()}`)).json.map((e: { ID: string }) => e.ID)).toContain(update.json.EvalID);
    const latest = await waitFor(
      'deployment of version 1',
      async () => {
        const r = await call('GET', `/v1/job/web/deployment?${ns()}`);
        return r.json?.JobVersion === 1 ? r.json : undefined;
      },
      30_000,
      250,
    );
    // Block until the canary is healthy: each answer's index feeds the next query.
    let index = 0;
    let deployment = latest;
    const started = Date.now();
    while (deployment.TaskGroups?.frontend?.HealthyAllocs !== 1 && Date.now() - started < 60_000) {
      const r = await call('GET', `/v1/deployment/${latest.ID}?index=${index}&wait=10s`);
      expect(r.status).toBe(200);
      expect(r.index).toBeGreaterThanOrEqual(index);
      index = r.index;
      deployment = r.json;
    }
    expect(deployment).toMatchObject({
      Status: 'running',
      StatusDescription: 'Deployment is running but requires manual promotion',
      TaskGroups: { frontend: { DesiredCanaries: 1, HealthyAllocs: 1, Promoted: false } },
    });

    const promoted = await call('POST', `/v1/deployment/promote/${latest.ID}`, { DeploymentID: latest.ID, All: true });
    expect(promoted.status).toBe(200);
    expect(promoted.json).toMatchObject({ EvalID: expect.any(String), DeploymentModifyIndex: expect.any(Number), RevertedJobVersion: null });
    const done = await waitFor(
      'the deployment to succeed',
      async () => {
        const r = await call('GET', `/v1/deployment/${latest.ID}`);
        return r.json.Status === 'successful' ? r.json : undefined;
      },
      90_000,
      500,
    );
    expect(done.StatusDescription).toBe('Deployment completed successfully');
    const allocs = await call('GET', `/v1/deployment/allocations/${latest.ID}`);
    expect(allocs.json).toHaveLength(2);
    expect(allocs.json.every((a: { ClientStatus: string; JobVersion: number }) => a.ClientStatus === 'running' && a.JobVersion === 1)).toBe(true);
    const versions = await call('GET', `/v1/job/web/versions?${ns()}`);
    expect(versions.json.Versions.map((v: { Version: number; Stable: boolean }) => [v.Version, v.Stable])).toEqual([
      [1, true],
      [0, true],
    ]);
  });

  it('reads an allocation, and stopping it places a replacement under the same name', async () => {
    const allocs = (await call('GET', `/v1/job/web/allocations?${ns()}`)).json as { ID: string; Name: string }[];
    const first = allocs[0]!;
    const alloc = await call('GET', `/v1/allocation/${first.ID}`);
    expect(alloc.json).toMatchObject({ ID: first.ID, Name: first.Name, Job: { ID: 'web', Version: 1 }, TaskGroup: 'frontend', DesiredStatus: 'run' });
    const stopped = await call('POST', `/v1/allocation/${first.ID}/stop`);
    expect(stopped.json).toMatchObject({ EvalID: expect.any(String), Index: expect.any(Number) });
    await waitFor(
      'a replacement',
      async () => {
        const now = (await call('GET', `/v1/job/web/allocations?${ns()}`)).json as { ID: string; Name: string; ClientStatus: string }[];
        return now.some((a) => a.Name === first.Name && a.ID !== first.ID && a.ClientStatus === 'running') ? true : undefined;
      },
      60_000,
      500,
    );
  });

  it("answers with Nomad's errors", async () => {
    const missing = await call('GET', `/v1/job/nope?${ns()}`);
    expect([missing.status, missing.text]).toEqual([404, 'job not found']);
    const current = await call('GET', `/v1/job/web?${ns()}`);
    const cas = await call('POST', `/v1/jobs?${ns()}`, { ...nomadJob(namespace, 'nginx:3'), EnforceIndex: true, JobModifyIndex: 1 });
    expect([cas.status, cas.text]).toEqual([500, `Enforcing job modify index 1: job exists with conflicting job modify index: ${current.json.JobModifyIndex}`]);
    const deployment = (await call('GET', `/v1/job/web/deployment?${ns()}`)).json;
    const terminal = await call('POST', `/v1/deployment/fail/${deployment.ID}`);
    expect([terminal.status, terminal.text]).toEqual([500, "can't fail terminal deployment"]);
    const badId = await call('GET', '/v1/deployment/1234');
    // Rights are checked in the request's namespace before any lookup: nothing leaks across.
    const elsewhere = await call('GET', `/v1/deployment/${deployment.ID}?namespace=default`);
    expect([elsewhere.status, elsewhere.text]).toEqual([403, 'Permission denied']);
    expect([badId.status, badId.text]).toEqual([500, 'deployment lookup failed: UUID must be 36 characters']);
    const noId = await call('POST', `/v1/deployment/pause/${deployment.ID}`, { Pause: true });
    expect([noId.status, noId.text]).toEqual([400, 'DeploymentID must be specified']);
    const unblock = await call('POST', `/v1/deployment/unblock/${deployment.ID}`, { DeploymentID: deployment.ID });
    expect([unblock.status, unblock.text]).toEqual([500, "can't unblock terminal deployment"]);
    const alloc = (await call('GET', `/v1/job/web/allocations?${ns()}`)).json[0];
    // A restart is create pods/exec, which this token lacks (alloc-lifecycle.test.ts has the rest).
    const restart = await call('POST', `/v1/client/allocation/${alloc.ID}/restart`, { AllTasks: true });
    expect([restart.status, restart.text]).toEqual([403, 'Permission denied']);
    const dispatch = await call('POST', `/v1/job/web/dispatch?${ns()}`, {});
    expect([dispatch.status, dispatch.text]).toEqual([500, 'Specified job "web" is not a parameterized job']);
    const valid = await call('POST', `/v1/validate/job?${ns()}`, nomadJob(namespace, 'nginx:9'));
    expect(valid.json).toEqual({ DriverConfigValidated: true, ValidationErrors: [], Error: '', Warnings: '' });
    const invalid = await call('POST', `/v1/validate/job?${ns()}`, { Job: { ...nomadJob(namespace, 'x').Job, TaskGroups: [] } });
    expect(invalid.json.ValidationErrors.length).toBeGreaterThan(0);
    const noJob = await call('POST', `/v1/jobs?${ns()}`, {});
    expect([noJob.status, noJob.text]).toEqual([400, 'Job must be specified']);
    const badFilter = await call('GET', `/v1/jobs?${ns()}&filter=${encodeURIComponent('Status ==')}`);
    expect(badFilter.status).toBe(400);
    expect(badFilter.text).toMatch(/^failed to create result paginator: failed to read filter expression: /);
  });

  it('scales a group through /v1/job/:id/scale', async () => {
    const before = await call('GET', `/v1/job/web/scale?${ns()}`);
    expect(before.json).toMatchObject({ JobID: 'web', Namespace: namespace, JobStopped: false, TaskGroups: { frontend: { Desired: 2, Running: 2 } } });
    const scaled = await call('POST', `/v1/job/web/scale?${ns()}`, { Count: 3, Target: { Group: 'frontend' }, Message: 'more traffic' });
    expect(scaled.status).toBe(200);
    expect(scaled.json).toMatchObject({ EvalID: expect.any(String), JobModifyIndex: expect.any(Number) });
    await waitFor(
      '3 running',
      async () => ((await call('GET', `/v1/job/web/scale?${ns()}`)).json.TaskGroups.frontend.Running === 3 ? true : undefined),
      60_000,
      500,
    );
    const noGroup = await call('POST', `/v1/job/web/scale?${ns()}`, { Count: 1, Target: { Group: 'backend' } });
    expect([noGroup.status, noGroup.text]).toEqual([400, 'task group "backend" specified for scaling does not exist in job']);
  });

  it('filters, paginates and lists across namespaces', async () => {
    const running = await call('GET', `/v1/jobs?${ns()}&filter=${encodeURIComponent('Status == "running"')}`);
    expect(running.json.map((j: { ID: string }) => j.ID)).toEqual(['web']);
    const none = await call('GET', `/v1/jobs?${ns()}&filter=${encodeURIComponent('Status == "dead"')}`);
    expect(none.json).toEqual([]);
    const page = await call('GET', `/v1/deployments?${ns()}&per_page=1`);
    expect(page.json).toHaveLength(1);
    const all = await call('GET', '/v1/jobs?namespace=*');
    // Only the namespace this token may list in: RBAC decides what a wildcard shows.
    expect(new Set(all.json.map((j: { Namespace: string }) => j.Namespace))).toEqual(new Set([namespace]));
  });
});
