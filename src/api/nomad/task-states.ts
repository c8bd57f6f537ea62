/**
 * Nomad's TaskStates of an allocation, read off its Pod: one task per container (init containers
 * are prestart tasks), its state from the container status, and the task events that status and
 * the Pod's Kubernetes Events show. Kubernetes keeps only the current and the previous run of a
 * container, so events of earlier restarts are known only through Kubernetes Events, and only
 * while the API server keeps those (an hour by default).
 */
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { formatDuration, parseDuration } from '../../model/duration.ts';
import { lifecycleEventReasons } from './alloc-lifecycle.ts';
import type { NomadTaskEvent, NomadTaskState, TaskEventType, TaskStateName, UnixNanos } from './types.ts';
import { goTime, kubeMillis, msToNanos, unixNanos, zeroGoTime, type KubeTime } from './wire.ts';

/** Nomad's client keeps the last 10 events of a task. */
export const maxTaskEvents = 10;

function event(
  type: TaskEventType,
  time: UnixNanos,
  displayMessage: string,
  fields: Partial<Omit<NomadTaskEvent, 'Type' | 'Time' | 'DisplayMessage'>> = {},
): NomadTaskEvent {
  return {
    Type: type,
    Time: time,
    Message: '',
    DisplayMessage: displayMessage,
    Details: {},
    FailsTask: false,
    ExitCode: 0,
    RestartReason: '',
    DriverError: '',
    StartDelay: 0,
    ...fields,
  };
}

type Terminated = NonNullable<NonNullable<V1ContainerStatus['state']>['terminated']>;

/** A container's exit as Nomad's Terminated event: exit code, signal and the exit message. */
function terminatedEvent(t: Terminated): NomadTaskEvent {
  // Kubernetes reports a signal death as 128 + the signal, as a shell does.
  const signal = t.signal ?? (t.exitCode > 128 && t.exitCode < 160 ? t.exitCode - 128 : 0);
  const message = t.reason === 'OOMKilled' ? 'OOM Killed' : (t.message ?? '');
  const parts = [`Exit Code: ${t.exitCode}`, ...(signal ? [`Signal: ${signal}`] : []), ...(message ? [`Exit Message: ${JSON.stringify(message)}`] : [])];
  const details: Record<string, string> = {
    exit_code: String(t.exitCode),
    signal: String(signal),
    ...(t.reason === 'OOMKilled' ? { oom_killed: 'true' } : {}),
  };
  return event('Terminated', unixNanos(t.finishedAt), parts.join(', '), { ExitCode: t.exitCode, Message: message, Details: details });
}

/** The kubelet's back-off before the next start, from CrashLoopBackOff's message ("back-off 40s restarting …"). */
function backOff(status: V1ContainerStatus): number {
  const text = /back-off (\S+)/.exec(status.state?.waiting?.message ?? '')?.[1];
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms === undefined ? 0 : msToNanos(ms);
}

function restartingEvent(at: KubeTime, delay: number): NomadTaskEvent {
  const display = delay > 0 ? `Task restarting in ${formatGoDuration(delay)}` : 'Task restarting';
  return event('Restarting', unixNanos(at), display, {
    StartDelay: delay,
    RestartReason: 'Restart within policy',
    Details: { restart_reason: 'Restart within policy', start_delay: String(delay) },
  });
}

/** Go's time.Duration text of nanoseconds, as Nomad prints delays ("40s", "5m0s"). */
const formatGoDuration = (nanos: number) => formatDuration(nanos / 1e6);

/** When the Pod reached its node: Nomad's client "received" its tasks then. */
function receivedAt(pod: V1Pod): KubeTime {
  return (
    pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True')?.lastTransitionTime ??
    pod.status?.startTime ??
    pod.metadata?.creationTimestamp
  );
}

/** Waiting reasons that are just a container on its way up, not a failure. */
const startingReasons = new Set(['ContainerCreating', 'PodInitializing', 'CrashLoopBackOff']);

/** The events a container's status shows, oldest first. */
function statusEvents(pod: V1Pod, status: V1ContainerStatus): NomadTaskEvent[] {
  const events: NomadTaskEvent[] = [];
  if (pod.spec?.nodeName) events.push(event('Received', unixNanos(receivedAt(pod)), 'Task received by client'));
  const previous = status.lastState?.terminated;
  if (previous) {
    if (previous.startedAt) events.push(event('Started', unixNanos(previous.startedAt), 'Task started by client'));
    events.push(terminatedEvent(previous));
    events.push(restartingEvent(previous.finishedAt, status.state?.waiting?.reason === 'CrashLoopBackOff' ? backOff(status) : 0));
  }
  const { running, terminated, waiting } = status.state ?? {};
  const startedAt = running?.startedAt ?? terminated?.startedAt;
  if (startedAt) events.push(event('Started', unixNanos(startedAt), 'Task started by client'));
  if (terminated) events.push(terminatedEvent(terminated));
  if (terminated && terminated.exitCode !== 0 && pod.status?.phase === 'Failed') {
    events.push(
      event('Not Restarting', unixNanos(terminated.finishedAt), 'Task exceeded restart policy', { FailsTask: true, Details: { fails_task: 'true' } }),
    );
  }
  if (waiting?.reason && !startingReasons.has(waiting.reason)) {
    // A waiting state has no time of its own: the Pod's latest transition is the closest.
    const message = waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason;
    events.push(event('Driver Failure', unixNanos(latestTransition(pod)), message, { DriverError: message, Details: { driver_error: message } }));
  }
  const deletion = pod.metadata?.deletionTimestamp;
  if (deletion && running) {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const at = (kubeMillis(deletion) ?? 0) - grace * 1000;
    const killTimeout = msToNanos(grace * 1000);
    events.push(
      event('Killing', unixNanos(new Date(at)), `Sent interrupt. Waiting ${formatGoDuration(killTimeout)} before force killing`, {
        Details: { kill_timeout: formatGoDuration(killTimeout) },
      }),
    );
  }
  return events;
}

