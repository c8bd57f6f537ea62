/**
 * Nomad's `client/allocation/:id/restart` and `/signal` on Kubernetes (issue 13 §5). Kubernetes has
 * no restart or signal call, but it has `pods/exec`, and the kubelet starts a container again in
 * place when its process exits. So a restart is `kill -s TERM 1` run in the task's container (the
 * Pod, and so the allocation ID, stays), and a signal is `kill -s <SIG> 1`. This file is the pure
 * part: the request's body, which tasks it touches, the commands, and the error texts (Nomad's
 * where Nomad has one).
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ExecOutcome } from '../../kube/pod-exec.ts';

export type { ExecOutcome };

/**
 * The signal names Nomad accepts (consul-template's `signals.SignalLookup` on Linux, which the
 * docker driver parses with), in the sorted order of its `ValidSignals`.
 */
export const nomadSignalNames = [
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGIOT',
  'SIGKILL',
  'SIGNULL',
  'SIGPIPE',
  'SIGPROF',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
] as const;

export type NomadSignal = (typeof nomadSignalNames)[number];

/** Go's `%q` of a string, for the ASCII names and values these messages quote. */
const goQuote = (s: string) => JSON.stringify(s);

/** Nomad's docker driver: `signals.Parse`, case-insensitive, with its error text. */
export function parseSignal(text: string): { ok: true; signal: NomadSignal } | { ok: false; error: string } {
  const upper = text.toUpperCase();
  const signal = nomadSignalNames.find((s) => s === upper);
  if (signal) return { ok: true, signal };
  return { ok: false, error: `failed to parse signal: invalid signal ${goQuote(text)} - valid signals are [${nomadSignalNames.map(goQuote).join(' ')}]` };
}

/**
 * The kernel drops SIGKILL and SIGSTOP sent to a PID namespace's init from inside it, and exec
 * runs inside: these two can never reach a container's process 1 this way.
 */
export const undeliverableSignals: ReadonlySet<NomadSignal> = new Set(['SIGKILL', 'SIGSTOP']);

/** `kill -s` takes the name without SIG; SIGNULL is signal 0, SIGIOT is SIGABRT's other name. */
function shellSignalName(signal: NomadSignal): string {
  if (signal === 'SIGNULL') return '0';
  if (signal === 'SIGIOT') return 'ABRT';
  return signal.slice(3);
}

/**
 * The command run in the container: the shell's own `kill` (every `sh` has it as a builtin,
 * while images without procps have no /bin/kill) sent to process 1, the container's main process.
 */
export function killCommand(signal: NomadSignal): string[] {
  return ['sh', '-c', `kill -s ${shellSignalName(signal)} 1`];
}

/** A task as its Pod has it: the container, where it is in the spec, and its status. */
export interface PodTask {
  readonly name: string;
  /** `spec.containers{web}`: a Kubernetes Event's fieldPath for this container. */
  readonly fieldPath: string;
  /** A prestart task (init container) that is not a sidecar runs once, before the main tasks. */
  readonly runsOnce: boolean;
  readonly status: V1ContainerStatus | undefined;
}

export function podTasks(pod: V1Pod): PodTask[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const statusOf = (name: string) => statuses.find((s) => s.name === name);
  return [
    ...(pod.spec?.initContainers ?? []).map((c) => ({
      name: c.name,
      fieldPath: `spec.initContainers{${c.name}}`,
      runsOnce: c.restartPolicy !== 'Always',
      status: statusOf(c.name),
    })),
    ...(pod.spec?.containers ?? []).map((c) => ({ name: c.name, fieldPath: `spec.containers{${c.name}}`, runsOnce: false, status: statusOf(c.name) })),
  ];
}

export const isRunning = (task: PodTask) => task.status?.state?.running !== undefined;

