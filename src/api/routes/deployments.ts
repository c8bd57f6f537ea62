import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { observeDeployment, type NomadDeploymentObject } from '../../controller/deployment-object.ts';
import { observeAllocation } from '../../controller/observe-pod.ts';
import { annotations } from '../../model/labels.ts';
import { anyAutoRevert } from '../../planner/operator-intent.ts';
import { isTerminal } from '../../planner/deployment.ts';
import { promote, type PromoteRequest } from '../../planner/promotion.ts';
import { revertDecision } from '../../planner/revert.ts';
import { ClusterView } from '../cluster-view.ts';
import { badRequest, NomadHttpError, serverError } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { findByIdPrefix, parseIdPrefix } from '../nomad/ids.ts';
import { indexOf } from '../nomad/indexes.ts';
import { paginate } from '../paginate.ts';
import type { ApiRequest, NomadApiContext, Route } from '../server.ts';
import { blockingAnswer, blockingRead } from '../table-indexes.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';
import { allocationStubs, deploymentJson } from './nomad-objects.ts';

const group = 'caravan.dev';
const version = 'v1alpha1';
const plural = 'nomaddeployments';
const read = (namespace: string | undefined, name?: string): Access => ({ verb: name ? 'get' : 'list', group, resource: plural, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
const writeIn = (namespace: string): Access => ({ verb: 'patch', group, resource: plural, namespace });

/**
 * The NomadDeployment named by a full UUID in the path, in the request's namespace (as Nomad
 * scopes a lookup), with Nomad's errors for the others. Callers authorize before looking up, so
 * a caller without rights learns nothing about what exists.
 */
function deploymentFor(view: ClusterView, req: ApiRequest, onWrite: boolean): NomadDeploymentObject | undefined {
  const id = req.params['id'];
  if (!id) throw serverError('missing deployment ID');
  const parsed = parseIdPrefix(id, true);
  if (!parsed.ok) throw serverError(`deployment lookup failed: ${parsed.error}`);
  const found = view.deploymentByUid(id.toLowerCase());
  const namespace = req.options.namespace;
  const d = found && (namespace === '*' || found.metadata.namespace === namespace) ? found : undefined;
  if (!d && onWrite) throw serverError('deployment not found');
  return d;
}

/** The body's DeploymentID must be there and name the path's deployment (Nomad's 400s). */
function bodyFor(req: ApiRequest, requireId: boolean): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request decode failed: expected a JSON object');
  if (requireId) {
    if (!body['DeploymentID']) throw badRequest('DeploymentID must be specified');
    if (body['DeploymentID'] !== req.params['id']) throw badRequest('Deployment ID does not match');
  }
  return body;
}

interface UpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion: number | null;
  Index: number;
}

