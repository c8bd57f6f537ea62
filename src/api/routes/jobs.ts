import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiErrorCode } from '../../kube/client.ts';
import { JobVersionStore } from '../../kube/job-version-store.ts';
import { canonicalJob } from '../../model/defaults.ts';
import type { NomadJobSpec } from '../../model/nomad-job-spec.ts';
import { observeAllocation } from '../../resources/allocation-pod.ts';
import { apiGroup, apiVersion, nomadDeploymentResource, nomadJobResource } from '../../resources/api-version.ts';
import { versionObjectName } from '../../resources/job-version.ts';
import { annotations } from '../../resources/labels.ts';
import type { NomadJob } from '../../resources/nomad-job.ts';
import type { ClusterView } from '../cluster-view.ts';
import { badRequest, NomadHttpError, notFound, serverError } from '../http-error.ts';
import { patchJobChecked } from '../job-writer.ts';
import type { Access } from '../kubernetes-access.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { jobIdMatches } from '../nomad/ids.ts';
import { indexOf } from '../nomad/indexes.ts';
import { jobListStub, toJobSummary, toJobVersions, toNomadJob, type JobAtVersion } from '../nomad/job.ts';
import { jobDiff } from '../nomad/job-diff.ts';
import { annotateJobDiff, desiredUpdates } from '../nomad/plan-updates.ts';
import { checkAndSetError, formatWarnings, fromNomadJob, type RegisterResult } from '../nomad/register.ts';
import { sameNomadJob, withCaravanExtensions } from '../nomad/resubmission.ts';
import type { NomadJobListStub, TriggeredBy } from '../nomad/types.ts';
import { paginateOrdered } from '../paginate.ts';
import { childrenCount, nextPeriodicLaunch } from './child-jobs.ts';
import { nomadJobId } from '../../resources/child-job.ts';
import type { ApiRequest, ApiResponse, NomadApiContext } from '../server.ts';
import { blockingAnswer, blockingRead } from '../table-indexes.ts';
import { issuedEvaluation, placementEvaluations } from './evaluations.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';
import { allocationStubs, deploymentJson } from './nomad-objects.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/**
 * The job endpoints. Reads come from the caches; a register writes the NomadJob's spec (through
 * the Nomad API the caller is the author of that spec, as `kubectl apply` would be), a stop sets
 * `spec.stop`, and a purge deletes the NomadJob (its Pods, versions and deployments go with it).
 */
export const jobRoutes: RouteTable = {
  '/v1/jobs': { GET: listJobs, POST: registerJob },
  '/v1/job/:id': { GET: readJob, POST: updateJob, DELETE: deregisterJob },
  '/v1/job/:id/versions': { GET: jobVersions },
  '/v1/job/:id/summary': { GET: jobSummary },
  '/v1/job/:id/allocations': { GET: jobAllocations },
  '/v1/job/:id/deployments': { GET: jobDeployments },
  '/v1/job/:id/deployment': { GET: latestJobDeployment },
  '/v1/job/:id/evaluations': { GET: jobEvaluations },
  '/v1/job/:id/plan': { POST: planJob },
  '/v1/validate/job': { POST: validateJob },
  '/v1/job/:id/submission': { GET: jobSubmission },
  '/v1/job/:id/revert': { POST: revertJob },
  '/v1/job/:id/stable': { POST: stableJob },
  '/v1/job/:id/evaluate': { POST: evaluateJob },
};

// Shared steps of the job routes.

