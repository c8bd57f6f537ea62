import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execInContainer } from '../../kube/pod-exec.ts';
import { labels } from '../../resources/labels.ts';
import type { ClusterView } from '../cluster-view.ts';
import { NomadHttpError, notFound } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import {
  type LifecyclePlan,
  type PodTask,
  type Refusal,
  execFailure,
  killCommand,
  lifecycleEventReasons,
  multiError,
  notRestarted,
  planRestart,
  planSignal,
  restartScope,
  runEnded,
} from '../nomad/alloc-lifecycle.ts';
import type { ApiRequest, ApiResponse, NomadApiContext } from '../server.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/** A restart or signal is an exec into the Pod's containers: RBAC's `create pods/exec`. */
const execAccess = (namespace: string): Access => ({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace });

/** How long a restart waits for the kubelet to show the container's run ended: its grace period, and time for the status to arrive. */
const restartWaitMs = (pod: V1Pod) => ((pod.spec?.terminationGracePeriodSeconds ?? 30) + 10) * 1000;

const refusal = (r: Refusal) => new NomadHttpError(r.status, r.error);

/**
 * The allocation a client endpoint names, and the caller's right to exec into it. The right is
 * checked before the lookup answers, so a caller without it learns nothing about the allocation.
 */
async function allocationFor(req: ApiRequest, view: ClusterView): Promise<{ pod: V1Pod; id: string }> {
  const id = req.params['id'] ?? '';
  const found = view.podByUid(id.toLowerCase());
  const pod =
    found?.metadata?.labels?.[labels.job] && (req.options.namespace === '*' || found.metadata.namespace === req.options.namespace) ? found : undefined;
  await req.authorize(execAccess(pod?.metadata?.namespace ?? req.options.namespace));
  // Nomad's client: structs.NewErrUnknownAllocation, answered 404 by the HTTP layer.
  if (!pod) throw notFound(`Unknown allocation ${JSON.stringify(id)}`);
  return { pod, id: pod.metadata?.uid ?? id };
}

/**
 * Records Nomad's task event as a Kubernetes Event on the Pod, about the container: task-states.ts
 * reads it back into the task's Events, and `kubectl describe pod` shows it. Best effort: the
 * signal was delivered whether or not the record is written.
 */
async function recordTaskEvent(ctx: NomadApiContext, pod: V1Pod, task: PodTask, reason: string, message: string, at: Date): Promise<void> {
  const namespace = pod.metadata?.namespace ?? 'default';
  // MicroTime: six fraction digits, so the event sorts among the container's own times.
  const micro = at.toISOString().replace(/Z$/, '000Z');
  try {
    await ctx.kc.makeApiClient(CoreV1Api).createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${pod.metadata?.name}.`, namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', fieldPath: task.fieldPath },
        type: 'Normal',
        reason,
        message,
        source: { component: 'caravan-nomad-api' },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        eventTime: micro as unknown as Date,
        action: reason,
        reportingComponent: 'caravan.dev/nomad-api',
        reportingInstance: os.hostname(),
      },
    });
  } catch (error) {
    ctx.logger?.warn({ namespace, pod: pod.metadata?.name, task: task.name, reason, err: error }, 'task event not recorded');
  }
}

/** Execs `kill` into each target container at once; the tasks it reached, and the errors of the others. */
async function signalTasks(
  ctx: NomadApiContext,
  pod: V1Pod,
  allocId: string,
  plan: LifecyclePlan,
  event: { reason: string; message: string },
): Promise<{ reached: PodTask[]; errors: string[] }> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const outcomes = await Promise.all(
    plan.targets.map(async (task) => {
      const at = new Date();
      const outcome = await execInContainer(ctx.kc, { namespace, pod: pod.metadata?.name ?? '', container: task.name, command: killCommand(plan.signal) });
      if (outcome.kind === 'ok') await recordTaskEvent(ctx, pod, task, event.reason, event.message, at);
      return { task, outcome };
    }),
  );
  const reached = outcomes.filter((o) => o.outcome.kind === 'ok').map((o) => o.task);
  const errors = outcomes.flatMap(({ task, outcome }) => (outcome.kind === 'ok' ? [] : [execFailure(task.name, plan.signal, outcome, { namespace, allocId })]));
  return { reached, errors };
}

/** Waits until every restarted container's run has ended (the kubelet starts the next one); the tasks still running at the deadline. */
async function awaitRunsEnded(view: ClusterView, pod: V1Pod, tasks: readonly PodTask[], signal: AbortSignal): Promise<PodTask[]> {
  const deadline = Date.now() + restartWaitMs(pod);
  const pending = () => {
    const now = view.podByUid(pod.metadata?.uid ?? '');
    const statuses = [...(now?.status?.initContainerStatuses ?? []), ...(now?.status?.containerStatuses ?? [])];
    return tasks.filter(
      (t) =>
        !runEnded(
          t.status,
          statuses.find((s) => s.name === t.name),
        ),
    );
  };
  while (pending().length > 0 && Date.now() < deadline && !signal.aborted) await sleep(250);
  return pending();
}

const failWith = (errors: readonly string[]) => new NomadHttpError(500, errors.length === 1 ? errors[0]! : multiError(errors));

/**
 * Nomad's client endpoints `restart` and `signal`, carried out with `pods/exec` (issue 13 §5):
 * `kill -s <signal> 1` in each task's container. A restart is SIGTERM and the kubelet's restart of
 * the container, so the Pod and the allocation ID stay; it answers once each container's run has
 * ended, as Nomad's answers once the task was killed. Every task event is a Kubernetes Event on the
 * Pod ("Restart Signaled", "Signaling"). The exec runs with the controller's credentials after a
 * SubjectAccessReview of the caller for `create pods/exec`, as the other writes do. Whatever exec
 * cannot do is an error that says so and what to do instead; nothing passes silently.
 */
export const clientAllocationRoutes: RouteTable = {
  '/v1/client/allocation/:id/restart': { POST: restartAllocation },
  '/v1/client/allocation/:id/signal': { POST: signalAllocation },
};

// POST /v1/client/allocation/:id/restart

async function restartAllocation(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { pod, id } = await allocationFor(req, ctx.view);
  const scope = restartScope(req.body);
  if ('ok' in scope) throw refusal(scope);
  const plan = planRestart(pod, scope, id);
  if (!plan.ok) throw refusal(plan);
  const { reached, errors } = await signalTasks(ctx, pod, id, plan, { reason: lifecycleEventReasons.restart, message: plan.reason });
  const stuck = await awaitRunsEnded(ctx.view, pod, reached, req.signal);
  const waited = restartWaitMs(pod) / 1000;
  const all = [...errors, ...stuck.map((t) => notRestarted(t.name, waited, id))];
  if (all.length > 0) throw failWith(all);
  return { body: { Index: 0 } };
}

// POST /v1/client/allocation/:id/signal

async function signalAllocation(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { pod, id } = await allocationFor(req, ctx.view);
  const plan = planSignal(pod, req.body, id);
  if (!plan.ok) throw refusal(plan);
  const { errors } = await signalTasks(ctx, pod, id, plan, { reason: lifecycleEventReasons.signal, message: plan.signal });
  const all = [...plan.skipped.map((s) => s.error), ...errors];
  if (all.length > 0) throw failWith(all);
  return { body: { Index: 0 } };
}
