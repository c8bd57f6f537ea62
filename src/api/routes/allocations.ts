import { CoreV1Api, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { apiErrorCode } from '../../kube/client.ts';
import { labels } from '../../resources/labels.ts';
import type { ClusterView } from '../cluster-view.ts';
import { notFound, serverError } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { toNomadAllocation } from '../nomad/allocation.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { findByIdPrefix, parseIdPrefix } from '../nomad/ids.ts';
import { indexOf } from '../nomad/indexes.ts';
import { paginate, paginateOrdered } from '../paginate.ts';
import type { ApiRequest, ApiResponse } from '../server.ts';
import { blockingRead } from '../table-indexes.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/** Nomad looks an allocation up within the request's namespace (`*`: any). */
const inNamespace = (pod: V1Pod | undefined, namespace: string) => (pod && (namespace === '*' || pod.metadata?.namespace === namespace) ? pod : undefined);

const podAccess = (verb: Access['verb'], namespace: string | undefined, name?: string): Access => ({
  verb,
  group: '',
  resource: 'pods',
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

/**
 * `/v1/allocations`, `/v1/allocation/:id` and `/v1/allocation/:id/stop`. An allocation is a Pod
 * (its ID the Pod's UID); stopping one deletes its Pod, and the controller places the
 * replacement under the same allocation name, as Nomad's alloc stop does.
 */
export const allocationRoutes: RouteTable = {
  '/v1/allocations': { GET: listAllocations },
  '/v1/allocation/:id': { GET: readAllocation },
  '/v1/allocation/:id/stop': { POST: stopAllocation },
};

/** A Pod that is a Caravan allocation: it carries its job's label. */
type AllocationPod = V1Pod & { readonly metadata: { readonly labels: Record<string, string> } };

/** The allocation of `/v1/allocation/:id` in the request's namespace, `verb` on Pods authorized first; Nomad's 404 otherwise. */
async function allocationFor(req: ApiRequest, ctx: RouteContext, verb: Access['verb'], missing: string): Promise<AllocationPod> {
  await req.authorize(podAccess(verb, req.options.namespace));
  const pod = inNamespace(ctx.view.podByUid((req.params['id'] ?? '').toLowerCase()), req.options.namespace);
  if (!pod || !pod.metadata?.labels?.[labels.job]) throw notFound(missing);
  return pod as AllocationPod;
}

// GET /v1/allocations

async function listAllocations(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const namespaces = await namespacesAllowed(req, ctx, (ns) => podAccess('list', ns));
  const filter = compileListFilter(req.options.filter);
  const prefix = req.options.prefix;
  if (prefix) {
    const parsed = parseIdPrefix(prefix);
    if (!parsed.ok) throw serverError(parsed.error);
  }
  const taskStates = req.query['task_states'] !== 'false';
  const { index, value } = await blockingRead(ctx.indexes, req.options, () => allocationListPage(req, ctx, namespaces, filter, taskStates), req.signal);
  return { index, body: value.stubs, ...(value.nextToken ? { nextToken: value.nextToken } : {}) };
}

/**
 * One page of the allocation list stubs, as the caches hold them now; by ID under a prefix, else
 * by CreateIndex (a walk in the order the view keeps, from `next_token`). A filter sees the full
 * allocation, as Nomad's does.
 */
function allocationListPage(
  req: ApiRequest,
  ctx: RouteContext,
  namespaces: (ns: string) => boolean,
  filter: ((value: unknown) => boolean) | undefined,
  taskStates: boolean,
) {
  const { view } = ctx;
  const prefix = req.options.prefix;
  const listed = (p: V1Pod) => {
    if (!p.metadata?.labels?.[labels.job] || !namespaces(p.metadata.namespace ?? 'default')) return undefined;
    const stub = view.allocations.stub(p, { taskStates });
    return stub && { stub, pod: p };
  };
  type Listed = NonNullable<ReturnType<typeof listed>>;
  const full = (s: Listed) => {
    const job = view.allocations.jobOf(s.pod);
    const json = job && view.nomadJobAt(job, s.stub.JobVersion);
    return (json && view.allocations.allocation(s.pod, json)) ?? s.stub;
  };
  const accept = filter && ((s: Listed) => filter(full(s)));
  const { page, nextToken } = prefix
    ? paginate(
        (findByIdPrefix(view.pods(req.options.namespace), (p) => p.metadata?.uid ?? '', prefix) as { matches: V1Pod[] }).matches.flatMap(
          (p) => listed(p) ?? [],
        ),
        req.options,
        (s) => s.stub.ID,
        accept,
      )
    : paginateOrdered(
        view.ordered('pods', req.options.namespace),
        req.options,
        (key) => {
          const pod = view.byKey('pods', key);
          return pod && listed(pod);
        },
        accept,
      );
  return { index: ctx.indexes.get('allocs'), value: { stubs: page.map((s) => s.stub), nextToken } };
}

// GET /v1/allocation/:id

async function readAllocation(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const pod = await allocationFor(req, ctx, 'get', 'alloc not found');
  const { index } = await blockingRead(
    ctx.indexes,
    req.options,
    () => {
      const current = view.podByUid(pod.metadata.uid!) ?? pod;
      return { index: indexOf(current.metadata?.resourceVersion) || ctx.indexes.get('allocs'), value: undefined };
    },
    req.signal,
  );
  const current = view.podByUid(pod.metadata.uid!) ?? pod;
  const value = fullAllocation(ctx, current, await taskEvents(ctx, current));
  if (!value) throw notFound('alloc not found');
  return { index, body: value };
}

/**
 * Task events come from the container states and the Pod's own Events (pulls, kills, …): one
 * read of the API server per allocation read, not kept in a cache.
 */
async function taskEvents(ctx: RouteContext, pod: V1Pod): Promise<CoreV1Event[]> {
  return ctx.kc
    .makeApiClient(CoreV1Api)
    .listNamespacedEvent({ namespace: pod.metadata?.namespace ?? 'default', fieldSelector: `involvedObject.uid=${pod.metadata?.uid}` })
    .then((list) => list.items)
    .catch(() => []);
}

/** The Pod as Nomad's full allocation, with its job at the allocation's version; undefined when that version is gone. */
function fullAllocation(ctx: RouteContext, pod: V1Pod, events: CoreV1Event[]) {
  const { view } = ctx;
  const job = view.job(pod.metadata?.namespace ?? 'default', pod.metadata?.labels?.[labels.job] ?? '');
  const json = job && view.nomadJobAt(job, Number(pod.metadata?.labels?.[labels.jobVersion]));
  if (!json) return undefined;
  return toNomadAllocation(pod, json, view.allocations.context(pod, events));
}

// POST /v1/allocation/:id/stop

async function stopAllocation(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const pod = await allocationFor(req, ctx, 'delete', 'allocation not found');
  // no_shutdown_delay skips the grace period, as Nomad skips the group's shutdown_delay.
  await deletePod(ctx, pod, req.query['no_shutdown_delay'] === 'true');
  const index = Math.max(indexOf(pod.metadata.resourceVersion), ctx.indexes.get('allocs'));
  return { index, body: { EvalID: issueStopEvaluation(ctx.view, pod, index), Index: index } };
}

/** Deletes the allocation's Pod; one already gone is stopped too. */
async function deletePod(ctx: RouteContext, pod: V1Pod, noDelay: boolean): Promise<void> {
  const core = ctx.kc.makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespacedPod({
      namespace: pod.metadata?.namespace ?? 'default',
      name: pod.metadata?.name ?? '',
      ...(noDelay ? { gracePeriodSeconds: 0 } : {}),
    });
  } catch (error) {
    if (apiErrorCode(error) !== 404) throw error;
  }
}

/** The evaluation Nomad creates for an alloc stop (triggered by `alloc-stop`); its ID. */
function issueStopEvaluation(view: ClusterView, pod: AllocationPod, index: number): string {
  const job = view.job(pod.metadata.namespace ?? 'default', pod.metadata.labels[labels.job] ?? '');
  return view.evaluations.issue({
    input: {
      id: evaluationId(pod.metadata.uid ?? '', `stop/${pod.metadata.resourceVersion}`),
      namespace: pod.metadata.namespace ?? 'default',
      jobId: pod.metadata.labels[labels.job] ?? '',
      jobType: job?.spec.type ?? 'service',
      priority: job?.spec.priority ?? 50,
      triggeredBy: 'alloc-stop',
      jobModifyIndex: (job && view.jobAt(job)?.indexes.jobModifyIndex) ?? index,
      index,
      at: Date.now(),
    },
  });
}