const jobAccess = (verb: Access['verb'], namespace: string | undefined, name?: string): Access => ({
  verb,
  group: apiGroup,
  resource: nomadJobResource.plural,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

/** The job of `/v1/job/:id` in the request's namespace, authorized for `get`; 404 `job not found`. */
async function jobFor(view: ClusterView, req: ApiRequest): Promise<{ job: NomadJob; at: JobAtVersion }> {
  const job = await maybeJob(view, req);
  const at = job && view.jobAt(job);
  if (!job || !at) throw notFound('job not found');
  return { job, at };
}

/** The job of `/v1/job/:id/<list>`, authorized; undefined when missing (Nomad answers [] or null). */
async function maybeJob(view: ClusterView, req: ApiRequest): Promise<NomadJob | undefined> {
  return (await jobToWrite(view, req, 'get')).job;
}

/**
 * The job a write of `/v1/job/:id` acts on, `verb` authorized before the lookup (so a caller
 * without rights learns nothing about what exists); undefined when missing, each write answers that its way.
 */
async function jobToWrite(view: ClusterView, req: ApiRequest, verb: Access['verb']): Promise<{ namespace: string; name: string; job: NomadJob | undefined }> {
  const namespace = req.options.namespace;
  const id = req.params['id'] ?? '';
  // A child's Nomad ID holds a `/`: the object it names is authorized by its object name.
  const name = id.includes('/') ? (view.job(namespace, id)?.metadata.name ?? id) : id;
  await req.authorize(jobAccess(verb, namespace, name));
  return { namespace, name, job: view.job(namespace, name) };
}

/** A job write's body: Nomad's 400s when the JobID is missing or names another job. */
function jobBody(req: ApiRequest): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request decode failed: expected a JSON object');
  if (!body['JobID']) throw badRequest('JobID must be specified');
  if (body['JobID'] !== req.params['id']) throw badRequest('Job ID does not match');
  return body;
}

/** Read-your-writes: waits until this replica's cache holds the job as written. */
async function untilCachedJob(view: ClusterView, namespace: string, name: string, written: NomadJob): Promise<void> {
  await view.caughtUp('jobs', `${namespace}/${name}`, written.metadata.resourceVersion);
}

/** The evaluation part of a write's answer. */
interface WriteEvaluation {
  readonly EvalID: string;
  readonly EvalCreateIndex: number;
}

/** What a write that creates no evaluation answers (a periodic or parameterized job's register, a missing job's deregister). */
const noEvaluation: WriteEvaluation = { EvalID: '', EvalCreateIndex: 0 };

/**
 * The evaluation a job write stands for. Caravan has no evaluation broker: the controller
 * reconciles on the change itself, so the evaluation is synthetic, with a deterministic ID (the
 * written object and its resourceVersion) that `/v1/evaluation/:id` can answer for.
 */
export function writeEvaluation(view: ClusterView, job: NomadJob, triggeredBy: TriggeredBy): WriteEvaluation {
  const id = evaluationId(job.metadata.uid ?? '', job.metadata.resourceVersion ?? '');
  const index = indexOf(job.metadata.resourceVersion);
  const generation = job.metadata.generation;
  view.evaluations.issue({
    input: {
      id,
      namespace: job.metadata.namespace ?? 'default',
      jobId: job.metadata.name,
      jobType: job.spec.type ?? 'service',
      priority: job.spec.priority ?? 50,
      triggeredBy,
      jobModifyIndex: index,
      index,
      at: Date.now(),
    },
    ...(generation !== undefined ? { generation } : {}),
  });
  return { EvalID: id, EvalCreateIndex: index };
}

/** Nomad's JobRegisterResponse (register, revert, evaluate). */
function jobWriteAnswer(ctx: NomadApiContext, evaluation: WriteEvaluation, index: number, jobModifyIndex: number, warnings: string): ApiResponse {
  return {
    index,
    body: { ...evaluation, JobModifyIndex: jobModifyIndex, Warnings: warnings, Index: index, LastContact: 0, KnownLeader: ctx.knownLeader(), NextToken: '' },
  };
}

// GET /v1/jobs

async function listJobs(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const namespaces = await namespacesAllowed(req, ctx, (ns) => jobAccess('list', ns));
  const filter = compileListFilter(req.options.filter);
  const meta = req.query['meta'] === 'true';
  const { index, value } = await blockingRead(ctx.indexes, req.options, () => jobListPage(req, ctx, namespaces, filter, meta), req.signal);
  return { index, body: value.stubs, ...(value.nextToken ? { nextToken: value.nextToken } : {}) };
}

/**
 * One page of the job list stubs, as the caches hold them now: a walk of the jobs in token order
 * from `next_token` that makes the stubs of the page only (each job's api.Job is made once per
 * job object, see ClusterView).
 */
function jobListPage(
  req: ApiRequest,
  ctx: RouteContext,
  namespaces: (ns: string) => boolean,
  filter: ((value: unknown) => boolean) | undefined,
  meta: boolean,
) {
  const { view } = ctx;
  const listed = (key: string) => {
    const job = view.byKey('jobs', key);
    return job && namespaces(job.metadata.namespace ?? 'default') && jobIdMatches(nomadJobId(job), req.options.prefix) && view.jobAt(job) ? job : undefined;
  };
  const { page, nextToken } = paginateOrdered(
    view.ordered('jobs', req.options.namespace),
    req.options,
    listed,
    filter && ((job) => filter(view.nomadJobAt(job))),
  );
  return { index: ctx.indexes.get('jobs'), value: { stubs: page.map((job) => listStub(view, job, meta)), nextToken } };
}

/** A job's list stub; a periodic or parameterized parent's summary counts its children now. */
function listStub(view: ClusterView, job: NomadJob, meta: boolean): NomadJobListStub {
  const summary = view.jobSummary(job)!;
  const children = summary.Children === null ? null : childrenCount(view, job);
  return jobListStub(view.nomadJobAt(job)!, children === null ? summary : { ...summary, Children: children }, meta);
}

// POST /v1/jobs and POST /v1/job/:id: register

async function registerJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  return register(req, ctx);
}

