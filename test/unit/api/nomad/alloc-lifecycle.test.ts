import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  execFailure,
  killCommand,
  multiError,
  nomadSignalNames,
  notRestarted,
  parseSignal,
  planRestart,
  planSignal,
  restartScope,
  runEnded,
} from '../../../../src/api/nomad/alloc-lifecycle.ts';
import { taskState } from '../../../../src/api/nomad/task-states.ts';

const allocId = '0b7e3c8a-1d2f-4a5b-9c6d-7e8f9a0b1c2d';
const startedAt = new Date('2026-03-01T10:00:00Z');

const running = (name: string, extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: true,
  restartCount: 0,
  containerID: `containerd://${name}-1`,
  state: { running: { startedAt } },
  ...extra,
});
const completed = (name: string): V1ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode: 0, startedAt, finishedAt: startedAt } },
});
const waiting = (name: string): V1ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: false,
  restartCount: 3,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
});

/** An allocation's Pod: main tasks web and log-shipper, and optionally a prestart task and a prestart sidecar. */
function pod(
  opts: {
    statuses?: V1ContainerStatus[];
    init?: { name: string; sidecar: boolean; status: V1ContainerStatus }[];
    restartPolicy?: string;
    phase?: string;
    deleting?: boolean;
  } = {},
): V1Pod {
  const statuses = opts.statuses ?? [running('web'), running('log-shipper')];
  return {
    metadata: { name: 'web-web-0', namespace: 'shop', uid: allocId, ...(opts.deleting ? { deletionTimestamp: startedAt } : {}) },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      ...(opts.init ? { initContainers: opts.init.map((i) => ({ name: i.name, ...(i.sidecar ? { restartPolicy: 'Always' } : {}) })) } : {}),
      containers: statuses.map((s) => ({ name: s.name })),
    },
    status: {
      phase: opts.phase ?? 'Running',
      containerStatuses: statuses,
      ...(opts.init ? { initContainerStatuses: opts.init.map((i) => i.status) } : {}),
    },
  };
}

const targetsOf = (plan: ReturnType<typeof planRestart>) => (plan.ok ? { targets: plan.targets.map((t) => t.name), reason: plan.reason } : plan);

describe('the restart body, as Nomad reads {TaskName, AllTasks}', () => {
  it.each<[string, unknown, unknown]>([
    ['no body: the running tasks', undefined, { kind: 'running' }],
    ['empty object: the running tasks', {}, { kind: 'running' }],
    ['TaskName: that task', { TaskName: 'web' }, { kind: 'task', task: 'web' }],
    ['AllTasks: every task', { AllTasks: true }, { kind: 'all' }],
    ['AllTasks false: the running tasks', { AllTasks: false }, { kind: 'running' }],
    ['both: Nomad client error', { TaskName: 'web', AllTasks: true }, { ok: false, status: 500, error: 'task name cannot be set when restarting all tasks' }],
    ['TaskName not a string', { TaskName: 3 }, { ok: false, status: 400, error: 'TaskName must be a string, not 3' }],
    ['AllTasks not a bool', { AllTasks: 'yes' }, { ok: false, status: 400, error: 'AllTasks must be true or false, not "yes"' }],
  ])('%s', (_name, body, want) => {
    expect(restartScope(body)).toEqual(want);
  });
});

