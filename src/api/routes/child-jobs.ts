import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { apiErrorCode } from '../../kube/client.ts';
import { dispatchProblem } from '../../model/dispatch-request.ts';
import type { NomadJobSpec } from '../../model/nomad-job-spec.ts';
import { nextLaunchAfter } from '../../model/periodic-schedule.ts';
import { childrenSummary } from '../../planner/child-gc.ts';
import { apiGroup, nomadJobResource } from '../../resources/api-version.ts';
import { childAnnotations, childIdentity, childrenOf, dispatchedChild, nomadJobId, payloadSecret, periodicChild } from '../../resources/child-job.ts';
import type { NomadJob } from '../../resources/nomad-job.ts';
import type { ClusterView } from '../cluster-view.ts';
import { badRequest, serverError } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { indexOf } from '../nomad/indexes.ts';
import type { NomadJobSummary } from '../nomad/types.ts';
import { goTime, zeroGoTime } from '../nomad/wire.ts';
import type { ApiRequest, ApiResponse, NomadApiContext } from '../server.ts';
import { writeEvaluation } from './jobs.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/**
 * Launching children of periodic and parameterized parents (issue 13): dispatch and periodic
 * force create the child NomadJob here, as Nomad's endpoints commit the child before they answer;
 * the controller runs it like any batch job. A dispatch's payload goes into a Secret owned by
 * the child.
 */
export const childJobRoutes: RouteTable = {
  '/v1/job/:id/dispatch': { POST: dispatchJob },
  '/v1/job/:id/periodic/force': { POST: forcePeriodicJob },
};

/** Making a child is creating a NomadJob in the parent's namespace (Nomad's dispatch-job capability). */
const createJobs = (namespace: string): Access => ({ verb: 'create', group: apiGroup, resource: nomadJobResource.plural, namespace });

/** `JobSummary.Children` of a parent (null for any other job). */
export function childrenCount(view: ClusterView, job: NomadJob): NomadJobSummary['Children'] {
  if (!job.spec.periodic && !job.spec.parameterized) return null;
  return childrenSummary(childrenOf(job, view.childrenOf(job)).map((c) => ({ status: c.status?.status })));
}

/** The plan's NextPeriodicLaunch: zero unless the job is periodic and enabled. */
export function nextPeriodicLaunch(spec: NomadJobSpec, now: number): string {
  const p = spec.periodic;
  const next = p && p.enabled !== false && !spec.parameterized ? nextLaunchAfter(p, now) : undefined;
  return next === undefined ? zeroGoTime : goTime(next);
}

/** Creates the child; `existed` when one of that name was there (the same launch second, or the same idempotency token). */
async function createChild(ctx: NomadApiContext, child: NomadJob): Promise<{ job: NomadJob; existed: boolean }> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  const namespace = child.metadata.namespace ?? 'default';
  try {
    return { job: (await custom.createNamespacedCustomObject({ ...nomadJobResource, namespace, body: child })) as NomadJob, existed: false };
  } catch (error) {
    // A forced and a scheduled launch in the same second: Nomad updates the first child; this is that child.
    if (apiErrorCode(error) !== 409) throw error;
    return { job: (await custom.getNamespacedCustomObject({ ...nomadJobResource, namespace, name: child.metadata.name })) as NomadJob, existed: true };
  }
}

function decodePayload(value: unknown): Buffer {
  if (value === undefined || value === null || value === '') return Buffer.alloc(0);
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
    throw badRequest('Request decode failed: illegal base64 data in Payload');
  return Buffer.from(value, 'base64');
}

function decodeMeta(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string'))
    throw badRequest('Request decode failed: Meta must map strings to strings');
  return value as Record<string, string>;
}

// POST /v1/job/:id/dispatch (spec §2.2, §6.2)