async function updateJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  return register(req, ctx, req.params['id']);
}

type Registration = Extract<RegisterResult, { ok: true }>;

/** A register's (or plan's) job as Nomad reads it: 400 for a body that is not one, 500 for a job Caravan cannot run. */
function registration(req: ApiRequest, pathJobId?: string): Registration {
  const result = fromNomadJob(req.body, {
    ...(pathJobId !== undefined ? { pathJobId } : {}),
    ...(req.query['namespace'] ? { queryNamespace: req.query['namespace'] } : {}),
  });
  if (!result.ok) throw new NomadHttpError(result.status, result.error);
  return result;
}

/** Register (create or replace the NomadJob spec) with Nomad's check-and-set and answers. */
async function register(req: ApiRequest, ctx: RouteContext, pathJobId?: string): Promise<ApiResponse> {
  const { view } = ctx;
  const registered = registration(req, pathJobId);
  const { name, namespace } = registered;
  const existing = view.job(namespace, name);
  await req.authorize(jobAccess(existing ? 'update' : 'create', namespace, name));
  checkRegisterIndex(view, registered, existing);
  const spec = specToRegister(registered, existing);
  const written = await writeRegisteredJob(ctx, registered, existing, spec);
  await untilCachedJob(view, namespace, name, written);
  const index = indexOf(written.metadata.resourceVersion);
  // A periodic or parameterized job is launched later, not evaluated now.
  const launchedLater = spec.periodic !== undefined || spec.parameterized !== undefined;
  const evaluation = launchedLater ? noEvaluation : writeEvaluation(view, written, 'job-register');
  return jobWriteAnswer(ctx, evaluation, index, index, formatWarnings(registered.warnings));
}

/** Nomad's check-and-set (`EnforceIndex`) against the job as the cache holds it. */
function checkRegisterIndex(view: ClusterView, registered: Registration, existing: NomadJob | undefined): void {
  const current = existing && view.jobAt(existing);
  const conflict = checkAndSetError(registered.options, existing ? (current?.indexes.jobModifyIndex ?? indexOf(existing.metadata.resourceVersion)) : undefined);
  if (conflict) throw serverError(conflict);
}

/** The spec to write: Caravan's extensions kept from the existing job, and its counts with `-preserve-counts`. */
function specToRegister(registered: Registration, existing: NomadJob | undefined): NomadJobSpec {
  const spec = withCaravanExtensions(existing?.spec, registered.spec);
  if (!registered.options.preserveCounts || !existing) return spec;
  return {
    ...spec,
    taskGroups: spec.taskGroups.map((g) => {
      const count = existing.spec.taskGroups.find((e) => e.name === g.name)?.count;
      return { ...g, ...(count !== undefined ? { count } : {}) };
    }),
  };
}