async function patchSpec(ctx: NomadApiContext, d: NomadDeploymentObject, spec: Record<string, unknown>): Promise<NomadDeploymentObject> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  return (await custom.patchNamespacedCustomObject({ group, version, plural, namespace: d.metadata.namespace ?? 'default', name: d.metadata.name, body: { spec } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as NomadDeploymentObject;
}

async function updated(view: ClusterView, written: NomadDeploymentObject, withEval: boolean, revertedJobVersion: number | null = null): Promise<{ body: UpdateResponse; index: number }> {
  await view.caughtUp('deployments', `${written.metadata.namespace}/${written.metadata.name}`, written.metadata.resourceVersion);
  const index = indexOf(written.metadata.resourceVersion);
  const evalId = withEval ? issueDeploymentEvaluation(view, written, written.metadata.resourceVersion ?? '') : '';
  return { index, body: { EvalID: evalId, EvalCreateIndex: withEval ? index : 0, DeploymentModifyIndex: index, RevertedJobVersion: revertedJobVersion, Index: index } };
}

/** The deployment watcher's evaluation a deployment write stands for. */
function issueDeploymentEvaluation(view: ClusterView, d: NomadDeploymentObject, resourceVersion: string): string {
  const job = view.job(d.metadata.namespace ?? 'default', d.spec.job);
  const index = indexOf(resourceVersion);
  return view.evaluations.issue({
    input: { id: evaluationId(d.metadata.uid ?? '', resourceVersion), namespace: d.metadata.namespace ?? 'default', jobId: d.spec.job, jobType: job?.spec.type ?? 'service', priority: job?.spec.priority ?? 50, triggeredBy: 'deployment-watcher', jobModifyIndex: view.deploymentJobInfo(d).versionJobModifyIndex ?? index, index, at: Date.now() },
    ...(d.metadata.uid ? { deploymentId: d.metadata.uid } : {}),
  });
}

/**
 * The canaries of a deployment whose health is recorded healthy (what promotion needs). The
 * controller counts health in the deployment before it marks the Pods (the crash-safe order), so
 * a group whose count already says all its placed canaries are healthy is taken at its word:
 * before promotion a group's healthy count is its canaries'.
 */
function healthyCanaries(view: ClusterView, d: NomadDeploymentObject): Set<string> {
  const out = new Set<string>();
  for (const pod of view.pods(d.metadata.namespace ?? 'default')) {
    const a = observeAllocation(pod);
    if (a && !a.deleting && a.canary && a.deployment === d.metadata.name && a.recordedHealth?.health === 'healthy') out.add(a.uid);
  }
  for (const g of Object.values(d.status?.taskGroups ?? {})) {
    const placed = g.placedCanaries ?? [];
    if (!g.promoted && placed.length > 0 && g.healthyAllocs >= placed.length) for (const id of placed) out.add(id);
  }
  return out;
}

/** The version a fail would roll back to (RevertedJobVersion), as the controller will decide it. */
function revertTarget(view: ClusterView, d: NomadDeploymentObject): number | null {
  const observed = observeDeployment(d);
  if (!anyAutoRevert(observed)) return null;
  const job = view.job(d.metadata.namespace ?? 'default', d.spec.job);
  if (!job) return null;
  const history = view.versions(job).map((k) => k.version);
  const failing = history.find((v) => v.version === d.spec.jobVersion);
  if (!failing) return null;
  const decision = revertDecision('', true, failing.spec, history.filter((v) => v.version !== d.spec.jobVersion));
  return decision.kind === 'revert' ? decision.toVersion.version : null;
}

/**
 * `/v1/deployments`, `/v1/deployment/:id`, `/v1/deployment/allocations/:id` and the deployment
 * writes. Reads come from the caches; writes are the operator intent a kubectl user declares in
 * the NomadDeployment spec (README: Steering a deployment), checked first with the planner's own
 * rules so Nomad's refusals come back in the response, as Nomad's do.
 */
export function deploymentRoutes(view: ClusterView): Route[] {
  return [
    {
      path: '/v1/deployments',
      methods: {
        GET: async (req, ctx) => {
          const namespaces = await namespacesAllowed(req, ctx, (ns) => read(ns));
          const filter = compileListFilter(req.options.filter);
          const prefix = req.options.prefix;
          if (prefix) {
            const parsed = parseIdPrefix(prefix);
            if (!parsed.ok) throw serverError(parsed.error);
          }
          return blockingRead(ctx.indexes, req.options, () => {
            const all = view.deployments(req.options.namespace).filter((d) => namespaces(d.metadata.namespace ?? 'default'));
            const matching = prefix ? (findByIdPrefix(all, (d) => d.metadata.uid ?? '', prefix) as { matches: NomadDeploymentObject[] }).matches : all;
            const json = matching.map((d) => deploymentJson(view, d));
            const { page, nextToken } = paginate(json, req.options, (d) => (prefix ? d.ID : `${d.CreateIndex}.${d.ID}`), filter);
            return { index: ctx.indexes.get('deployments'), value: { page, nextToken } };
          }, req.signal).then(({ index, value }) => ({ index, body: value.page, ...(value.nextToken ? { nextToken: value.nextToken } : {}) }));
        },
      },
    },
    {
      path: '/v1/deployment/allocations/:id',
      methods: {
        GET: async (req, ctx) => {
          await req.authorize({ ...read(req.options.namespace), verb: 'get' }, { verb: 'list', group: '', resource: 'pods', namespace: req.options.namespace });
          const d = deploymentFor(view, req, false);
          return blockingAnswer(ctx.indexes, req, () => {
            if (!d) return { index: ctx.indexes.get('allocs'), value: [] };
            const pods = view.pods(d.metadata.namespace ?? 'default').filter((p) => p.metadata?.annotations?.[annotations.deployment] === d.metadata.name);
            const jobType = view.job(d.metadata.namespace ?? 'default', d.spec.job)?.spec.type ?? 'service';
            return { index: ctx.indexes.get('allocs'), value: allocationStubs(ctx, view, pods, () => ({ jobType })) };
          });
        },
      },
    },
    {
      path: '/v1/deployment/:id',
      methods: {
        GET: async (req, ctx) => {
          await req.authorize({ ...read(req.options.namespace), verb: 'get' });
          const d = deploymentFor(view, req, false);
          if (!d) throw new NomadHttpError(404, 'deployment not found');
          return blockingAnswer(ctx.indexes, req, () => {
            const current = view.deploymentByUid(d.metadata.uid ?? '') ?? d;
            const json = deploymentJson(view, current);
            return { index: json.ModifyIndex, value: json };
          });
        },
      },
    },
    {
      path: '/v1/deployment/fail/:id',
      methods: {
        POST: async (req, ctx) => {
          bodyFor(req, false);
          await req.authorize(writeIn(req.options.namespace));
          const d = deploymentFor(view, req, true)!;
          if (isTerminal(observeDeployment(d).status)) throw serverError("can't fail terminal deployment");
          const reverted = revertTarget(view, d);
          const written = await patchSpec(ctx, d, { failed: true });
          const { body, index } = await updated(view, written, true, reverted);
          return { body, index };
        },
      },
    },
    {
      path: '/v1/deployment/pause/:id',
      methods: {
        POST: async (req, ctx) => {
          const body = bodyFor(req, true);
          await req.authorize(writeIn(req.options.namespace));
          const d = deploymentFor(view, req, true)!;
          const pause = body['Pause'] === true;
          if (isTerminal(observeDeployment(d).status)) throw serverError(pause ? "can't pause terminal deployment" : "can't resume terminal deployment");
          const written = await patchSpec(ctx, d, { paused: pause });
          // Nomad creates an evaluation when resuming, not when pausing.
          return updated(view, written, !pause);
        },
      },
    },
    {
      path: '/v1/deployment/promote/:id',
      methods: {
        POST: async (req, ctx) => {
          const body = bodyFor(req, true);
          await req.authorize(writeIn(req.options.namespace));
          const d = deploymentFor(view, req, true)!;
          const groups = Array.isArray(body['Groups']) ? (body['Groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
          const request: PromoteRequest = body['All'] === true ? { all: true } : { groups };
          const outcome = promote(observeDeployment(d), request, healthyCanaries(view, d), Date.now());
          if (!outcome.ok) throw serverError(outcome.error);
          const written = await patchSpec(ctx, d, 'all' in request ? { promote: { all: true, groups: null } } : { promote: { groups, all: null } });
          return updated(view, written, true);
        },
      },
    },
    {
      path: '/v1/deployment/unblock/:id',
      methods: {
        // Only a multiregion deployment waiting on its peer regions is ever blocked; Caravan's
        // are single-region, so this answers as Nomad answers for any other deployment.
        POST: async (req) => {
          bodyFor(req, true);
          await req.authorize(writeIn(req.options.namespace));
          const d = deploymentFor(view, req, true)!;
          throw serverError(isTerminal(observeDeployment(d).status) ? "can't unblock terminal deployment" : "can't unblock running deployment");
        },
      },
    },
    {
      path: '/v1/deployment/allocation-health/:id',
      methods: {
        POST: async (req, ctx) => {
          const body = bodyFor(req, true);
          await req.authorize(writeIn(req.options.namespace), { verb: 'patch', group: '', resource: 'pods', namespace: req.options.namespace });
          const d = deploymentFor(view, req, true)!;
          const ids = (key: string) => (Array.isArray(body[key]) ? (body[key] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
          const healthy = ids('HealthyAllocationIDs');
          const unhealthy = ids('UnhealthyAllocationIDs');
          const namespace = d.metadata.namespace ?? 'default';
          if (healthy.length === 0 && unhealthy.length === 0) throw serverError('must specify at least one healthy/unhealthy allocation ID');
          if (isTerminal(observeDeployment(d).status)) throw serverError("can't set health of allocations for a terminal deployment");
          const pods: [V1Pod, 'healthy' | 'unhealthy'][] = [];
          for (const [list, health] of [[healthy, 'healthy'], [unhealthy, 'unhealthy']] as const) {
            for (const id of list) {
              const pod = view.podByUid(id);
              if (!pod) throw serverError(`unknown alloc ${JSON.stringify(id)}`);
              if (pod.metadata?.annotations?.[annotations.deployment] !== d.metadata.name || pod.metadata?.namespace !== namespace) throw serverError(`alloc ${JSON.stringify(id)} is not part of deployment ${JSON.stringify(d.metadata.uid)}`);
              pods.push([pod, health]);
            }
          }
          const core = ctx.kc.makeApiClient(CoreV1Api);
          let last = d.metadata.resourceVersion ?? '';
          for (const [pod, health] of pods) {
            const written = await core.patchNamespacedPod({ namespace, name: pod.metadata!.name!, body: { metadata: { annotations: { [annotations.health]: health } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
            last = written.metadata?.resourceVersion ?? last;
            await view.caughtUp('pods', `${namespace}/${pod.metadata!.name!}`, written.metadata?.resourceVersion);
          }
          const index = indexOf(last);
          const reverted = unhealthy.length > 0 ? revertTarget(view, d) : null;
          return { index, body: { EvalID: issueDeploymentEvaluation(view, d, last), EvalCreateIndex: index, DeploymentModifyIndex: index, RevertedJobVersion: reverted, Index: index } };
        },
      },
    },
  ];
}
