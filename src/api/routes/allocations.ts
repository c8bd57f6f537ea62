import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { apiErrorCode } from '../../kube/client.ts';
import { labels } from '../../resources/labels.ts';
import type { ClusterView } from '../cluster-view.ts';
import { notFound, serverError } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { toAllocListStub, toNomadAllocation } from '../nomad/allocation.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { findByIdPrefix, parseIdPrefix } from '../nomad/ids.ts';
import { indexOf } from '../nomad/indexes.ts';
import { toNomadJob } from '../nomad/job.ts';
import { paginate } from '../paginate.ts';
import type { Route } from '../server.ts';
import { blockingRead } from '../table-indexes.ts';
import { allocationContext } from './nomad-objects.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';

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
export function allocationRoutes(view: ClusterView): Route[] {
  return [
    {
      path: '/v1/allocations',
      methods: {
        GET: async (req, ctx) => {
          const namespaces = await namespacesAllowed(req, ctx, (ns) => podAccess('list', ns));
          const filter = compileListFilter(req.options.filter);
          const prefix = req.options.prefix;
          if (prefix) {
            const parsed = parseIdPrefix(prefix);
            if (!parsed.ok) throw serverError(parsed.error);
          }
          const taskStates = req.query['task_states'] !== 'false';
          const { index, value } = await blockingRead(
            ctx.indexes,
            req.options,
            () => {
              const all = view.pods(req.options.namespace).filter((p) => namespaces(p.metadata?.namespace ?? 'default') && p.metadata?.labels?.[labels.job]);
              const pods = prefix ? (findByIdPrefix(all, (p) => p.metadata?.uid ?? '', prefix) as { matches: typeof all }).matches : all;
              const context = allocationContext(ctx, view, pods);
              const stubs = pods.flatMap((p) => {
                const job = view.job(p.metadata?.namespace ?? 'default', p.metadata?.labels?.[labels.job] ?? '');
                const stub = toAllocListStub(p, context(p), { jobType: job?.spec.type ?? 'service', taskStates });
                return stub ? [{ stub, pod: p, job }] : [];
              });
              const full = (s: (typeof stubs)[number]) => {
                const at = s.job && view.jobAt(s.job, s.stub.JobVersion);
                return at ? toNomadAllocation(s.pod, toNomadJob(at), context(s.pod)) : s.stub;
              };
              const { page, nextToken } = paginate(
                stubs,
                req.options,
                (s) => (prefix ? s.stub.ID : `${s.stub.CreateIndex}.${s.stub.ID}`),
                filter && ((s) => filter(full(s))),
              );
              return { index: ctx.indexes.get('allocs'), value: { stubs: page.map((s) => s.stub), nextToken } };
            },
            req.signal,
          );
          return { index, body: value.stubs, ...(value.nextToken ? { nextToken: value.nextToken } : {}) };
        },
      },
    },
    {
      path: '/v1/allocation/:id',
      methods: {
        GET: async (req, ctx) => {
          await req.authorize(podAccess('get', req.options.namespace));
          const pod = inNamespace(view.podByUid((req.params['id'] ?? '').toLowerCase()), req.options.namespace);
          if (!pod || !pod.metadata?.labels?.[labels.job]) throw notFound('alloc not found');
          const { index } = await blockingRead(
            ctx.indexes,
            req.options,
            () => {
              const current = view.podByUid(pod.metadata!.uid!) ?? pod;
              return { index: indexOf(current.metadata?.resourceVersion) || ctx.indexes.get('allocs'), value: undefined };
            },
            req.signal,
          );
          // Task events come from the container states and the Pod's own Events (pulls, kills, …):
          // one read of the API server per allocation read, not kept in a cache.
          const current = view.podByUid(pod.metadata.uid!) ?? pod;
          const events = await ctx.kc
            .makeApiClient(CoreV1Api)
            .listNamespacedEvent({ namespace: current.metadata?.namespace ?? 'default', fieldSelector: `involvedObject.uid=${current.metadata?.uid}` })
            .then((list) => list.items)
            .catch(() => []);
          const job = view.job(current.metadata?.namespace ?? 'default', current.metadata?.labels?.[labels.job] ?? '');
          const at = job && view.jobAt(job, Number(current.metadata?.labels?.[labels.jobVersion]));
          const value = at
            ? toNomadAllocation(current, toNomadJob(at), {
                ...allocationContext(ctx, view, view.pods(current.metadata?.namespace ?? 'default'))(current),
                events,
              })
            : undefined;
          if (!value) throw notFound('alloc not found');
          return { index, body: value };
        },
      },
    },
    {
      path: '/v1/allocation/:id/stop',
      methods: {
        POST: async (req, ctx) => {
          await req.authorize(podAccess('delete', req.options.namespace));
          const pod = inNamespace(view.podByUid((req.params['id'] ?? '').toLowerCase()), req.options.namespace);
          if (!pod || !pod.metadata?.labels?.[labels.job]) throw notFound('allocation not found');
          const core = ctx.kc.makeApiClient(CoreV1Api);
          // no_shutdown_delay skips the grace period, as Nomad skips the group's shutdown_delay.
          const noDelay = req.query['no_shutdown_delay'] === 'true';
          try {
            await core.deleteNamespacedPod({
              namespace: pod.metadata.namespace ?? 'default',
              name: pod.metadata.name ?? '',
              ...(noDelay ? { gracePeriodSeconds: 0 } : {}),
            });
          } catch (error) {
            if (apiErrorCode(error) !== 404) throw error;
          }
          const index = Math.max(indexOf(pod.metadata.resourceVersion), ctx.indexes.get('allocs'));
          const job = view.job(pod.metadata.namespace ?? 'default', pod.metadata.labels[labels.job] ?? '');
          const evalId = view.evaluations.issue({
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
          return { index, body: { EvalID: evalId, Index: index } };
        },
      },
    },
  ];
}