function latestTransition(pod: V1Pod): KubeTime {
  const times = (pod.status?.conditions ?? []).map((c) => c.lastTransitionTime).filter((t) => t !== undefined && t !== null);
  return times.reduce<KubeTime>(
    (latest, t) => ((kubeMillis(t) ?? 0) > (kubeMillis(latest) ?? 0) ? t : latest),
    pod.status?.startTime ?? pod.metadata?.creationTimestamp,
  );
}

/** `spec.containers{web}` → web: the container a Kubernetes Event is about. */
function eventContainer(e: CoreV1Event): string | undefined {
  return /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/.exec(e.involvedObject.fieldPath ?? '')?.[1];
}

function eventTime(e: CoreV1Event): UnixNanos {
  return unixNanos(e.eventTime ?? e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp);
}

/**
 * Kubernetes Events of a container as Nomad task events, for what container statuses do not show:
 * image pulls (Nomad's docker driver reports them as Driver events), start failures, kills, and
 * the restarts and signals asked for through the Nomad API.
 * Starts, exits and back-offs come from the status instead, which is never pruned.
 */
function kubernetesEvent(e: CoreV1Event): NomadTaskEvent | undefined {
  const time = eventTime(e);
  const message = e.message ?? '';
  switch (e.reason) {
    case 'Pulling':
      return event('Driver', time, 'Downloading image', { Details: { image: /"([^"]+)"/.exec(message)?.[1] ?? '' } });
    case 'Pulled':
      return event('Driver', time, message);
    case 'Failed':
      return event('Driver Failure', time, message, { DriverError: message, Details: { driver_error: message } });
    case 'Killing':
      return event('Killing', time, message, { Message: message });
    // Recorded by the Nomad API's alloc restart and alloc signal (routes/client-allocations.ts).
    case lifecycleEventReasons.restart:
      return event('Restart Signaled', time, message, { RestartReason: message, Details: { restart_reason: message } });
    case lifecycleEventReasons.signal:
      // As Nomad's alloc runner: the signal goes in Details only, so the text is the generic one.
      return event('Signaling', time, 'Task being sent a signal', { Details: { signal: message } });
    default:
      return undefined;
  }
}

/** Nomad's task state of one container. */
export function taskState(pod: V1Pod, status: V1ContainerStatus, kubeEvents: readonly CoreV1Event[] = []): NomadTaskState {
  const { running, terminated } = status.state ?? {};
  const state: TaskStateName = running ? 'running' : terminated ? 'dead' : 'pending';
  const fromEvents = kubeEvents.filter((e) => eventContainer(e) === status.name).flatMap((e) => kubernetesEvent(e) ?? []);
  const fromStatus = statusEvents(pod, status).filter((e) => !(e.Type === 'Killing' && fromEvents.some((k) => k.Type === 'Killing')));
  const events = [...fromStatus, ...fromEvents].sort((a, b) => a.Time - b.Time).slice(-maxTaskEvents);
  const previous = status.lastState?.terminated;
  return {
    State: state,
    Failed: terminated !== undefined && terminated.exitCode !== 0,
    Restarts: status.restartCount,
    LastRestart: status.restartCount > 0 && previous ? goTime(previous.finishedAt) : zeroGoTime,
    StartedAt: goTime(running?.startedAt ?? terminated?.startedAt),
    FinishedAt: terminated ? goTime(terminated.finishedAt) : zeroGoTime,
    Events: events,
  };
}

/**
 * Every task's state, by task name; null before the Pod has container statuses (Nomad's
 * TaskStates stay nil until a client has picked the allocation up). `kubeEvents` are the
 * Kubernetes Events whose involvedObject is the Pod, if the caller has them.
 */
export function taskStates(pod: V1Pod, kubeEvents: readonly CoreV1Event[] = []): Record<string, NomadTaskState> | null {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  if (statuses.length === 0) return null;
  const out: Record<string, NomadTaskState> = {};
  for (const status of statuses) out[status.name] = taskState(pod, status, kubeEvents);
  return out;
}
