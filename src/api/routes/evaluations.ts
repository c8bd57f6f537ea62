import { apiGroup, nomadJobResource } from '../../resources/api-version.ts';
import { labels } from '../../resources/labels.ts';
import type { NomadJob } from '../../resources/nomad-job.ts';
import type { ClusterView } from '../cluster-view.ts';
import type { IssuedEvaluation } from '../evaluation-book.ts';
import { notFound } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { placementEvaluationId, toNomadEvaluation } from '../nomad/evaluation.ts';
import type { NomadEvaluation } from '../nomad/types.ts';
import type { ApiRequest, ApiResponse } from '../server.ts';
import { allocationStubs } from './nomad-objects.ts';
import { namespacesAllowed } from './list-helpers.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

const jobsIn = (namespace: string | undefined): Access => ({
  verb: 'list',
  group: apiGroup,
  resource: nomadJobResource.plural,
  ...(namespace ? { namespace } : {}),
});

/** The deployment of the job's current version, if the controller has made one. */
function currentDeploymentId(view: ClusterView, job: NomadJob): string {
  const version = view.jobAt(job)?.version.version;
  return view.deploymentsOf(job).find((d) => d.spec.jobVersion === version)?.metadata.uid ?? '';
}

/** An evaluation a write handed out, as it stands now: complete once the controller has seen the write. */
export function issuedEvaluation(view: ClusterView, e: IssuedEvaluation): NomadEvaluation {
  const job = view.job(e.input.namespace, e.input.jobId);
  const observed = (job?.status?.observedGeneration ?? -1) >= (e.generation ?? 0);
  const done = !job || e.generation === undefined || observed;
  return toNomadEvaluation({
    ...e.input,
    status: done ? 'complete' : 'pending',
    deploymentId: e.deploymentId ?? (job && done ? currentDeploymentId(view, job) : ''),
  });
}

/** Each kept version's placement: the evaluation the controller ran when the version was recorded. */
export function placementEvaluations(view: ClusterView, job: NomadJob): NomadEvaluation[] {
  const deployments = view.deploymentsOf(job);
  return view.allVersionsOf(job).map((v) =>
    toNomadEvaluation({
      id: placementEvaluationId(job.metadata.uid ?? '', v.version.version),
      namespace: job.metadata.namespace ?? 'default',
      jobId: job.metadata.name,
      jobType: v.version.spec.type ?? 'service',
      priority: v.version.spec.priority ?? 50,
      triggeredBy: 'job-register',
      jobModifyIndex: v.indexes.jobModifyIndex,
      index: v.indexes.jobModifyIndex,
      at: Date.parse(v.version.submitTime),
      deploymentId: deployments.find((d) => d.spec.jobVersion === v.version.version)?.metadata.uid,
    }),
  );
}

/** Every evaluation known for the jobs in `namespace` ('*': all), newest first. */
function evaluationsIn(view: ClusterView, namespace: string, allowed: (ns: string) => boolean): NomadEvaluation[] {
  const out = new Map<string, NomadEvaluation>();
  for (const job of view.jobs(namespace)) {
    if (!allowed(job.metadata.namespace ?? 'default')) continue;
    for (const e of placementEvaluations(view, job)) out.set(e.ID, e);
  }
  for (const e of view.evaluations.all()) {
    if ((namespace === '*' || e.input.namespace === namespace) && allowed(e.input.namespace)) out.set(e.input.id, issuedEvaluation(view, e));
  }
  return [...out.values()].sort((a, b) => b.CreateIndex - a.CreateIndex);
}

/** The evaluation with this ID: one a write handed out, or a version's placement. */
function evaluationById(view: ClusterView, id: string): NomadEvaluation | undefined {
  const issued = view.evaluations.get(id);
  if (issued) return issuedEvaluation(view, issued);
  // A recorded version's placement, by the index of version IDs; a pending version's (not recorded yet) by a look at every job.
  const owner = view.placementOwner(id);
  const jobs = owner ? [owner.job] : view.jobs('*');
  for (const job of jobs) for (const e of placementEvaluations(view, job)) if (e.ID === id) return e;
  return undefined;
}

/**
 * `/v1/evaluations`, `/v1/evaluation/:id` and `/v1/evaluation/:id/allocations`: the evaluations
 * writes handed out (complete once the controller has observed the write) and each version's
 * placement. Reading one needs the right to list jobs in its namespace.
 */
export const evaluationRoutes: RouteTable = {
  '/v1/evaluations': { GET: listEvaluations },
  '/v1/evaluation/:id': { GET: readEvaluation },
  '/v1/evaluation/:id/allocations': { GET: evaluationAllocations },
};

async function listEvaluations(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const allowed = await namespacesAllowed(req, ctx, jobsIn);
  return { index: ctx.indexes.get('jobs', 'deployments'), body: evaluationsIn(ctx.view, req.options.namespace, allowed) };
}

async function readEvaluation(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  await req.authorize(jobsIn(req.options.namespace === '*' ? undefined : req.options.namespace));
  const e = evaluationById(ctx.view, (req.params['id'] ?? '').toLowerCase());
  if (!e || (req.options.namespace !== '*' && e.Namespace !== req.options.namespace)) throw notFound('eval not found');
  return { index: Math.max(e.ModifyIndex, 1), body: e };
}

/** The allocations of the evaluation's job at its current version. */
async function evaluationAllocations(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  await req.authorize(jobsIn(req.options.namespace), { verb: 'list', group: '', resource: 'pods', namespace: req.options.namespace });
  const e = evaluationById(view, (req.params['id'] ?? '').toLowerCase());
  const job = e && view.job(e.Namespace, e.JobID);
  if (!e || !job || e.Namespace !== req.options.namespace) return { index: ctx.indexes.get('allocs'), body: [] };
  const version = view.jobAt(job)?.version.version;
  const pods = view.podsOf(job).filter((p) => Number(p.metadata?.labels?.[labels.jobVersion]) === version);
  const jobType = job.spec.type ?? 'service';
  return { index: ctx.indexes.get('allocs'), body: allocationStubs(view, pods, jobType) };
}