/** Creates the NomadJob, or replaces its spec; an unchanged job is not written. */
async function writeRegisteredJob(ctx: NomadApiContext, registered: Registration, existing: NomadJob | undefined, spec: NomadJobSpec): Promise<NomadJob> {
  if (!existing) return createJob(ctx, registered, spec);
  // Nomad: an unchanged job makes no new version, only an evaluation.
  if (sameNomadJob(registered.name, registered.namespace, existing.spec, spec)) return existing;
  return replaceRegisteredSpec(ctx, registered, existing, spec);
}

async function createJob(ctx: NomadApiContext, registered: Registration, spec: NomadJobSpec): Promise<NomadJob> {
  const { name, namespace, options } = registered;
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  try {
    return (await custom.createNamespacedCustomObject({
      ...nomadJobResource,
      namespace,
      body: { apiVersion, kind: 'NomadJob', metadata: { name, namespace }, spec },
    })) as NomadJob;
  } catch (error) {
    if (apiErrorCode(error) === 409)
      throw serverError(
        options.enforceIndex ? 'Enforcing job modify index 0: job already exists' : `job ${JSON.stringify(name)} was registered at the same time: try again`,
      );
    throw error;
  }
}

/**
 * The cache may lag a status write of the controller: read the job itself. Its generation moves
 * only when the spec does, so the same generation means the check-and-set still holds; the
 * resourceVersion test then makes the write race-safe, as Nomad repeats the check in its state
 * write. The controller's status writes also move the resourceVersion: a test that failed on one
 * of those is tried again.
 */
async function replaceRegisteredSpec(ctx: NomadApiContext, registered: Registration, existing: NomadJob, spec: NomadJobSpec): Promise<NomadJob> {
  const { name, namespace, options } = registered;
  const generation = existing.metadata.generation;
  return patchJobChecked(ctx.kc, namespace, name, [{ op: 'replace', path: '/spec', value: spec }], 'registered', (fresh) => {
    if (fresh.metadata.generation !== generation && options.enforceIndex)
      throw serverError(`Enforcing job modify index ${options.jobModifyIndex}: job ${JSON.stringify(name)} changed while it was being registered`);
  });
}

// GET /v1/job/:id, DELETE /v1/job/:id

async function readJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const { job } = await jobFor(view, req);
  return blockingAnswer(ctx.indexes, req, () => {
    const json = view.nomadJobAt(view.current(job))!;
    return { index: json.ModifyIndex, value: json };
  });
}

/** Stops the job (`spec.stop`), or with `?purge=true` deletes the NomadJob. */
async function deregisterJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const purge = req.query['purge'] === 'true';
  const { namespace, name, job } = await jobToWrite(ctx.view, req, purge ? 'delete' : 'patch');
  // Nomad answers a missing job with a zeroed response, not an error.
  if (!job) return { ...deregisterAnswer(ctx, noEvaluation, 0), index: ctx.indexes.get('jobs') };
  if (purge) await purgeJob(ctx, namespace, name);
  const written = purge ? job : await stopJob(ctx, namespace, name, job);
  const index = purge ? ctx.indexes.get('jobs') : indexOf(written.metadata.resourceVersion);
  return deregisterAnswer(ctx, writeEvaluation(ctx.view, written, 'job-deregister'), index);
}

/** Deletes the NomadJob and waits until the cache has let it go. */
async function purgeJob(ctx: RouteContext, namespace: string, name: string): Promise<void> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  await custom.deleteNamespacedCustomObject({ ...nomadJobResource, namespace, name, propagationPolicy: 'Background' });
  await ctx.view.gone(namespace, name);
}