async function dispatchJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const id = req.params['id'] ?? '';
  const namespace = req.options.namespace;
  const body = req.body as Record<string, unknown> | undefined;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body is empty');
  if (body['JobID'] && body['JobID'] !== id) throw badRequest('Job ID does not match');
  await req.authorize(createJobs(namespace));
  if (!id) throw serverError('missing parameterized job ID');
  const parent = view.job(namespace, id);
  if (!parent) throw serverError('parameterized job not found');
  if (!parent.spec.parameterized || childIdentity(parent)?.dispatched) throw serverError(`Specified job "${id}" is not a parameterized job`);
  if (parent.spec.stop) throw serverError(`Specified job "${id}" is stopped`);
  const payload = decodePayload(body['Payload']);
  const meta = decodeMeta(body['Meta']);
  const problem = dispatchProblem(parent.spec.parameterized, { payloadBytes: payload.length, meta });
  if (problem) throw serverError(problem);
  const priority = body['Priority'];
  if (priority !== undefined && priority !== 0 && (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 100))
    throw serverError('dispatch job priority must be between [1, 100]');
  const template = typeof body['IdPrefixTemplate'] === 'string' && body['IdPrefixTemplate'] !== '' ? body['IdPrefixTemplate'] : undefined;
  // A non-empty query parameter wins over the body's (spec §2.4).
  const bodyToken = typeof body['IdempotencyToken'] === 'string' ? body['IdempotencyToken'] : '';
  const token = req.query['idempotency_token'] || bodyToken || undefined;

  const unix = Math.floor(Date.now() / 1000);
  const hex8 = randomUUID().replaceAll('-', '').slice(0, 8);
  const child = dispatchedChild(parent, {
    unix,
    hex8,
    meta,
    hasPayload: payload.length > 0,
    ...(template ? { idPrefixTemplate: template } : {}),
    ...(token ? { idempotencyToken: token } : {}),
  });
  if (typeof priority === 'number' && priority > 0) child.spec = { ...child.spec, priority };
  const { job: created, existed } = await createChild(ctx, child);
  if (existed) {
    // The token's child, whatever its status, until it is garbage-collected: no new child, no evaluation.
    if (childIdentity(created)?.parentName !== parent.metadata.name || created.metadata.annotations?.[childAnnotations.idempotencyToken] !== token)
      throw serverError(`dispatch of job "${id}" collided with the existing job ${created.metadata.name}: try again`);
    const index = indexOf(created.metadata.resourceVersion);
    return { index, body: { DispatchedJobID: nomadJobId(created), EvalID: '', EvalCreateIndex: 0, JobCreateIndex: index, Index: index } };
  }
  // The child first (the Secret is owned by it); its Pods wait for the Secret, which is mounted as required.
  if (payload.length > 0) await ctx.kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: payloadSecret(created, payload) });
  await view.caughtUp('jobs', `${namespace}/${created.metadata.name}`, created.metadata.resourceVersion);
  const evaluation = writeEvaluation(view, created, 'job-register');
  const index = indexOf(created.metadata.resourceVersion);
  return {
    index,
    body: { DispatchedJobID: nomadJobId(created), EvalID: evaluation.EvalID, EvalCreateIndex: evaluation.EvalCreateIndex, JobCreateIndex: index, Index: index },
  };
}

// POST /v1/job/:id/periodic/force (spec §1.6, §6.4)

async function forcePeriodicJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const id = req.params['id'] ?? '';
  const namespace = req.options.namespace;
  await req.authorize(createJobs(namespace));
  if (!id) throw serverError('missing job ID for evaluation');
  const parent = view.job(namespace, id);
  if (!parent) throw serverError('job not found');
  if (!parent.spec.periodic) throw serverError("can't force launch non-periodic job");
  // Only tracked parents launch: enabled, not stopped, not parameterized.
  if (parent.spec.periodic.enabled === false || parent.spec.stop || parent.spec.parameterized)
    throw serverError(`force launch for job "${id}" failed: can't force run non-tracked job "${id}" (${namespace})`);
  // Now, whatever prohibit_overlap says (Nomad's force ignores it); the scheduled next launch is unchanged.
  const { job: created } = await createChild(ctx, periodicChild(parent, Date.now()));
  await view.caughtUp('jobs', `${namespace}/${created.metadata.name}`, created.metadata.resourceVersion);
  const evaluation = writeEvaluation(view, created, 'periodic-job');
  return { index: evaluation.EvalCreateIndex, body: { ...evaluation, Index: evaluation.EvalCreateIndex } };
}