describe('which containers a restart execs into', () => {
  const prestartDone = { name: 'migrate', sidecar: false, status: completed('migrate') };
  const sidecar = { name: 'proxy', sidecar: true, status: running('proxy') };
  it.each<[string, V1Pod, ReturnType<typeof restartScope>, unknown]>([
    ['one task', pod(), { kind: 'task', task: 'web' }, { targets: ['web'], reason: 'User requested task to restart' }],
    ['running tasks', pod(), { kind: 'running' }, { targets: ['web', 'log-shipper'], reason: 'User requested running tasks to restart' }],
    [
      'running tasks skip a crash-looping one and a finished prestart task, restart a prestart sidecar',
      pod({ statuses: [running('web'), waiting('log-shipper')], init: [prestartDone, sidecar] }),
      { kind: 'running' },
      { targets: ['proxy', 'web'], reason: 'User requested running tasks to restart' },
    ],
    [
      'all tasks, none finished',
      pod({ init: [sidecar] }),
      { kind: 'all' },
      { targets: ['proxy', 'web', 'log-shipper'], reason: 'User requested all tasks to restart' },
    ],
    [
      'unknown task: Nomad alloc runner error',
      pod(),
      { kind: 'task', task: 'db' },
      { ok: false, status: 500, error: 'Could not find task runner for task: db' },
    ],
    [
      'task not running',
      pod({ statuses: [running('web'), waiting('log-shipper')] }),
      { kind: 'task', task: 'log-shipper' },
      { ok: false, status: 500, error: 'Task not running' },
    ],
    ['terminal allocation', pod({ phase: 'Failed' }), { kind: 'running' }, { ok: false, status: 500, error: 'restart of an alloc that should not run' }],
    ['allocation being stopped', pod({ deleting: true }), { kind: 'all' }, { ok: false, status: 500, error: 'restart of an alloc that should not run' }],
  ])('%s', (_name, p, scope, want) => {
    if ('ok' in scope) throw new Error('scope');
    const plan = planRestart(p, scope, allocId);
    expect(plan.ok ? targetsOf(plan) : plan).toEqual(want);
  });

  it('refuses AllTasks when a prestart task has finished: Kubernetes never runs an init container again', () => {
    const plan = planRestart(pod({ init: [prestartDone] }), { kind: 'all' }, allocId);
    expect(plan).toMatchObject({ ok: false, status: 500 });
    expect(!plan.ok && plan.error).toBe(
      `cannot restart all tasks of allocation ${allocId}: prestart task migrate ran to completion, and Kubernetes never runs an init container again in the same Pod. Restart the running tasks (leave out AllTasks, or nomad alloc restart without -all-tasks), or stop the allocation instead (nomad alloc stop ${allocId}), which places a replacement to run every task again`,
    );
  });

  it('refuses a Pod with restartPolicy Never: its containers never start again', () => {
    const plan = planRestart(pod({ restartPolicy: 'Never' }), { kind: 'running' }, allocId);
    expect(!plan.ok && plan.error).toMatch(/^allocation .* cannot restart in place: its Pod has restartPolicy Never .*nomad alloc stop /);
  });

  it('restarts with SIGTERM: the signal the kubelet stops a container with', () => {
    const plan = planRestart(pod(), { kind: 'running' }, allocId);
    expect(plan.ok && killCommand(plan.signal)).toEqual(['sh', '-c', 'kill -s TERM 1']);
  });
});

describe('signal names, as Nomad parses them', () => {
  it.each([
    ['SIGUSR1', 'SIGUSR1'],
    ['sigusr1', 'SIGUSR1'],
    ['SIGHUP', 'SIGHUP'],
  ])('%s is %s', (text, signal) => {
    expect(parseSignal(text)).toEqual({ ok: true, signal });
  });

  it("an unknown name is Nomad's docker driver error, with consul-template's sorted list", () => {
    expect(parseSignal('USR1')).toEqual({
      ok: false,
      error:
        'failed to parse signal: invalid signal "USR1" - valid signals are ["SIGABRT" "SIGALRM" "SIGBUS" "SIGCONT" "SIGFPE" "SIGHUP" "SIGILL" "SIGINT" "SIGIO" "SIGIOT" "SIGKILL" "SIGNULL" "SIGPIPE" "SIGPROF" "SIGQUIT" "SIGSEGV" "SIGSTOP" "SIGSYS" "SIGTERM" "SIGTRAP" "SIGTSTP" "SIGTTIN" "SIGTTOU" "SIGUSR1" "SIGUSR2" "SIGWINCH" "SIGXCPU" "SIGXFSZ"]',
    });
    expect([...nomadSignalNames].sort()).toEqual([...nomadSignalNames]);
  });

  it.each([
    ['SIGUSR1', 'kill -s USR1 1'],
    ['SIGHUP', 'kill -s HUP 1'],
    ['SIGNULL', 'kill -s 0 1'],
    ['SIGIOT', 'kill -s ABRT 1'],
  ] as const)('%s is sent as `%s` by the shell in the container', (signal, command) => {
    expect(killCommand(signal)).toEqual(['sh', '-c', command]);
  });
});

