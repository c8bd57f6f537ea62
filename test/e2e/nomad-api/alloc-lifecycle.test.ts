import type { V1Pod } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runController, type RunningController } from '../../../src/controller/controller.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import { clusterClients, freshNamespace, waitFor } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from './api-harness.ts';

const { kc, core } = clusterClients();

/** Each exec kwok ran for a simulated container, as scripts/kwok-exec/sh records it. */
const execLog = () => path.join(inject('clusterDir'), 'logs', 'kwok-exec.log');
const execCalls = (since: number) =>
  (existsSync(execLog()) ? readFileSync(execLog(), 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter(([at]) => Date.parse(at!) >= since)
    .map(([, behaviour, command]) => `${behaviour} ${command}`);

function nomadJob(namespace: string, id: string, task: string) {
  return {
    Job: {
      ID: id,
      Name: id,
      Namespace: namespace,
      Type: 'service',
      Datacenters: ['*'],
      TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: task, Driver: 'docker', Config: { image: 'busybox:1.36' } }] }],
    },
  };
}

/**
 * What the kubelet does after `kill -s TERM 1` ended a container's process 1: the container
 * exited (143 = 128 + SIGTERM) and started again, restartCount one up, in the same Pod. kwok runs
 * no processes, so this test plays that part, as kwok's stages play the others.
 */
async function kubeletRestarts(namespace: string, name: string, container: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const pod = await core.readNamespacedPod({ namespace, name });
    const now = new Date();
    const statuses = (pod.status?.containerStatuses ?? []).map((s) =>
      s.name !== container
        ? s
        : {
            ...s,
            restartCount: s.restartCount + 1,
            lastState: { terminated: { exitCode: 143, reason: 'Error', startedAt: s.state?.running?.startedAt, finishedAt: now } },
            state: { running: { startedAt: new Date(now.getTime() + 1000) } },
          },
    );
    try {
      await core.replaceNamespacedPodStatus({ namespace, name, body: { ...pod, status: { ...pod.status, containerStatuses: statuses } } as V1Pod });
      return;
    } catch (error) {
      if (attempt > 5) throw error;
    }
  }
}

/**
 * `nomad alloc restart` and `nomad alloc signal` through the Nomad API, carried out with pods/exec
 * into kwok's simulated containers (issue 13 §5): the call reaches the container, the allocation
 * keeps its Pod, TaskStates show Nomad's events, and an image without a shell is an error that says so.
 */
