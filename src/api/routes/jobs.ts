import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiErrorCode } from '../../kube/client.ts';
import { JobVersionStore } from '../../kube/job-version-store.ts';
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
import type { TriggeredBy } from '../nomad/types.ts';
import { issuedEvaluation, placementEvaluations } from './evaluations.ts';
import { jobIdMatches } from '../nomad/ids.ts';
import { indexOf } from '../nomad/indexes.ts';
import { toJobListStub, toJobSummary, toJobVersions, toNomadJob, type JobAtVersion } from '../nomad/job.ts';
import { jobDiff } from '../nomad/job-diff.ts';
import { annotateJobDiff, desiredUpdates } from '../nomad/plan-updates.ts';
import { zeroGoTime } from '../nomad/wire.ts';
import { canonicalJob } from '../../model/defaults.ts';
import { checkAndSetError, formatWarnings, fromNomadJob } from '../nomad/register.ts';
import { sameNomadJob, withCaravanExtensions } from '../nomad/resubmission.ts';
import { paginate } from '../paginate.ts';
import type { ApiRequest, NomadApiContext, Route } from '../server.ts';
import { blockingAnswer, blockingRead } from '../table-indexes.ts';
import { allocationStubs, deploymentJson } from './nomad-objects.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';

const jobAccess = (verb: Access['verb'], namespace: string | undefined, name?: string): Access => ({
  verb,
  group: apiGroup,
  resource: nomadJobResource.plural,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

/** The job of `/v1/job/:id` in the request's namespace, authorized for `get`; 404 `job not found`. */
async function jobFor(view: ClusterView, req: ApiRequest): Promise<{ job: NomadJob; at: JobAtVersion }> {
  const namespace = req.options.namespace;
  const name = req.params['id'] ?? '';
  await req.authorize(jobAccess('get', namespace, name));
  const job = view.job(namespace, name);
  const at = job && view.jobAt(job);
  if (!job || !at) throw notFound('job not found');
  return { job, at };
}

/** A job write's body: Nomad's 400s when the JobID is missing or names another job. */
function jobBody(req: ApiRequest): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request decode failed: expected a JSON object');
  if (!body['JobID']) throw badRequest('JobID must be specified');
  if (body['JobID'] !== req.params['id']) throw badRequest('Job ID does not match');
  return body;
}

/** Replaces a job's spec, guarded by the resourceVersion read just now. */
async function replaceSpec(ctx: NomadApiContext, job: NomadJob, spec: NomadJob['spec'], strict: boolean): Promise<NomadJob> {
  const name = job.metadata.name;
  const generation = job.metadata.generation;
  return patchJobChecked(ctx.kc, job.metadata.namespace ?? 'default', name, [{ op: 'replace', path: '/spec', value: spec }], 'reverted', (fresh) => {
    if (strict && fresh.metadata.generation !== generation) throw serverError(`job ${JSON.stringify(name)} changed while it was being reverted: try again`);
  });
}

/** The job of `/v1/job/:id/<list>`, authorized; undefined when missing (Nomad answers [] or null). */
async function maybeJob(view: ClusterView, req: ApiRequest): Promise<NomadJob | undefined> {
  const namespace = req.options.namespace;
  const name = req.params['id'] ?? '';
  await req.authorize(jobAccess('get', namespace, name));
  return view.job(namespace, name);
}

/**
 * The evaluation a job write stands for. Caravan has no evaluation broker: the controller
 * reconciles on the change itself, so the evaluation is synthetic, with a deterministic ID (the
 * written object and its resourceVersion) that `/v1/evaluation/:id` can answer for.
 */
function writeEvaluation(view: ClusterView, job: NomadJob, triggeredBy: TriggeredBy): { EvalID: string; EvalCreateIndex: number } {
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

/** Register (create or replace the NomadJob spec) with Nomad's check-and-set and answers. */
async function register(view: ClusterView, req: ApiRequest, ctx: NomadApiContext, pathJobId?: string) {
  const result = fromNomadJob(req.body, {
    ...(pathJobId !== undefined ? { pathJobId } : {}),
    ...(req.query['namespace'] ? { queryNamespace: req.query['namespace'] } : {}),
  });
  if (!result.ok) throw new NomadHttpError(result.status, result.error);
  const { name, namespace, options } = result;
  const existing = view.job(namespace, name);
  await req.authorize(jobAccess(existing ? 'update' : 'create', namespace, name));
  const current = existing && view.jobAt(existing);
  const conflict = checkAndSetError(options, existing ? (current?.indexes.jobModifyIndex ?? indexOf(existing.metadata.resourceVersion)) : undefined);
  if (conflict) throw serverError(conflict);
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  let spec = withCaravanExtensions(existing?.spec, result.spec);
  if (options.preserveCounts && existing) {
    spec = {
      ...spec,
      taskGroups: spec.taskGroups.map((g) => ({
        ...g,
        ...(existing.spec.taskGroups.find((e) => e.name === g.name)?.count !== undefined
          ? { count: existing.spec.taskGroups.find((e) => e.name === g.name)!.count! }
          : {}),
      })),
    };
  }
  let written: NomadJob;
  if (!existing) {
    try {
      written = (await custom.createNamespacedCustomObject({
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
  } else if (sameNomadJob(name, namespace, existing.spec, spec)) {
    written = existing; // Nomad: an unchanged job makes no new version, only an evaluation
  } else {
    // The cache may lag a status write of the controller: read the job itself. Its generation
    // moves only when the spec does, so the same generation means the check above still holds;
    // the resourceVersion test then makes the write race-safe, as Nomad repeats the check in its
    // state write. The controller's status writes also move the resourceVersion: a test that
    // failed on one of those is tried again.
    const generation = existing.metadata.generation;
    written = await patchJobChecked(ctx.kc, namespace, name, [{ op: 'replace', path: '/spec', value: spec }], 'registered', (fresh) => {
      if (fresh.metadata.generation !== generation && options.enforceIndex)
        throw serverError(`Enforcing job modify index ${options.jobModifyIndex}: job ${JSON.stringify(name)} changed while it was being registered`);
    });
  }
  await view.caughtUp('jobs', `${namespace}/${name}`, written.metadata.resourceVersion);
  const index = indexOf(written.metadata.resourceVersion);
  const periodic = spec.periodic !== undefined || spec.parameterized !== undefined;
  return {
    index,
    body: {
      ...(periodic ? { EvalID: '', EvalCreateIndex: 0 } : writeEvaluation(view, written, 'job-register')),
      JobModifyIndex: index,
      Warnings: formatWarnings(result.warnings),
      Index: index,
      LastContact: 0,
      KnownLeader: ctx.knownLeader(),
      NextToken: '',
    },
  };
}

/**
 * The job endpoints. Reads come from the caches; a register writes the NomadJob's spec (through
 * the Nomad API the caller is the author of that spec, as `kubectl apply` would be), a stop sets
 * `spec.stop`, and a purge deletes the NomadJob (its Pods, versions and deployments go with it).
 */
export function jobRoutes(view: ClusterView): Route[] {
  return [
    {
      path: '/v1/jobs',
      methods: {
        GET: async (req, ctx) => {
          const namespaces = await namespacesAllowed(req, ctx, (ns) => jobAccess('list', ns));
          const filter = compileListFilter(req.options.filter);
          const meta = req.query['meta'] === 'true';
          const { index, value } = await blockingRead(
            ctx.indexes,
            req.options,
            () => {
              const jobs = view
                .jobs(req.options.namespace)
                .filter((j) => namespaces(j.metadata.namespace ?? 'default') && jobIdMatches(j.metadata.name, req.options.prefix));
              const versions = jobs.flatMap((j) => view.jobAt(j) ?? []);
              const { page, nextToken } = paginate(
                versions,
                req.options,
                (at) => `${at.job.metadata.namespace}.${at.job.metadata.name}`,
                filter && ((at) => filter(toNomadJob(at))),
              );
              return { index: ctx.indexes.get('jobs'), value: { stubs: page.map((at) => toJobListStub(at, { meta })), nextToken } };
            },
            req.signal,
          );
          return { index, body: value.stubs, ...(value.nextToken ? { nextToken: value.nextToken } : {}) };
        },
        POST: async (req, ctx) => register(view, req, ctx),
      },
    },
    {
      path: '/v1/job/:id',
      methods: {
        GET: async (req, ctx) => {
          const { job } = await jobFor(view, req);
          return blockingAnswer(ctx.indexes, req, () => {
            const json = toNomadJob(view.jobAt(view.current(job))!);
            return { index: json.ModifyIndex, value: json };
          });
        },
        POST: async (req, ctx) => register(view, req, ctx, req.params['id']),
        DELETE: async (req, ctx) => {
          const namespace = req.options.namespace;
          const name = req.params['id'] ?? '';
          const purge = req.query['purge'] === 'true';
          await req.authorize(jobAccess(purge ? 'delete' : 'patch', namespace, name));
          const job = view.job(namespace, name);
          // Nomad answers a missing job with a zeroed response, not an error.
          if (!job)
            return {
              index: ctx.indexes.get('jobs'),
              body: {
                EvalID: '',
                EvalCreateIndex: 0,
                JobModifyIndex: 0,
                VolumeEvalID: '',
                VolumeEvalIndex: 0,
                Index: 0,
                LastContact: 0,
                KnownLeader: ctx.knownLeader(),
                NextToken: '',
              },
            };
          const custom = ctx.kc.makeApiClient(CustomObjectsApi);
          let written: NomadJob = job;
          if (purge) {
            await custom.deleteNamespacedCustomObject({ ...nomadJobResource, namespace, name, propagationPolicy: 'Background' });
            await view.gone(namespace, name);
          } else if (!job.spec.stop) {
            written = (await custom.patchNamespacedCustomObject(
              { ...nomadJobResource, namespace, name, body: { spec: { stop: true } } },
              setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
            )) as NomadJob;
          }
          if (!purge) await view.caughtUp('jobs', `${namespace}/${name}`, written.metadata.resourceVersion);
          const index = purge ? ctx.indexes.get('jobs') : indexOf(written.metadata.resourceVersion);
          return {
            index,
            body: {
              ...writeEvaluation(view, written, 'job-deregister'),
              JobModifyIndex: index,
              VolumeEvalID: '',
              VolumeEvalIndex: 0,
              Index: index,
              LastContact: 0,
              KnownLeader: ctx.knownLeader(),
              NextToken: '',
            },
          };
        },
      },
    },
    {
      path: '/v1/job/:id/versions',
      methods: {
        GET: async (req, ctx) => {
          const job = await maybeJob(view, req);
          if (!job) throw notFound('job versions not found');
          const { index, value } = await blockingRead(
            ctx.indexes,
            req.options,
            () => {
              const response = toJobVersions(view.allVersionsOf(view.current(job)));
              // ?diffs=true: each version against the next older one, newest first (N-1 diffs).
              const diffs = req.query['diffs'] === 'true' ? response.Versions.slice(0, -1).map((v, i) => jobDiff(response.Versions[i + 1]!, v, true)) : null;
              return { index: response.Index, value: { ...response, Diffs: diffs } };
            },
            req.signal,
          );
          if (value.Versions.length === 0) throw notFound('job versions not found');
          return { index, body: value };
        },
      },
    },
    {
      path: '/v1/job/:id/summary',
      methods: {
        GET: async (req, ctx) => {
          const { job } = await jobFor(view, req);
          return blockingAnswer(ctx.indexes, req, () => {
            const summary = toJobSummary(view.jobAt(view.current(job))!);
            return { index: summary.ModifyIndex, value: summary };
          });
        },
      },
    },
    {
      path: '/v1/job/:id/allocations',
      methods: {
        GET: async (req, ctx) => {
          const job = await maybeJob(view, req);
          await req.authorize({ verb: 'list', group: '', resource: 'pods', namespace: req.options.namespace });
          return blockingAnswer(ctx.indexes, req, () => {
            if (!job) return { index: ctx.indexes.get('allocs'), value: [] };
            const jobType = job.spec.type ?? 'service';
            return { index: ctx.indexes.get('allocs'), value: allocationStubs(ctx, view, view.podsOf(job), () => ({ jobType })) };
          });
        },
      },
    },
    {
      path: '/v1/job/:id/deployments',
      methods: {
        GET: async (req, ctx) => {
          const job = await maybeJob(view, req);
          await req.authorize({ verb: 'list', group: apiGroup, resource: nomadDeploymentResource.plural, namespace: req.options.namespace });
          return blockingAnswer(ctx.indexes, req, () => ({
            index: ctx.indexes.get('deployments'),
            value: (job ? view.deploymentsOf(job) : []).map((d) => deploymentJson(view, d)),
          }));
        },
      },
    },
    {
      path: '/v1/job/:id/deployment',
      methods: {
        GET: async (req, ctx) => {
          const job = await maybeJob(view, req);
          await req.authorize({ verb: 'list', group: apiGroup, resource: nomadDeploymentResource.plural, namespace: req.options.namespace });
          return blockingAnswer(ctx.indexes, req, () => {
            const latest = (job ? view.deploymentsOf(job) : []).sort((a, b) => b.spec.jobVersion - a.spec.jobVersion)[0];
            return { index: ctx.indexes.get('deployments'), value: latest ? deploymentJson(view, latest) : null };
          });
        },
      },
    },
    {
      path: '/v1/job/:id/evaluations',
      methods: {
        GET: async (req, ctx) => {
          const job = await maybeJob(view, req);
          if (!job) return { index: ctx.indexes.get('jobs'), body: [] };
          const issued = view.evaluations.forJob(job.metadata.namespace ?? 'default', job.metadata.name).map((e) => issuedEvaluation(view, e));
          const all = [...issued, ...placementEvaluations(view, job)].sort((a, b) => b.CreateIndex - a.CreateIndex);
          return { index: Math.max(1, ctx.indexes.get('jobs'), ...all.map((e) => e.ModifyIndex)), body: all };
        },
      },
    },
    {
      path: '/v1/job/:id/plan',
      methods: {
        POST: async (req, ctx) => {
          const result = fromNomadJob(req.body, {
            pathJobId: req.params['id'] ?? '',
            ...(req.query['namespace'] ? { queryNamespace: req.query['namespace'] } : {}),
          });
          if (!result.ok) throw new NomadHttpError(result.status, result.error);
          const { name, namespace } = result;
          const existing = view.job(namespace, name);
          await req.authorize(jobAccess(existing ? 'update' : 'create', namespace, name));
          const current = existing && view.jobAt(existing);
          const spec = withCaravanExtensions(existing?.spec, result.spec);
          const nextVersion = current ? current.version.version + (sameNomadJob(name, namespace, current.version.spec, spec) ? 0 : 1) : 0;
          const proposed: JobAtVersion = {
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
          const next = canonicalJob(name, namespace, spec);
          const live: Record<string, number> = {};
          if (existing)
            for (const pod of view.podsOf(existing)) {
              const a = observeAllocation(pod);
              if (a && !a.deleting && a.phase !== 'Succeeded' && a.phase !== 'Failed') live[a.group] = (live[a.group] ?? 0) + 1;
            }
          const desired = desiredUpdates(
            current ? { job: canonicalJob(name, namespace, current.version.spec), liveAllocationsPerGroup: live } : undefined,
            next,
          );
          const wantDiff = (req.body as { Diff?: unknown } | undefined)?.Diff === true;
          const diff = wantDiff ? annotateJobDiff(jobDiff(current ? toNomadJob(current) : null, toNomadJob(proposed), true), desired) : null;
          return {
            index: ctx.indexes.get('jobs'),
            body: {
              JobModifyIndex: current?.indexes.jobModifyIndex ?? 0,
              CreatedEvals: null,
              Diff: diff,
              Annotations: { DesiredTGUpdates: desired, PreemptedAllocs: null },
              FailedTGAllocs: null,
              NextPeriodicLaunch: zeroGoTime,
              Warnings: formatWarnings(result.warnings),
            },
          };
        },
      },
    },
    {
      path: '/v1/validate/job',
      methods: {
        // Caravan's own validation, the same the register runs: what it cannot run is an error here.
        POST: async (req, ctx) => {
          await req.authorize(jobAccess('create', req.options.namespace));
          const result = fromNomadJob(req.body, req.query['namespace'] ? { queryNamespace: req.query['namespace'] } : {});
          if (!result.ok && result.status === 400) throw new NomadHttpError(400, result.error);
          const errors = result.ok
            ? []
            : result.error
                .replace(/^\d+ errors? occurred:\n/, '')
                .split('\n')
                .map((l) => l.replace(/^\t\* /, '').trim())
                .filter(Boolean);
          return {
            index: ctx.indexes.get('jobs'),
            body: {
              DriverConfigValidated: true,
              ValidationErrors: errors,
              Error: result.ok ? '' : result.error,
              Warnings: result.ok ? formatWarnings(result.warnings) : '',
            },
          };
        },
      },
    },
    {
      path: '/v1/job/:id/submission',
      methods: {
        // Caravan keeps the job as submitted JSON in its versions, not the HCL source Nomad keeps.
        GET: async (req) => {
          await req.authorize(jobAccess('get', req.options.namespace, req.params['id']));
          throw notFound('job source not found');
        },
      },
    },
    {
      path: '/v1/job/:id/revert',
      methods: {
        POST: async (req, ctx) => {
          const body = jobBody(req);
          const namespace = req.options.namespace;
          const name = req.params['id'] ?? '';
          await req.authorize(jobAccess('update', namespace, name));
          const job = view.job(namespace, name);
          const current = job && view.jobAt(job);
          if (!job || !current) throw serverError(`job ${JSON.stringify(name)} not found`);
          const wanted = Number(body['JobVersion'] ?? 0);
          const prior = body['EnforcePriorVersion'];
          if (typeof prior === 'number' && prior !== current.version.version)
            throw serverError(`Current job has version ${current.version.version}; enforcing version ${prior}`);
          if (wanted === current.version.version) throw serverError("can't revert to current version");
          const target = view.allVersionsOf(job).find((v) => v.version.version === wanted);
          if (!target) throw serverError(`job ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} at version ${wanted} not found`);
          // Nomad registers a copy of the old version; here the caller's spec becomes that version's.
          const written = await replaceSpec(ctx, job, target.version.spec, typeof prior === 'number');
          await view.caughtUp('jobs', `${namespace}/${name}`, written.metadata.resourceVersion);
          const index = indexOf(written.metadata.resourceVersion);
          return {
            index,
            body: {
              ...writeEvaluation(view, written, 'job-register'),
              JobModifyIndex: index,
              Warnings: '',
              Index: index,
              LastContact: 0,
              KnownLeader: ctx.knownLeader(),
              NextToken: '',
            },
          };
        },
      },
    },
    {
      path: '/v1/job/:id/stable',
      methods: {
        POST: async (req, ctx) => {
          const body = jobBody(req);
          const namespace = req.options.namespace;
          const name = req.params['id'] ?? '';
          await req.authorize(jobAccess('update', namespace, name));
          const job = view.job(namespace, name);
          const wanted = Number(body['JobVersion'] ?? 0);
          const kept = job ? view.versions(job).find((k) => k.version.version === wanted) : undefined;
          if (!job || !kept) throw serverError(`job ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} at version ${wanted} not found`);
          const written = await new JobVersionStore(ctx.kc).markStable({ name, namespace, uid: job.metadata.uid ?? '' }, wanted, body['Stable'] === true);
          await view.caughtUp('revisions', `${namespace}/${versionObjectName(name, wanted)}`, written);
          const at = view.jobAt(job);
          const index = ctx.indexes.get('jobs');
          return { index, body: { JobModifyIndex: at?.indexes.jobModifyIndex ?? index, Index: index } };
        },
      },
    },
    {
      path: '/v1/job/:id/evaluate',
      methods: {
        POST: async (req, ctx) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          if (body['JobID'] !== undefined && body['JobID'] !== req.params['id']) throw badRequest('JobID not same as job name');
          const namespace = req.options.namespace;
          const name = req.params['id'] ?? '';
          await req.authorize(jobAccess('patch', namespace, name));
          const job = view.job(namespace, name);
          if (!job) throw serverError('job not found');
          if (job.spec.periodic) throw serverError("can't evaluate periodic job");
          if (job.spec.parameterized) throw serverError("can't evaluate parameterized job");
          // The controller reconciles on any change: an annotation with the time asks for a pass.
          const custom = ctx.kc.makeApiClient(CustomObjectsApi);
          const written = (await custom.patchNamespacedCustomObject(
            { ...nomadJobResource, namespace, name, body: { metadata: { annotations: { [annotations.evaluateRequested]: new Date().toISOString() } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )) as NomadJob;
          const index = indexOf(written.metadata.resourceVersion);
          return {
            index,
            body: {
              ...writeEvaluation(view, written, 'job-register'),
              JobModifyIndex: view.jobAt(job)?.indexes.jobModifyIndex ?? index,
              Warnings: '',
              Index: index,
              LastContact: 0,
              KnownLeader: ctx.knownLeader(),
              NextToken: '',
            },
          };
        },
      },
    },
    ...(['dispatch', 'periodic/force'] as const).map(
      (what): Route => ({
        path: `/v1/job/:id/${what}`,
        methods: {
          POST: async (req) => {
            await req.authorize(jobAccess('get', req.options.namespace, req.params['id']));
            throw serverError(
              what === 'dispatch'
                ? 'dispatching parameterized jobs is not supported by Caravan yet: it runs service and batch jobs; register the job without a parameterized block'
                : 'forcing a periodic launch is not supported by Caravan yet: it does not run periodic jobs',
            );
          },
        },
      }),
    ),
  ];
}