/** Sets `spec.stop` (once) and waits until the cache holds the job as written. */
async function stopJob(ctx: RouteContext, namespace: string, name: string, job: NomadJob): Promise<NomadJob> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  const written = job.spec.stop
    ? job
    : ((await custom.patchNamespacedCustomObject(
        { ...nomadJobResource, namespace, name, body: { spec: { stop: true } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as NomadJob);
  await untilCachedJob(ctx.view, namespace, name, written);
  return written;
}

/** Nomad's JobDeregisterResponse. */
function deregisterAnswer(ctx: NomadApiContext, evaluation: WriteEvaluation, index: number): ApiResponse {
  return {
    index,
    body: {
      ...evaluation,
      JobModifyIndex: index,
      VolumeEvalID: '',
      VolumeEvalIndex: 0,
      Index: index,
      LastContact: 0,
      KnownLeader: ctx.knownLeader(),
      NextToken: '',
    },
  };
}

// The job's lists: versions, summary, allocations, deployments, evaluations

async function jobVersions(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const job = await maybeJob(ctx.view, req);
  if (!job) throw notFound('job versions not found');
  const diffs = req.query['diffs'] === 'true';
  const { index, value } = await blockingRead(ctx.indexes, req.options, () => versionsWithDiffs(ctx.view, job, diffs), req.signal);
  if (value.Versions.length === 0) throw notFound('job versions not found');
  return { index, body: value };
}

/** The job's versions, newest first; with `?diffs=true` each against the next older one (N-1 diffs). */
function versionsWithDiffs(view: ClusterView, job: NomadJob, withDiffs: boolean) {
  const response = toJobVersions(view.allVersionsOf(view.current(job)));
  const diffs = withDiffs ? response.Versions.slice(0, -1).map((v, i) => jobDiff(response.Versions[i + 1]!, v, true)) : null;
  return { index: response.Index, value: { ...response, Diffs: diffs } };
}

async function jobSummary(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const { job } = await jobFor(view, req);
  return blockingAnswer(ctx.indexes, req, () => {
    const current = view.current(job);
    const summary = toJobSummary(view.jobAt(current)!, childrenCount(view, current));
    return { index: summary.ModifyIndex, value: summary };
  });
}

async function jobAllocations(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const job = await maybeJob(view, req);
  await req.authorize({ verb: 'list', group: '', resource: 'pods', namespace: req.options.namespace });
  return blockingAnswer(ctx.indexes, req, () => {
    if (!job) return { index: ctx.indexes.get('allocs'), value: [] };
    const jobType = job.spec.type ?? 'service';
    return { index: ctx.indexes.get('allocs'), value: allocationStubs(view, view.podsOf(job), jobType) };
  });
}

const deploymentsIn = (namespace: string): Access => ({ verb: 'list', group: apiGroup, resource: nomadDeploymentResource.plural, namespace });

async function jobDeployments(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const job = await maybeJob(view, req);
  await req.authorize(deploymentsIn(req.options.namespace));
  return blockingAnswer(ctx.indexes, req, () => ({
    index: ctx.indexes.get('deployments'),
    value: (job ? view.deploymentsOf(job) : []).map((d) => deploymentJson(view, d)),
  }));
}

async function latestJobDeployment(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const job = await maybeJob(view, req);
  await req.authorize(deploymentsIn(req.options.namespace));
  return blockingAnswer(ctx.indexes, req, () => {
    const latest = (job ? view.deploymentsOf(job) : []).sort((a, b) => b.spec.jobVersion - a.spec.jobVersion)[0];
    return { index: ctx.indexes.get('deployments'), value: latest ? deploymentJson(view, latest) : null };
  });
}

async function jobEvaluations(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const job = await maybeJob(view, req);
  if (!job) return { index: ctx.indexes.get('jobs'), body: [] };
  const issued = view.evaluations.forJob(job.metadata.namespace ?? 'default', job.metadata.name).map((e) => issuedEvaluation(view, e));
  const all = [...issued, ...placementEvaluations(view, job)].sort((a, b) => b.CreateIndex - a.CreateIndex);
  return { index: Math.max(1, ctx.indexes.get('jobs'), ...all.map((e) => e.ModifyIndex)), body: all };
}

// POST /v1/job/:id/plan, POST /v1/validate/job, GET /v1/job/:id/submission

async function planJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const registered = registration(req, req.params['id'] ?? '');
  const { name, namespace } = registered;
  const existing = view.job(namespace, name);
  await req.authorize(jobAccess(existing ? 'update' : 'create', namespace, name));
  const current = existing && view.jobAt(existing);
  const spec = withCaravanExtensions(existing?.spec, registered.spec);
  const desired = desiredUpdates(
    current ? { job: canonicalJob(name, namespace, current.version.spec), liveAllocationsPerGroup: liveAllocationsPerGroup(view, existing) } : undefined,
    canonicalJob(name, namespace, spec),
  );
  const wantDiff = (req.body as { Diff?: unknown } | undefined)?.Diff === true;
  const proposed = wantDiff ? proposedJob(registered, existing, current, spec) : undefined;
  const diff = proposed ? annotateJobDiff(jobDiff(current ? toNomadJob(current) : null, toNomadJob(proposed), true), desired) : null;
  return {
    index: ctx.indexes.get('jobs'),
    body: {
      JobModifyIndex: current?.indexes.jobModifyIndex ?? 0,
      CreatedEvals: null,
      Diff: diff,
      Annotations: { DesiredTGUpdates: desired, PreemptedAllocs: null },
      FailedTGAllocs: null,
      NextPeriodicLaunch: nextPeriodicLaunch(spec, Date.now()),
      Warnings: formatWarnings(registered.warnings),
    },
  };
}

/** The job's live allocations per group (not stopping, not finished): what an update would touch. */
function liveAllocationsPerGroup(view: ClusterView, job: NomadJob | undefined): Record<string, number> {
  const live: Record<string, number> = {};
  if (job)
    for (const pod of view.podsOf(job)) {
      const a = observeAllocation(pod);
      if (a && !a.deleting && a.phase !== 'Succeeded' && a.phase !== 'Failed') live[a.group] = (live[a.group] ?? 0) + 1;
    }
  return live;
}

/** The job as a register of `spec` would make it: its next version (the same one when nothing changes). */
function proposedJob(registered: Registration, existing: NomadJob | undefined, current: JobAtVersion | undefined, spec: NomadJobSpec): JobAtVersion {
  const { name, namespace } = registered;
  const nextVersion = current ? current.version.version + (sameNomadJob(name, namespace, current.version.spec, spec) ? 0 : 1) : 0;
  return {
    job: {
      apiVersion,
      kind: 'NomadJob',
      metadata: { name, namespace, ...(existing?.metadata.uid ? { uid: existing.metadata.uid } : {}) },
      spec,
      ...(existing?.status ? { status: existing.status } : {}),
    },
    version: { version: nextVersion, spec, submitTime: new Date().toISOString(), stable: false },
    indexes: current?.indexes ?? { createIndex: 0, modifyIndex: 0, jobModifyIndex: 0 },
  };
}

/** Caravan's own validation, the same the register runs: what it cannot run is an error here. */
async function validateJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  await req.authorize(jobAccess('create', req.options.namespace));
  const result = fromNomadJob(req.body, req.query['namespace'] ? { queryNamespace: req.query['namespace'] } : {});
  if (!result.ok && result.status === 400) throw new NomadHttpError(400, result.error);
  return {
    index: ctx.indexes.get('jobs'),
    body: {
      DriverConfigValidated: true,
      ValidationErrors: result.ok ? [] : validationErrors(result.error),
      Error: result.ok ? '' : result.error,
      Warnings: result.ok ? formatWarnings(result.warnings) : '',
    },
  };
}

/** go-multierror's text as its list of errors. */
function validationErrors(multierror: string): string[] {
  return multierror
    .replace(/^\d+ errors? occurred:\n/, '')
    .split('\n')
    .map((l) => l.replace(/^\t\* /, '').trim())
    .filter(Boolean);
}

/** Caravan keeps the job as submitted JSON in its versions, not the HCL source Nomad keeps. */
async function jobSubmission(req: ApiRequest): Promise<ApiResponse> {
  await req.authorize(jobAccess('get', req.options.namespace, req.params['id']));
  throw notFound('job source not found');
}

// POST /v1/job/:id/revert, /stable, /evaluate

async function revertJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const body = jobBody(req);
  const { namespace, name, job } = await jobToWrite(view, req, 'update');
  const current = job && view.jobAt(job);
  if (!job || !current) throw serverError(`job ${JSON.stringify(name)} not found`);
  const prior = body['EnforcePriorVersion'];
  const target = revertTarget(view, { namespace, name, job }, current, Number(body['JobVersion'] ?? 0), prior);
  // Nomad registers a copy of the old version; here the caller's spec becomes that version's.
  const written = await replaceSpec(ctx, job, target.version.spec, typeof prior === 'number');
  await untilCachedJob(view, namespace, name, written);
  const index = indexOf(written.metadata.resourceVersion);
  return jobWriteAnswer(ctx, writeEvaluation(view, written, 'job-register'), index, index, '');
}