describe('which containers a signal execs into', () => {
  const usr1 = { Signal: 'SIGUSR1' };
  it.each<[string, V1Pod, unknown, unknown]>([
    ['one task', pod(), { Task: 'web', Signal: 'SIGHUP' }, { ok: true, signal: 'SIGHUP', targets: ['web'], skipped: [] }],
    ['every task', pod(), usr1, { ok: true, signal: 'SIGUSR1', targets: ['web', 'log-shipper'], skipped: [] }],
    [
      'every task, one not running: signalled the others, and says so',
      pod({ statuses: [running('web'), waiting('log-shipper')] }),
      usr1,
      { ok: true, signal: 'SIGUSR1', targets: ['web'], skipped: [{ task: 'log-shipper', error: 'Failed to signal task: log-shipper, err: Task not running' }] },
    ],
    ['unknown task', pod(), { Task: 'db', Signal: 'SIGHUP' }, { ok: false, status: 500, error: 'Task not found' }],
    [
      'task not running',
      pod({ statuses: [running('web'), waiting('log-shipper')] }),
      { Task: 'log-shipper', Signal: 'SIGHUP' },
      { ok: false, status: 500, error: 'Task not running' },
    ],
    ['Signal not a string', pod(), { Signal: 1 }, { ok: false, status: 400, error: 'Signal must be a string, not 1' }],
  ])('%s', (_name, p, body, want) => {
    const plan = planSignal(p, body, allocId);
    expect(plan.ok ? { ok: true, signal: plan.signal, targets: plan.targets.map((t) => t.name), skipped: plan.skipped } : plan).toEqual(want);
  });

  it("an invalid signal to one task is the driver's error; to every task, Nomad's multierror per task", () => {
    const invalid = parseSignal('SIGFOO');
    const text = !invalid.ok ? invalid.error : '';
    expect(planSignal(pod(), { Task: 'web', Signal: 'SIGFOO' }, allocId)).toEqual({ ok: false, status: 500, error: text });
    expect(planSignal(pod(), { Signal: 'SIGFOO' }, allocId)).toEqual({
      ok: false,
      status: 500,
      error: `2 errors occurred:\n\t* Failed to signal task: web, err: ${text}\n\t* Failed to signal task: log-shipper, err: ${text}\n\n`,
    });
    expect(planSignal(pod(), { Task: 'web' }, allocId)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^failed to parse signal: invalid signal "" - /),
    });
  });

  it.each(['SIGKILL', 'SIGSTOP'])('refuses %s: the kernel drops it for a namespace init signalled from inside', (signal) => {
    const plan = planSignal(pod(), { Task: 'web', Signal: signal }, allocId);
    expect(!plan.ok && plan.error).toBe(
      `${signal} cannot be sent to a task on Kubernetes: Caravan signals a task's process 1 from inside its container (pods/exec), and the kernel drops ${signal} sent to a PID namespace's init from inside it. To end the task use nomad alloc restart ${allocId} web (SIGTERM, then the container restarts) or nomad alloc stop ${allocId}`,
    );
  });
});