describe('alloc restart and alloc signal run kill in the task container', () => {
  let api: ApiUnderTest;
  let controller: RunningController;
  let namespace: string;
  let token: string;
  let viewer: string;
  beforeAll(async () => {
    api = await startApi();
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'alloclifecycle');
    const base = [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ];
    token = await tokenFor(namespace, 'operator', [...base, { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }]);
    viewer = await tokenFor(namespace, 'viewer', base);
  });
  afterAll(async () => {
    await controller?.stop();
    await api?.stop();
  });

  async function call(method: string, p: string, body?: unknown, as = token): Promise<{ status: number; json: any; text: string }> {
    const res = await fetch(`${api.url}${p}${p.includes('?') ? '&' : '?'}namespace=${namespace}`, {
      method,
      headers: { 'X-Nomad-Token': as },
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

  async function runningAllocation(id: string, task: string): Promise<{ ID: string }> {
    expect((await call('POST', '/v1/jobs', nomadJob(namespace, id, task))).status).toBe(200);
    return waitFor(`${id} running`, async () => {
      const allocs = (await call('GET', `/v1/job/${id}/allocations`)).json as { ID: string; TaskStates?: Record<string, { State: string }> }[];
      return allocs?.find((a) => a.TaskStates?.[task]?.State === 'running');
    });
  }

  it('restarts a task in place: the exec ran kill -s TERM 1, the Pod stays, TaskStates show Restart Signaled', async () => {
    const alloc = await runningAllocation('web', 'web');
    const pod = (await core.listNamespacedPod({ namespace })).items.find((p) => p.metadata?.uid === alloc.ID)!;
    const since = Date.now();
    const answer = call('POST', `/v1/client/allocation/${alloc.ID}/restart`, { TaskName: 'web' });
    await waitFor('the exec', async () => (execCalls(since).includes('ok sh -c kill -s TERM 1') ? true : undefined), 20_000);
    await kubeletRestarts(namespace, pod.metadata!.name!, 'web');
    const restarted = await answer;
    expect([restarted.status, restarted.json]).toEqual([200, { Index: 0 }]);

    const after = (await call('GET', `/v1/allocation/${alloc.ID}`)).json;
    expect(after.ID).toBe(alloc.ID);
    const web = after.TaskStates.web;
    expect(web.Restarts).toBe(1);
    expect(web.Events.map((e: { Type: string }) => e.Type)).toContain('Restart Signaled');
    expect(web.Events.find((e: { Type: string }) => e.Type === 'Restart Signaled')).toMatchObject({
      DisplayMessage: 'User requested task to restart',
      Details: { restart_reason: 'User requested task to restart' },
    });
    const same = await core.readNamespacedPod({ namespace, name: pod.metadata!.name! });
    expect(same.metadata?.uid).toBe(pod.metadata?.uid);
  });

  it('says so when the container does not restart after SIGTERM (a process 1 without a handler ignores it)', async () => {
    const alloc = (await call('GET', '/v1/job/web/allocations')).json[0];
    const since = Date.now();
    // kwok's containers never exit: nobody plays the kubelet this time. The wait is the grace period (5 s) and 10 s.
    const stuck = await call('POST', `/v1/client/allocation/${alloc.ID}/restart`, {});
    expect([stuck.status, stuck.text]).toEqual([
      500,
      `task "web": SIGTERM was delivered to its process 1, but it still runs after 15s. A container's process 1 ignores signals it has no handler for, and Kubernetes has no way to kill it from outside but to stop the Pod: make the task handle SIGTERM, or stop the allocation instead (nomad alloc stop ${alloc.ID}), which places a replacement`,
    ]);
    expect(execCalls(since)).toEqual(['ok sh -c kill -s TERM 1']);
  }, 30_000);

  it('signals a task: the exec ran kill -s USR1 1 and TaskStates show Signaling', async () => {
    const alloc = (await call('GET', '/v1/job/web/allocations')).json[0];
    const since = Date.now();
    const signalled = await call('POST', `/v1/client/allocation/${alloc.ID}/signal`, { Task: 'web', Signal: 'SIGUSR1' });
    expect([signalled.status, signalled.json]).toEqual([200, { Index: 0 }]);
    expect(execCalls(since)).toContain('ok sh -c kill -s USR1 1');
    const events = (await call('GET', `/v1/allocation/${alloc.ID}`)).json.TaskStates.web.Events;
    expect(events.find((e: { Type: string }) => e.Type === 'Signaling')).toMatchObject({
      DisplayMessage: 'Task being sent a signal',
      Details: { signal: 'SIGUSR1' },
    });
  });

  it("answers Nomad's errors: an invalid signal, an unknown task, an unknown allocation", async () => {
    const alloc = (await call('GET', '/v1/job/web/allocations')).json[0];
    const invalid = await call('POST', `/v1/client/allocation/${alloc.ID}/signal`, { Task: 'web', Signal: 'SIGFOO' });
    expect(invalid.status).toBe(500);
    expect(invalid.text).toMatch(/^failed to parse signal: invalid signal "SIGFOO" - valid signals are \["SIGABRT" /);
    const unknownTask = await call('POST', `/v1/client/allocation/${alloc.ID}/restart`, { TaskName: 'db' });
    expect([unknownTask.status, unknownTask.text]).toEqual([500, 'Could not find task runner for task: db']);
    const both = await call('POST', `/v1/client/allocation/${alloc.ID}/restart`, { TaskName: 'web', AllTasks: true });
    expect([both.status, both.text]).toEqual([500, 'task name cannot be set when restarting all tasks']);
    const unknownAlloc = await call('POST', '/v1/client/allocation/00000000-0000-0000-0000-000000000000/signal', { Signal: 'SIGHUP' });
    expect([unknownAlloc.status, unknownAlloc.text]).toEqual([404, 'Unknown allocation "00000000-0000-0000-0000-000000000000"']);
  });

  it('is create pods/exec: a caller without it gets 403, and nothing is run', async () => {
    const alloc = (await call('GET', '/v1/job/web/allocations')).json[0];
    const since = Date.now();
    const refused = await call('POST', `/v1/client/allocation/${alloc.ID}/restart`, {}, viewer);
    expect([refused.status, refused.text]).toEqual([403, 'Permission denied']);
    expect(execCalls(since)).toEqual([]);
  });

  it("kubectl nomad alloc signal does the same with the user's kubeconfig", async () => {
    const alloc = (await call('GET', '/v1/job/web/allocations')).json[0];
    const since = Date.now();
    const plugin = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(fromProjectRoot('scripts', 'kubectl-nomad'), [...args, '-n', namespace, '--kubeconfig', inject('kubeconfig')], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const run = await plugin('alloc', 'signal', alloc.ID.slice(0, 8), 'web', '-s', 'SIGHUP');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^==> allocation [0-9a-f]{8} \(web-g-0-v0\): signalled web \(SIGHUP\)\n$/);
    expect(execCalls(since)).toEqual(['ok sh -c kill -s HUP 1']);
    const refused = await plugin('alloc', 'restart', alloc.ID.slice(0, 8), 'db');
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'error: Could not find task runner for task: db\n' });
  });

  it('says so when the image has no shell, and what to do instead', async () => {
    const alloc = await runningAllocation('bare', 'no-shell');
    const since = Date.now();
    const failed = await call('POST', `/v1/client/allocation/${alloc.ID}/signal`, { Signal: 'SIGHUP' });
    expect(failed.status).toBe(500);
    // kwok reports the stand-in's exit 127 as an exec error, as a runtime reports a missing sh.
    expect(failed.text).toMatch(
      /^task "no-shell": could not send SIGHUP: its image has no sh to run sh -c 'kill -s HUP 1' in \(.*exit status 127.*executable file not found.*\)\. /,
    );
    expect(failed.text).toMatch(
      new RegExp(
        `Caravan delivers signals through pods/exec; for an image without a shell, stop the allocation instead \\(nomad alloc stop ${alloc.ID}\\), which places a replacement$`,
      ),
    );
    expect(execCalls(since)).toEqual(['no-shell sh -c kill -s HUP 1']);
    const events = (await call('GET', `/v1/allocation/${alloc.ID}`)).json.TaskStates['no-shell'].Events;
    expect(events.map((e: { Type: string }) => e.Type)).not.toContain('Signaling');
  });
});