/** The version a revert goes back to, with Nomad's refusals (`EnforcePriorVersion`, the current version, a missing one). */
function revertTarget(
  view: ClusterView,
  { namespace, name, job }: { namespace: string; name: string; job: NomadJob },
  current: JobAtVersion,
  wanted: number,
  prior: unknown,
): JobAtVersion {
  if (typeof prior === 'number' && prior !== current.version.version)
    throw serverError(`Current job has version ${current.version.version}; enforcing version ${prior}`);
  if (wanted === current.version.version) throw serverError("can't revert to current version");
  const target = view.allVersionsOf(job).find((v) => v.version.version === wanted);
  if (!target) throw serverError(`job ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} at version ${wanted} not found`);
  return target;
}

/** Replaces a job's spec, guarded by the resourceVersion read just now. */
async function replaceSpec(ctx: NomadApiContext, job: NomadJob, spec: NomadJob['spec'], strict: boolean): Promise<NomadJob> {
  const name = job.metadata.name;
  const generation = job.metadata.generation;
  return patchJobChecked(ctx.kc, job.metadata.namespace ?? 'default', name, [{ op: 'replace', path: '/spec', value: spec }], 'reverted', (fresh) => {
    if (strict && fresh.metadata.generation !== generation) throw serverError(`job ${JSON.stringify(name)} changed while it was being reverted: try again`);
  });
}