describe('what an exec that did not deliver the signal answers', () => {
  const where = { namespace: 'shop', allocId };
  it.each<[string, Parameters<typeof execFailure>[2], string]>([
    [
      'exec refused to the controller (RBAC)',
      { kind: 'refused', status: 403, message: 'Unexpected server response: 403' },
      `task "web": could not send SIGTERM: the API server refused the Caravan controller's exec into the Pod (403: Unexpected server response: 403). Its ServiceAccount needs get and create on pods/exec in namespace "shop" (deploy/base/cluster-role.yaml)`,
    ],
    [
      'no shell in the image (runtime error)',
      {
        kind: 'failed',
        message: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown',
        output: '',
      },
      `task "web": could not send SIGTERM: its image has no sh to run sh -c 'kill -s TERM 1' in (OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown). Caravan delivers signals through pods/exec; for an image without a shell, stop the allocation instead (nomad alloc stop ${allocId}), which places a replacement`,
    ],
    [
      'no shell in the image (exit code 127)',
      { kind: 'exit', code: 127, output: '' },
      `task "web": could not send SIGTERM: its image has no sh to run sh -c 'kill -s TERM 1' in (exit code 127). Caravan delivers signals through pods/exec; for an image without a shell, stop the allocation instead (nomad alloc stop ${allocId}), which places a replacement`,
    ],
    [
      'kill failed',
      { kind: 'exit', code: 1, output: 'sh: kill: (1) - Operation not permitted\n' },
      `task "web": could not send SIGTERM: sh -c 'kill -s TERM 1' exited with code 1: sh: kill: (1) - Operation not permitted`,
    ],
    [
      'kubelet unreachable',
      { kind: 'failed', message: 'error dialing backend: dial tcp 10.0.0.7:10250: connect: connection refused', output: '' },
      `task "web": could not send SIGTERM: exec of sh -c 'kill -s TERM 1' failed: error dialing backend: dial tcp 10.0.0.7:10250: connect: connection refused`,
    ],
  ])('%s', (_name, outcome, want) => {
    expect(execFailure('web', 'SIGTERM', outcome, where)).toBe(want);
  });

  it("a refusal of the user's own exec (kubectl nomad) names the user's missing right", () => {
    expect(execFailure('web', 'SIGHUP', { kind: 'refused', status: 403, message: 'Unexpected server response: 403' }, { ...where, credentials: 'user' })).toBe(
      'task "web": could not send SIGHUP: the API server refused your exec into the Pod (403: Unexpected server response: 403). It takes get on pods/exec in namespace "shop" (exec is a WebSocket GET), and create as well from Kubernetes 1.35 on',
    );
  });

  it('a process 1 that ignores SIGTERM is reported, with what to do', () => {
    expect(notRestarted('web', 15, allocId)).toBe(
      `task "web": SIGTERM was delivered to its process 1, but it still runs after 15s. A container's process 1 ignores signals it has no handler for, and Kubernetes has no way to kill it from outside but to stop the Pod: make the task handle SIGTERM, or stop the allocation instead (nomad alloc stop ${allocId}), which places a replacement`,
    );
  });

  it("several errors are go-multierror's text", () => {
    expect(multiError(['a'])).toBe('1 error occurred:\n\t* a\n\n');
    expect(multiError(['a', 'b'])).toBe('2 errors occurred:\n\t* a\n\t* b\n\n');
  });
});

describe('whether the run a restart signalled has ended', () => {
  const before = running('web');
  it.each<[string, V1ContainerStatus | undefined, boolean]>([
    ['same run', running('web'), false],
    ['restartCount went up', running('web', { restartCount: 1 }), true],
    ['another container', running('web', { containerID: 'containerd://web-2' }), true],
    ['started again', running('web', { state: { running: { startedAt: new Date('2026-03-01T10:05:00Z') } } }), true],
    ['waiting to start again', waiting('web'), true],
    ['status not there', undefined, false],
  ])('%s: %s', (_name, now, want) => {
    expect(runEnded(before, now)).toBe(want);
  });
});

describe('the task events a restart and a signal record', () => {
  const kubeEvent = (reason: string, message: string): CoreV1Event => ({
    metadata: { name: 'e' },
    involvedObject: { kind: 'Pod', name: 'web-web-0', fieldPath: 'spec.containers{web}' },
    reason,
    message,
    eventTime: '2026-03-01T10:01:00.123456Z' as unknown as Date,
  });
  it("RestartSignaled is Nomad's Restart Signaled, its message the restart reason", () => {
    const p = pod();
    const events = taskState(p, p.status!.containerStatuses![0]!, [kubeEvent('RestartSignaled', 'User requested task to restart')]).Events;
    expect(events.at(-1)).toMatchObject({
      Type: 'Restart Signaled',
      DisplayMessage: 'User requested task to restart',
      RestartReason: 'User requested task to restart',
      Details: { restart_reason: 'User requested task to restart' },
      Time: 1772359260123456000,
    });
  });
  it("Signaling is Nomad's Signaling, the signal in Details", () => {
    const p = pod();
    const events = taskState(p, p.status!.containerStatuses![0]!, [kubeEvent('Signaling', 'SIGUSR1')]).Events;
    expect(events.at(-1)).toMatchObject({ Type: 'Signaling', DisplayMessage: 'Task being sent a signal', Details: { signal: 'SIGUSR1' } });
  });
});
