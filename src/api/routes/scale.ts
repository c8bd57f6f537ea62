import { jsonPointer } from '../../kube/json-patch.ts';
import { canonicalJob } from '../../model/defaults.ts';
import { isActive } from '../../planner/deployment.ts';
import type { ObservedAllocation } from '../../planner/observed-allocation.ts';
import { observeAllocation } from '../../resources/allocation-pod.ts';
import { apiGroup, nomadJobResource } from '../../resources/api-version.ts';
import type { NomadJob } from '../../resources/nomad-job.ts';
import { annotations } from '../../resources/labels.ts';
import { observeDeployment } from '../../resources/nomad-deployment.ts';
import type { ClusterView } from '../cluster-view.ts';
import type { JobAtVersion } from '../nomad/job.ts';
import { patchJobChecked } from '../job-writer.ts';
import { badRequest, notFound, serverError } from '../http-error.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { indexOf } from '../nomad/indexes.ts';
import type { ApiRequest, ApiResponse } from '../server.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/**
 * `/v1/job/:id/scale`. GET: each group's desired count and its live, non-canary allocations of
 * the current job (placed, running, healthy, unhealthy by their deployment health). POST with a
 * Count: the group's count in the NomadJob's spec changes (a new version, as Nomad registers
 * one), with Nomad's checks; without a Count Nomad only records a scaling event, which Caravan
 * does not keep (answered, nothing written).
 */
export const scaleRoutes: RouteTable = {
  '/v1/job/:id/scale': { GET: jobScaleStatus, POST: scaleJob },
};

/** The job of `/v1/job/:id/scale` at its current version, `verb` authorized before the lookup. */
async function scaledJob(req: ApiRequest, ctx: RouteContext, verb: 'get' | 'update', missing: string): Promise<{ job: NomadJob; at: JobAtVersion }> {
  const namespace = req.options.namespace;
  const name = req.params['id'] ?? '';
  await req.authorize({ verb, group: apiGroup, resource: nomadJobResource.plural, namespace, name });
  const job = ctx.view.job(namespace, name);
  const at = job && ctx.view.jobAt(job);
  if (!job || !at) throw notFound(missing);
  return { job, at };
}

// GET /v1/job/:id/scale

async function jobScaleStatus(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const namespace = req.options.namespace;
  const name = req.params['id'] ?? '';
  const { job, at } = await scaledJob(req, ctx, 'get', 'job not found');
  const allocs = countedAllocations(ctx.view, job);
  const TaskGroups = Object.fromEntries(
    canonicalJob(name, namespace, at.version.spec).taskGroups.map((g) => [
      g.name,
      groupScaleStatus(
        g.count,
        allocs.filter((a) => a.group === g.name),
      ),
    ]),
  );
  return {
    index: Math.max(at.indexes.modifyIndex, ctx.indexes.get('allocs')),
    body: {
      JobID: name,
      Namespace: namespace,
      JobCreateIndex: at.indexes.createIndex,
      JobModifyIndex: at.indexes.jobModifyIndex,
      JobStopped: job.spec.stop === true,
      TaskGroups,
    },
  };
}

/**
 * The job's live allocations that count against a group's count. Canaries count once promoted
 * (they keep their canary flag, as in Nomad); unpromoted ones run beside the count.
 */
function countedAllocations(view: ClusterView, job: NomadJob): ObservedAllocation[] {
  const unpromoted = new Set(
    view.deploymentsOf(job).flatMap((d) =>
      d.status?.status === 'running' || d.status?.status === 'paused'
        ? Object.entries(d.status.taskGroups ?? {})
            .filter(([, g]) => !g.promoted)
            .map(([g]) => `${d.metadata.name}/${g}`)
        : [],
    ),
  );
  const deployments = new Map(view.deploymentsOf(job).map((d) => [d.metadata.name, d]));
  return view
    .podsOf(job)
    .flatMap((p) => observeAllocation(p, deployments.get(p.metadata?.annotations?.[annotations.deployment] ?? '')) ?? [])
    .filter((a) => !a.deleting && !(a.canary && unpromoted.has(`${a.deployment}/${a.group}`)) && a.phase !== 'Succeeded' && a.phase !== 'Failed');
}

