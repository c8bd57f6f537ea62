import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { apiErrorCode } from '../../kube/client.ts';
import { isTerminal, terminalRefusals } from '../../planner/deployment.ts';
import type { Health } from '../../planner/observed-allocation.ts';
import { promote, type PromoteRequest } from '../../planner/promotion.ts';
import { observeAllocation } from '../../resources/allocation-pod.ts';
import { nomadDeploymentResource } from '../../resources/api-version.ts';
import { annotations } from '../../resources/labels.ts';
import { observeDeployment, type NomadDeployment } from '../../resources/nomad-deployment.ts';
import { awaitController, type ControllerWait } from '../await-controller.ts';
import type { ClusterView } from '../cluster-view.ts';
import { serverError } from '../http-error.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { indexOf } from '../nomad/indexes.ts';
import { allocationHealthOutcome, notActedInTime, operationOutcome, type Acted, type DeploymentOperation } from '../operation-outcome.ts';
import type { Access } from '../kubernetes-access.ts';
import type { ApiRequest, ApiResponse, NomadApiContext } from '../server.ts';
import { bodyFor, deploymentFor, writeIn } from './deployment-lookup.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

export interface DeploymentWriteOptions {
  /** How long a write waits for the controller to carry it out (defaultControllerWait). */
  readonly controllerWait?: ControllerWait;
}

/**
 * The deployment writes: `fail`, `pause` (and resume), `promote`, `allocation-health` and
 * `unblock`. Each is checked first with the planner's own rules, so Nomad's refusals come back
 * without a write; then it is written as the intent a kubectl user declares (the NomadDeployment's
 * spec, or the Pods' caravan.dev/health; README: Steering a deployment), and answered once the
 * controller has carried it out, so a read right after sees it, as in Nomad.
 */
export const deploymentWriteRoutes: RouteTable = {
  '/v1/deployment/fail/:id': { POST: failDeployment },
  '/v1/deployment/pause/:id': { POST: pauseDeployment },
  '/v1/deployment/promote/:id': { POST: promoteDeployment },
  '/v1/deployment/unblock/:id': { POST: unblockDeployment },
  '/v1/deployment/allocation-health/:id': { POST: setAllocationHealth },
};

interface UpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion: number | null;
  Index: number;
}

const namespaceOf = (d: NomadDeployment) => d.metadata.namespace ?? 'default';