/** Nomad's alloc runner refuses to restart an allocation that should not run: a terminal one, or one being stopped. */
export function isTerminal(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null
    ? true
    : pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A refusal, with the status code Nomad answers it with. */
export interface Refusal {
  readonly ok: false;
  readonly status: 400 | 500;
  readonly error: string;
}
const refuse = (error: string, status: 400 | 500 = 500): Refusal => ({ ok: false, status, error });

/** What a request does: the tasks to exec into, and the event each one records. */
export interface LifecyclePlan {
  readonly ok: true;
  readonly signal: NomadSignal;
  readonly targets: readonly PodTask[];
  /** The Nomad task event's text: Restart Signaled's RestartReason. */
  readonly reason: string;
  /** Tasks that could not be reached, with Nomad's per-task error (signal to every task only). */
  readonly skipped: readonly { readonly task: string; readonly error: string }[];
}

const stopInstead = (allocId: string) => `stop the allocation instead (nomad alloc stop ${allocId}), which places a replacement`;

const field = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;

function stringField(body: unknown, name: string): string | Refusal {
  const value = field(body, name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return refuse(`${name} must be a string, not ${JSON.stringify(value)}`, 400);
  return value;
}

export type RestartScope = { readonly kind: 'task'; readonly task: string } | { readonly kind: 'all' } | { readonly kind: 'running' };

/** The restart body `{TaskName, AllTasks}`: one task, all of them, or (neither) the running ones. */
export function restartScope(body: unknown): RestartScope | Refusal {
  const task = stringField(body, 'TaskName');
  if (typeof task !== 'string') return task;
  const all = field(body, 'AllTasks');
  if (all !== undefined && all !== null && typeof all !== 'boolean') return refuse(`AllTasks must be true or false, not ${JSON.stringify(all)}`, 400);
  // Nomad's client: RestartAllocation.
  if (all === true && task !== '') return refuse('task name cannot be set when restarting all tasks');
  if (task !== '') return { kind: 'task', task };
  return all === true ? { kind: 'all' } : { kind: 'running' };
}

const restartReasons = {
  task: 'User requested task to restart',
  all: 'User requested all tasks to restart',
  running: 'User requested running tasks to restart',
} as const;

/**
 * Which containers a restart execs into. Nomad's rules (client.RestartAllocation and the alloc
 * runner): a named task must exist and run; without one only running tasks restart; AllTasks also
 * runs again tasks that have finished, which Kubernetes cannot do in the same Pod, so it is refused
 * when there are any, rather than skipping them silently.
 */
export function planRestart(pod: V1Pod, scope: RestartScope, allocId: string): LifecyclePlan | Refusal {
  if (pod.spec?.restartPolicy === 'Never') {
    return refuse(
      `allocation ${allocId} cannot restart in place: its Pod has restartPolicy Never (a batch group with restart attempts = 0), so Kubernetes never starts its containers again; ${stopInstead(allocId)}`,
    );
  }
  const tasks = podTasks(pod);
  const plan = (targets: PodTask[]): LifecyclePlan => ({ ok: true, signal: 'SIGTERM', targets, reason: restartReasons[scope.kind], skipped: [] });
  if (scope.kind === 'task') {
    const task = tasks.find((t) => t.name === scope.task);
    if (!task) return refuse(`Could not find task runner for task: ${scope.task}`);
    if (isTerminal(pod) || !isRunning(task)) return refuse('Task not running');
    return plan([task]);
  }
  if (isTerminal(pod)) return refuse('restart of an alloc that should not run');
  if (scope.kind === 'all') {
    const finished = tasks.filter((t) => t.runsOnce && t.status?.state?.terminated);
    if (finished.length > 0) {
      const names = finished.map((t) => t.name).join(', ');
      return refuse(
        `cannot restart all tasks of allocation ${allocId}: prestart task${finished.length > 1 ? 's' : ''} ${names} ran to completion, and Kubernetes never runs an init container again in the same Pod. Restart the running tasks (leave out AllTasks, or nomad alloc restart without -all-tasks), or ${stopInstead(allocId)} to run every task again`,
      );
    }
  }
  return plan(tasks.filter(isRunning));
}

/** The signal body `{Task, Signal}`: one task, or every task when Task is empty (Nomad's alloc runner). */
export function planSignal(pod: V1Pod, body: unknown, allocId: string): LifecyclePlan | Refusal {
  const taskName = stringField(body, 'Task');
  if (typeof taskName !== 'string') return taskName;
  const text = stringField(body, 'Signal');
  if (typeof text !== 'string') return text;
  const tasks = podTasks(pod);
  const one = taskName === '' ? undefined : tasks.find((t) => t.name === taskName);
  if (taskName !== '' && !one) return refuse('Task not found');
  const parsed = parseSignal(text);
  const notRunning = 'Task not running';
  if (one) {
    if (isTerminal(pod) || !isRunning(one)) return refuse(notRunning);
    if (!parsed.ok) return refuse(parsed.error);
  } else if (!parsed.ok) {
    const error = (t: PodTask) => (isTerminal(pod) || !isRunning(t) ? notRunning : parsed.error);
    return refuse(multiError(tasks.map((t) => `Failed to signal task: ${t.name}, err: ${error(t)}`)));
  }
  const signal = (parsed as { signal: NomadSignal }).signal;
  if (undeliverableSignals.has(signal)) {
    return refuse(
      `${signal} cannot be sent to a task on Kubernetes: Caravan signals a task's process 1 from inside its container (pods/exec), and the kernel drops ${signal} sent to a PID namespace's init from inside it. To end the task use nomad alloc restart ${allocId}${one ? ` ${one.name}` : ''} (SIGTERM, then the container restarts) or nomad alloc stop ${allocId}`,
    );
  }
  const targets = one ? [one] : tasks.filter((t) => !isTerminal(pod) && isRunning(t));
  const skipped = one
    ? []
    : tasks.filter((t) => !targets.includes(t)).map((t) => ({ task: t.name, error: `Failed to signal task: ${t.name}, err: ${notRunning}` }));
  return { ok: true, signal, targets, reason: '', skipped };
}

/** hashicorp/go-multierror's text, which Nomad's alloc runner returns for errors of several tasks. */
export function multiError(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

/** The shell says 127 (or the runtime 126/127, or "executable file not found") when `sh` is missing. */
function lacksShell(outcome: ExecOutcome): boolean {
  const text = outcome.kind === 'exit' ? outcome.output : outcome.kind === 'failed' ? `${outcome.message} ${outcome.output}` : '';
  if (/executable file not found|no such file or directory|exec: "sh"/i.test(text)) return true;
  return outcome.kind === 'exit' && (outcome.code === 126 || outcome.code === 127) && !/kill/i.test(outcome.output);
}

/**
 * The error for a task whose exec did not deliver the signal: what happened, in Kubernetes' words,
 * and what to do instead. Never a silent success.
 */
export function execFailure(
  task: string,
  signal: NomadSignal,
  outcome: Exclude<ExecOutcome, { kind: 'ok' }>,
  where: { readonly namespace: string; readonly allocId: string; readonly credentials?: 'controller' | 'user' },
): string {
  const command = killCommand(signal);
  const shown = `${command[0]} -c '${command[2]}'`;
  const prefix = `task ${JSON.stringify(task)}: could not send ${signal}`;
  if (outcome.kind === 'refused') {
    if (outcome.status === 403 && where.credentials === 'user') {
      return `${prefix}: the API server refused your exec into the Pod (403: ${outcome.message}). It takes get on pods/exec in namespace ${JSON.stringify(where.namespace)} (exec is a WebSocket GET), and create as well from Kubernetes 1.35 on`;
    }
    if (outcome.status === 403) {
      return `${prefix}: the API server refused the Caravan controller's exec into the Pod (403: ${outcome.message}). Its ServiceAccount needs get and create on pods/exec in namespace ${JSON.stringify(where.namespace)} (deploy/base/cluster-role.yaml)`;
    }
    return `${prefix}: the API server refused the exec into the Pod (${outcome.status}: ${outcome.message})`;
  }
  if (lacksShell(outcome)) {
    const said = outcome.output.trim() ? `: ${outcome.output.trim()}` : '';
    const detail = outcome.kind === 'exit' ? `exit code ${outcome.code}${said}` : `${outcome.message}${said}`;
    return `${prefix}: its image has no sh to run ${shown} in (${detail}). Caravan delivers signals through pods/exec; for an image without a shell, ${stopInstead(where.allocId)}`;
  }
  if (outcome.kind === 'exit') {
    return `${prefix}: ${shown} exited with code ${outcome.code}${outcome.output ? `: ${outcome.output.trim()}` : ''}`;
  }
  return `${prefix}: exec of ${shown} failed: ${outcome.message}${outcome.output ? `: ${outcome.output.trim()}` : ''}`;
}

/**
 * Whether the run of a container that was running when the restart was signalled has ended:
 * another run started, or it is no longer running. Nomad's restart answers once the task was killed.
 */
export function runEnded(before: V1ContainerStatus | undefined, now: V1ContainerStatus | undefined): boolean {
  if (!before?.state?.running) return true;
  if (!now) return false;
  if (now.restartCount > before.restartCount) return true;
  if (before.containerID && now.containerID && now.containerID !== before.containerID) return true;
  const startedBefore = String(before.state.running.startedAt ?? '');
  const running = now.state?.running;
  return !running || String(running.startedAt ?? '') !== startedBefore;
}

/** The error for a task whose process 1 got SIGTERM but kept running. */
export function notRestarted(task: string, waitedSeconds: number, allocId: string): string {
  return `task ${JSON.stringify(task)}: SIGTERM was delivered to its process 1, but it still runs after ${waitedSeconds}s. A container's process 1 ignores signals it has no handler for, and Kubernetes has no way to kill it from outside but to stop the Pod: make the task handle SIGTERM, or ${stopInstead(allocId)}`;
}

/** The Kubernetes Event reasons Caravan records these task events under (task-states.ts reads them back). */
export const lifecycleEventReasons = { restart: 'RestartSignaled', signal: 'Signaling' } as const;
