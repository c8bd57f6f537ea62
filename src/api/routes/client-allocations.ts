import type { V1Pod } from '@kubernetes/client-node';
import { labels } from '../../resources/labels.ts';
import { restartByExec, signalByExec, type AllocExecIo } from '../alloc-exec.ts';
import type { ClusterView } from '../cluster-view.ts';
import { NomadHttpError, notFound } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { type Refusal, multiError, planRestart, planSignal, restartScope } from '../nomad/alloc-lifecycle.ts';
import type { ApiRequest, ApiResponse } from '../server.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/** A restart or signal is an exec into the Pod's containers: RBAC's `create pods/exec`. */
const execAccess = (namespace: string): Access => ({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace });

const refusal = (r: Refusal) => new NomadHttpError(r.status, r.error);

const failWith = (errors: readonly string[]) => new NomadHttpError(500, errors.length === 1 ? errors[0]! : multiError(errors));

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

/** The exec runs with the controller's credentials; the restart watches the Pod in the cache. */
function execIo(req: ApiRequest, ctx: RouteContext, pod: V1Pod): AllocExecIo {
  return {
    kc: ctx.kc,
    currentPod: async () => ctx.view.podByUid(pod.metadata?.uid ?? ''),
    reporter: 'caravan.dev/nomad-api',
    credentials: 'controller',
    unrecorded: (task, error) => ctx.logger?.warn({ namespace: pod.metadata?.namespace, pod: pod.metadata?.name, task, err: error }, 'task event not recorded'),
    abort: req.signal,
  };
}

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
  const errors = await restartByExec(execIo(req, ctx, pod), pod, id, plan);
  if (errors.length > 0) throw failWith(errors);
  return { body: { Index: 0 } };
}

// POST /v1/client/allocation/:id/signal

async function signalAllocation(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { pod, id } = await allocationFor(req, ctx.view);
  const plan = planSignal(pod, req.body, id);
  if (!plan.ok) throw refusal(plan);
  const errors = await signalByExec(execIo(req, ctx, pod), pod, id, plan);
  if (errors.length > 0) throw failWith(errors);
  return { body: { Index: 0 } };
}