async function stableJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const body = jobBody(req);
  const { namespace, name, job } = await jobToWrite(view, req, 'update');
  const wanted = Number(body['JobVersion'] ?? 0);
  const kept = job ? view.versions(job).find((k) => k.version.version === wanted) : undefined;
  if (!job || !kept) throw serverError(`job ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} at version ${wanted} not found`);
  const written = await new JobVersionStore(ctx.kc).markStable({ name, namespace, uid: job.metadata.uid ?? '' }, wanted, body['Stable'] === true);
  await view.caughtUp('revisions', `${namespace}/${versionObjectName(name, wanted)}`, written);
  const at = view.jobAt(job);
  const index = ctx.indexes.get('jobs');
  return { index, body: { JobModifyIndex: at?.indexes.jobModifyIndex ?? index, Index: index } };
}

async function evaluateJob(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (body['JobID'] !== undefined && body['JobID'] !== req.params['id']) throw badRequest('JobID not same as job name');
  const { namespace, name, job } = await jobToWrite(view, req, 'patch');
  if (!job) throw serverError('job not found');
  if (job.spec.periodic) throw serverError("can't evaluate periodic job");
  if (job.spec.parameterized) throw serverError("can't evaluate parameterized job");
  const written = await requestEvaluation(ctx, namespace, name);
  const index = indexOf(written.metadata.resourceVersion);
  const evaluation = writeEvaluation(view, written, 'job-register');
  return jobWriteAnswer(ctx, evaluation, index, view.jobAt(job)?.indexes.jobModifyIndex ?? index, '');
}

/** The controller reconciles on any change: an annotation with the time asks for a pass. */
async function requestEvaluation(ctx: NomadApiContext, namespace: string, name: string): Promise<NomadJob> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  return (await custom.patchNamespacedCustomObject(
    { ...nomadJobResource, namespace, name, body: { metadata: { annotations: { [annotations.evaluateRequested]: new Date().toISOString() } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as NomadJob;
}