/** Nomad's TaskGroupScaleStatus of one group. */
function groupScaleStatus(desired: number, mine: readonly ObservedAllocation[]) {
  return {
    Desired: desired,
    Placed: mine.length,
    Running: mine.filter((a) => a.phase === 'Running').length,
    Healthy: mine.filter((a) => a.recordedHealth?.health === 'healthy').length,
    Unhealthy: mine.filter((a) => a.recordedHealth?.health === 'unhealthy').length,
    Events: null,
  };
}

// POST /v1/job/:id/scale

interface ScalingRequest {
  Count?: number | null;
  Target?: Record<string, string>;
  Error?: boolean;
  JobModifyIndex?: number;
}

async function scaleJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const namespace = req.options.namespace;
  const name = req.params['id'] ?? '';
  const body = (req.body ?? {}) as ScalingRequest;
  const { groupName, count } = scalingAction(body, namespace, name);
  const { job, at } = await scaledJob(req, ctx, 'update', `job ${JSON.stringify(name)} not found`);
  const index = at.indexes.jobModifyIndex;
  if (body.JobModifyIndex && body.JobModifyIndex !== index)
    throw serverError(`Enforcing job modify index ${body.JobModifyIndex}: job exists with conflicting job modify index: ${index}`);
  const groupIndex = scaledGroupIndex(job, groupName, count);
  // Caravan refuses `scaling` blocks (no autoscaler), so there is no policy minimum or maximum to check.
  if (count === undefined) return { index, body: { EvalID: '', EvalCreateIndex: 0, JobModifyIndex: index, Warnings: '', Index: index } };
  const active = ctx.view.deploymentsOf(job).some((d) => isActive(observeDeployment(d).status) && d.spec.jobVersion === at.version.version);
  if (active) throw badRequest('job scaling blocked due to active deployment');
  const written = await patchJobChecked(
    ctx.kc,
    namespace,
    name,
    [{ op: 'replace', path: jsonPointer('spec', 'taskGroups', groupIndex, 'count'), value: count }],
    'scaled',
  );
  await ctx.view.caughtUp('jobs', `${namespace}/${name}`, written.metadata.resourceVersion);
  const writtenIndex = indexOf(written.metadata.resourceVersion);
  return {
    index: writtenIndex,
    body: {
      EvalID: evaluationId(written.metadata.uid ?? '', written.metadata.resourceVersion ?? ''),
      EvalCreateIndex: writtenIndex,
      JobModifyIndex: writtenIndex,
      Warnings: '',
      Index: writtenIndex,
    },
  };
}

/** The group and count a scaling request asks for, with Nomad's 400s for a request that does not fit the path. */
function scalingAction(body: ScalingRequest, namespace: string, name: string): { groupName: string; count: number | undefined } {
  const target = body.Target ?? {};
  if (target['Job'] !== undefined && target['Job'] !== name) throw badRequest('job ID in payload did not match URL');
  if (target['Namespace'] !== undefined && target['Namespace'] !== namespace) throw badRequest('namespace in payload did not match header');
  const groupName = target['Group'];
  if (!groupName) throw badRequest('missing task group name for scaling action');
  const count = body.Count ?? undefined;
  if (count !== undefined && count < 0) throw badRequest("scaling action count can't be negative");
  if (count !== undefined && body.Error) throw badRequest('scaling action should not contain count if error is true');
  return { groupName, count };
}

/** Where the group is in the job's spec; Nomad's 400s for a missing group and a system job scaled above 1. */
function scaledGroupIndex(job: NomadJob, groupName: string, count: number | undefined): number {
  const groupIndex = job.spec.taskGroups.findIndex((g) => g.name === groupName);
  if (groupIndex < 0) throw badRequest(`task group ${JSON.stringify(groupName)} specified for scaling does not exist in job`);
  if ((job.spec.type === 'system' || job.spec.type === 'sysbatch') && count !== undefined && count > 1)
    throw badRequest(`jobs of type "${job.spec.type}" can only be scaled between 0 and 1`);
  return groupIndex;
}