async function patchSpec(ctx: NomadApiContext, d: NomadDeployment, spec: Record<string, unknown>): Promise<NomadDeployment> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  return (await custom.patchNamespacedCustomObject(
    { ...nomadDeploymentResource, namespace: namespaceOf(d), name: d.metadata.name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as NomadDeployment;
}

/**
 * A promotion the controller refused leaves no trace, as in Nomad: the intent this request wrote
 * is taken back, unless the spec holds something else by now (the JSON Patch test), so a canary
 * turning healthy later does not promote by itself.
 */
async function withdrawPromotion(ctx: NomadApiContext, written: NomadDeployment): Promise<void> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  try {
    await custom.patchNamespacedCustomObject(
      {
        ...nomadDeploymentResource,
        namespace: namespaceOf(written),
        name: written.metadata.name,
        body: [
          { op: 'test', path: '/spec/promote', value: written.spec.promote },
          { op: 'remove', path: '/spec/promote' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
  } catch (error) {
    if (apiErrorCode(error) !== 422 && apiErrorCode(error) !== 404) throw error;
  }
}

/** The deployment as this replica's cache holds it now, if it is still the same object. */
function cached(ctx: NomadApiContext, d: NomadDeployment): NomadDeployment | undefined {
  const now = ctx.cluster.caches.deployments.get(`${namespaceOf(d)}/${d.metadata.name}`);
  return now && now.metadata.uid === d.metadata.uid ? now : undefined;
}

/** The newest version recorded for the deployment's job (an auto-revert records one). */
function newestJobVersion(view: ClusterView, d: NomadDeployment): number | undefined {
  const job = view.job(namespaceOf(d), d.spec.job);
  return job ? view.versions(job).at(-1)?.version.version : undefined;
}

/** The deployment watcher's evaluation a deployment write stands for, created at `index`. */
function issueDeploymentEvaluation(view: ClusterView, d: NomadDeployment, resourceVersion: string, index: number): string {
  const job = view.job(namespaceOf(d), d.spec.job);
  return view.evaluations.issue({
    input: {
      id: evaluationId(d.metadata.uid ?? '', resourceVersion),
      namespace: namespaceOf(d),
      jobId: d.spec.job,
      jobType: job?.spec.type ?? 'service',
      priority: job?.spec.priority ?? 50,
      triggeredBy: 'deployment-watcher',
      jobModifyIndex: view.deploymentJobInfo(d).versionJobModifyIndex ?? index,
      index,
      at: Date.now(),
    },
    ...(d.metadata.uid ? { deploymentId: d.metadata.uid } : {}),
  });
}

/**
 * The canaries of a deployment whose health is recorded healthy (what promotion needs). The
 * controller counts health in the deployment before it marks the Pods (the crash-safe order), so
 * a group whose count already says all its placed canaries are healthy is taken at its word:
 * before promotion a group's healthy count is its canaries'.
 */
function healthyCanaries(view: ClusterView, d: NomadDeployment): Set<string> {
  const out = new Set<string>();
  for (const pod of view.podsOfDeployment(d)) {
    const a = observeAllocation(pod, d);
    if (a && !a.deleting && a.canary && a.deployment === d.metadata.name && a.recordedHealth?.health === 'healthy') out.add(a.uid);
  }
  for (const g of Object.values(d.status?.taskGroups ?? {})) {
    const placed = g.placedCanaries ?? [];
    if (!g.promoted && placed.length > 0 && g.healthyAllocs >= placed.length) for (const id of placed) out.add(id);
  }
  return out;
}

/** What the timeout error says the request waits for, and where its intent stays. */
interface Pending {
  readonly what: string;
  readonly intentIn: string;
}

/**
 * Waits until the controller has carried out what the request wrote, as Nomad answers only once
 * the operation is applied. Resolves with the deployment as the cache shows it then; a refusal is
 * Nomad's 500 with its text, and a controller that does not act in time is a 500 that says so
 * (the intent stays written and takes effect later).
 */
async function untilCarriedOut(
  ctx: NomadApiContext,
  req: ApiRequest,
  d: NomadDeployment,
  judge: () => Acted,
  wait: ControllerWait,
  pending: Pending,
  onRefused?: () => Promise<void>,
): Promise<NomadDeployment> {
  const result = await awaitController(judge, (ms) => ctx.indexes.changed(ms), wait, req.signal);
  if (result.state === 'refused') {
    await onRefused?.();
    throw serverError(result.error);
  }
  if (result.state === 'timeout') {
    throw serverError(
      notActedInTime({
        what: pending.what,
        deploymentId: d.metadata.uid ?? d.metadata.name,
        ms: wait.timeoutMs,
        leaderKnown: ctx.knownLeader(),
        waitingFor: result.last.for,
        intentIn: pending.intentIn,
      }),
    );
  }
  return cached(ctx, d) ?? d;
}

/**
 * A deployment write's first steps: the body checked (its DeploymentID when `requireId`), `patch`
 * on NomadDeployments authorized (and `also`) before the lookup, the deployment found.
 */
async function deploymentToWrite(
  req: ApiRequest,
  ctx: RouteContext,
  requireId: boolean,
  ...also: Access[]
): Promise<{ body: Record<string, unknown>; d: NomadDeployment }> {
  const body = bodyFor(req, requireId);
  await req.authorize(writeIn(req.options.namespace), ...also);
  return { body, d: deploymentFor(ctx.view, req, true)! };
}

/** Nomad refuses every write to a deployment that has ended, each with its own text. */
function refuseIfTerminal(d: NomadDeployment, refusal: string): void {
  if (isTerminal(observeDeployment(d).status)) throw serverError(refusal);
}

/** Writes an operation's intent and answers once the controller has carried it out. */
async function operate(
  req: ApiRequest,
  ctx: RouteContext,
  d: NomadDeployment,
  op: DeploymentOperation,
  spec: Record<string, unknown>,
  what: string,
): Promise<{ body: UpdateResponse; index: number }> {
  const { view } = ctx;
  const written = await patchSpec(ctx, d, spec);
  const generation = written.metadata.generation ?? 0;
  const judge = () => {
    const now = cached(ctx, d);
    return operationOutcome(op, { deployment: now, generation, newestJobVersion: op.kind === 'fail' && now ? newestJobVersion(view, now) : undefined });
  };
  const changedSpec = generation > (d.metadata.generation ?? 0);
  const withdraw = op.kind === 'promote' && changedSpec ? () => withdrawPromotion(ctx, written) : undefined;
  const intentIn = `the spec of NomadDeployment ${namespaceOf(d)}/${d.metadata.name}`;
  const done = await untilCarriedOut(ctx, req, d, judge, ctx.controllerWait, { what, intentIn }, withdraw);
  const index = indexOf(done.metadata.resourceVersion);
  // Nomad creates an evaluation for every operation but a pause.
  const withEval = op.kind !== 'pause';
  const evalId = withEval ? issueDeploymentEvaluation(view, written, written.metadata.resourceVersion ?? '', index) : '';
  const reverted = op.kind === 'fail' ? (done.status?.revertedJobVersion ?? null) : null;
  return { index, body: { EvalID: evalId, EvalCreateIndex: withEval ? index : 0, DeploymentModifyIndex: index, RevertedJobVersion: reverted, Index: index } };
}

// POST /v1/deployment/fail/:id, /pause/:id, /promote/:id, /unblock/:id

async function failDeployment(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { d } = await deploymentToWrite(req, ctx, false);
  refuseIfTerminal(d, terminalRefusals.fail);
  return operate(req, ctx, d, { kind: 'fail' }, { failed: true }, 'fail');
}

/** Pauses, or with `Pause: false` resumes, the deployment. */
async function pauseDeployment(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { body, d } = await deploymentToWrite(req, ctx, true);
  const pause = body['Pause'] === true;
  refuseIfTerminal(d, pause ? terminalRefusals.pause : terminalRefusals.resume);
  return operate(req, ctx, d, { kind: pause ? 'pause' : 'resume' }, { paused: pause }, pause ? 'pause' : 'resume');
}

/** Promotes the canaries of all groups (`All`) or of the named `Groups`, if the planner's promotion rules allow it now. */
async function promoteDeployment(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { body, d } = await deploymentToWrite(req, ctx, true);
  const groups = Array.isArray(body['Groups']) ? (body['Groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  const request: PromoteRequest = body['All'] === true ? { all: true } : { groups };
  const outcome = promote(observeDeployment(d), request, healthyCanaries(ctx.view, d), Date.now());
  if (!outcome.ok) throw serverError(outcome.error);
  const intent = 'all' in request ? { promote: { all: true, groups: null } } : { promote: { groups, all: null } };
  return operate(req, ctx, d, { kind: 'promote', request }, intent, 'promote');
}

/**
 * Only a multiregion deployment waiting on its peer regions is ever blocked; Caravan's are
 * single-region, so this answers as Nomad answers for any other deployment.
 */
async function unblockDeployment(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { d } = await deploymentToWrite(req, ctx, true);
  throw serverError(isTerminal(observeDeployment(d).status) ? terminalRefusals.unblock : "can't unblock running deployment");
}

// POST /v1/deployment/allocation-health/:id

/**
 * Marks allocations of the deployment healthy or unhealthy (the Pods' caravan.dev/health) and
 * answers once the controller has counted them in the deployment.
 */
async function setAllocationHealth(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  const { body, d } = await deploymentToWrite(req, ctx, true, { verb: 'patch', group: '', resource: 'pods', namespace: req.options.namespace });
  const healthy = allocationIds(body, 'HealthyAllocationIDs');
  const unhealthy = allocationIds(body, 'UnhealthyAllocationIDs');
  if (healthy.length === 0 && unhealthy.length === 0) throw serverError('must specify at least one healthy/unhealthy allocation ID');
  refuseIfTerminal(d, terminalRefusals.health);
  const pods = podsToMark(view, d, healthy, unhealthy);
  const last = await markHealth(ctx, d, pods);
  const requested = new Map(pods.map(([pod, health]) => [pod.metadata!.uid!, health]));
  const judge = () => {
    const now = cached(ctx, d);
    const newest = unhealthy.length > 0 && now ? newestJobVersion(view, now) : undefined;
    // The health recorded for each is in the deployment's status as it is now.
    return allocationHealthOutcome({ deployment: now, requested, allocations: allocationsOf(view, now ?? d), newestJobVersion: newest });
  };
  const done = await untilCarriedOut(ctx, req, d, judge, ctx.controllerWait, {
    what: 'set the health of allocations of',
    intentIn: `the ${annotations.health} annotation of the allocations' Pods`,
  });
  const index = allocationHealthIndex(view, done, last, requested);
  const reverted = unhealthy.length > 0 && done.status?.status === 'failed' ? (done.status.revertedJobVersion ?? null) : null;
  const evalId = issueDeploymentEvaluation(view, d, last, index);
  return { index, body: { EvalID: evalId, EvalCreateIndex: index, DeploymentModifyIndex: index, RevertedJobVersion: reverted, Index: index } };
}

/** Nomad writes the allocations and the deployment at one index: the later of the two here. */
function allocationHealthIndex(view: ClusterView, done: NomadDeployment, lastPodWrite: string, requested: ReadonlyMap<string, Health>): number {
  const marks = allocationsOf(view, done)
    .filter((a) => requested.has(a.uid))
    .map((a) => indexOf(a.resourceVersion));
  return Math.max(indexOf(done.metadata.resourceVersion), indexOf(lastPodWrite), ...marks);
}

/** The allocation IDs listed under `key` (anything but strings left out). */
function allocationIds(body: Record<string, unknown>, key: string): string[] {
  return Array.isArray(body[key]) ? (body[key] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
}

/** Each listed allocation's Pod with the health asked for; Nomad's 500 for one unknown or of another deployment. */
function podsToMark(view: ClusterView, d: NomadDeployment, healthy: readonly string[], unhealthy: readonly string[]): [V1Pod, Health][] {
  const namespace = namespaceOf(d);
  const pods: [V1Pod, Health][] = [];
  for (const [list, health] of [
    [healthy, 'healthy'],
    [unhealthy, 'unhealthy'],
  ] as const) {
    for (const id of list) {
      const pod = view.podByUid(id);
      if (!pod) throw serverError(`unknown alloc ${JSON.stringify(id)}`);
      if (pod.metadata?.annotations?.[annotations.deployment] !== d.metadata.name || pod.metadata?.namespace !== namespace)
        throw serverError(`alloc ${JSON.stringify(id)} is not part of deployment ${JSON.stringify(d.metadata.uid)}`);
      pods.push([pod, health]);
    }
  }
  return pods;
}

/** Annotates each Pod with its health, waiting for the cache after each; the last resourceVersion written. */
async function markHealth(ctx: RouteContext, d: NomadDeployment, pods: readonly [V1Pod, Health][]): Promise<string> {
  const namespace = namespaceOf(d);
  const core = ctx.kc.makeApiClient(CoreV1Api);
  let last = d.metadata.resourceVersion ?? '';
  for (const [pod, health] of pods) {
    const written = await core.patchNamespacedPod(
      { namespace, name: pod.metadata!.name!, body: { metadata: { annotations: { [annotations.health]: health } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    last = written.metadata?.resourceVersion ?? last;
    await ctx.view.caughtUp('pods', `${namespace}/${pod.metadata!.name!}`, written.metadata?.resourceVersion);
  }
  return last;
}

/** The deployment's allocations as the cache holds them now, with their recorded health. */
function allocationsOf(view: ClusterView, d: NomadDeployment) {
  return view.podsOfDeployment(d).flatMap((p) => {
    const a = observeAllocation(p, d);
    return a && a.deployment === d.metadata.name
      ? [{ uid: a.uid, group: a.group, recorded: a.recordedHealth?.health, resourceVersion: p.metadata?.resourceVersion }]
      : [];
  });
}
