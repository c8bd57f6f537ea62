import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execInContainer } from '../kube/pod-exec.ts';
import { type LifecyclePlan, type PodTask, execFailure, killCommand, lifecycleEventReasons, notRestarted, runEnded } from './nomad/alloc-lifecycle.ts';

/**
 * What carrying out an alloc restart or signal needs: credentials for pods/exec and Events (the
 * controller's in the Nomad API, the user's in `kubectl nomad`), a fresh look at the Pod, and who
 * records the task events.
 */
export interface AllocExecIo {
  readonly kc: KubeConfig;
  /** The Pod now (the API's cache, or a read): a restart watches it for the container's next run. */
  readonly currentPod: () => Promise<V1Pod | undefined>;
  /** The Events' reportingComponent and source (caravan.dev/nomad-api, kubectl-nomad). */
  readonly reporter: string;
  /** Whose credentials exec with: a refusal tells the controller's ClusterRole from the user's own rights. */
  readonly credentials: 'controller' | 'user';
  /** Told when a task event could not be recorded (the signal was delivered all the same). */
  readonly unrecorded: (task: string, error: unknown) => void;
  readonly abort?: AbortSignal;
}

/**
 * Records Nomad's task event as a Kubernetes Event on the Pod, about the container: task-states.ts
 * reads it back into the task's Events, and `kubectl describe pod` shows it.
 */
async function recordTaskEvent(io: AllocExecIo, pod: V1Pod, task: PodTask, reason: string, message: string, at: Date): Promise<void> {
  const namespace = pod.metadata?.namespace ?? 'default';
  // MicroTime: six fraction digits, so the event sorts among the container's own times.
  const micro = at.toISOString().replace(/Z$/, '000Z');
  try {
    await io.kc.makeApiClient(CoreV1Api).createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${pod.metadata?.name}.`, namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', fieldPath: task.fieldPath },
        type: 'Normal',
        reason,
        message,
        source: { component: io.reporter },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        eventTime: micro as unknown as Date,
        action: reason,
        reportingComponent: io.reporter,
        reportingInstance: os.hostname(),
      },
    });
  } catch (error) {
    io.unrecorded(task.name, error);
  }
}

/** Execs `kill` into each target container at once; the tasks it reached, and the errors of the others. */
async function signalTargets(
  io: AllocExecIo,
  pod: V1Pod,
  allocId: string,
  plan: LifecyclePlan,
  reason: string,
  message: string,
): Promise<{ reached: PodTask[]; errors: string[] }> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const outcomes = await Promise.all(
    plan.targets.map(async (task) => {
      const at = new Date();
      const outcome = await execInContainer(io.kc, { namespace, pod: pod.metadata?.name ?? '', container: task.name, command: killCommand(plan.signal) });
      if (outcome.kind === 'ok') await recordTaskEvent(io, pod, task, reason, message, at);
      return { task, outcome };
    }),
  );
  const reached = outcomes.filter((o) => o.outcome.kind === 'ok').map((o) => o.task);
  const errors = outcomes.flatMap(({ task, outcome }) =>
    outcome.kind === 'ok' ? [] : [execFailure(task.name, plan.signal, outcome, { namespace, allocId, credentials: io.credentials })],
  );
  return { reached, errors };
}

/** How long a restart waits for the kubelet to show a container's run ended: its grace period, and time for the status to arrive. */
export const restartWaitMs = (pod: V1Pod) => ((pod.spec?.terminationGracePeriodSeconds ?? 30) + 10) * 1000;

/** Waits until every restarted container's run has ended (the kubelet starts the next one); the tasks still running at the deadline. */
async function awaitRunsEnded(io: AllocExecIo, pod: V1Pod, tasks: readonly PodTask[]): Promise<PodTask[]> {
  const deadline = Date.now() + restartWaitMs(pod);
  const pending = async () => {
    const now = await io.currentPod();
    const statuses = [...(now?.status?.initContainerStatuses ?? []), ...(now?.status?.containerStatuses ?? [])];
    return tasks.filter(
      (t) =>
        !runEnded(
          t.status,
          statuses.find((s) => s.name === t.name),
        ),
    );
  };
  let left = await pending();
  while (left.length > 0 && Date.now() < deadline && !io.abort?.aborted) {
    await sleep(250);
    left = await pending();
  }
  return left;
}

/**
 * A restart: SIGTERM to each target's process 1, a "Restart Signaled" event for each one reached,
 * then the wait until each run has ended (Nomad answers once the task was killed). The errors,
 * one per task that was not restarted; none when all were.
 */
export async function restartByExec(io: AllocExecIo, pod: V1Pod, allocId: string, plan: LifecyclePlan): Promise<string[]> {
  const { reached, errors } = await signalTargets(io, pod, allocId, plan, lifecycleEventReasons.restart, plan.reason);
  const stuck = await awaitRunsEnded(io, pod, reached);
  return [...errors, ...stuck.map((t) => notRestarted(t.name, restartWaitMs(pod) / 1000, allocId))];
}

/** A signal: `kill -s <signal> 1` in each target, a "Signaling" event for each one reached; the errors, with the tasks the plan skipped. */
export async function signalByExec(io: AllocExecIo, pod: V1Pod, allocId: string, plan: LifecyclePlan): Promise<string[]> {
  const { errors } = await signalTargets(io, pod, allocId, plan, lifecycleEventReasons.signal, plan.signal);
  return [...plan.skipped.map((s) => s.error), ...errors];
}
