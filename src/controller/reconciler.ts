import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { apiErrorCode } from '../kube/client.ts';
import { cacheIndexes } from '../kube/cluster-caches.ts';
import type { Informer } from '../kube/informer.ts';
import { JobVersionStore } from '../kube/job-version-store.ts';
import { canonicalJob } from '../model/defaults.ts';
import type { Job } from '../model/job.ts';
import { decideVersion, latestStableVersion, latestVersion, versionsToPrune, type JobIdentity, type JobVersion } from '../model/job-versions.ts';
import { parseNomadJob } from '../model/validate.ts';
import type { ObservedAllocation } from '../planner/observed-allocation.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { rolloutTransitions } from '../metrics/rollout-transitions.ts';
import { plan } from '../planner/plan.ts';
import type { Plan } from '../planner/plan-types.ts';
import { formatRecordedHealth, observeAllocation, renderAllocationPod, rescheduleEventsAnnotation } from '../resources/allocation-pod.ts';
import { annotations, labels } from '../resources/labels.ts';
import { deploymentObject, deploymentStatusBody, observeDeployment, type NomadDeployment as NomadDeploymentObject } from '../resources/nomad-deployment.ts';
import type { NomadJob, NomadJobStatus as JobStatusBody } from '../resources/nomad-job.ts';
import { Expectations } from './expectations.ts';
import { inParallel } from './in-parallel.ts';
import { invalidSpecStatus, jobStatusBody } from './job-status-body.ts';
import type { HandlerResult } from './work-queue.ts';
import { writes, type Write } from './writes.ts';

const group = 'caravan.dev';
const version = 'v1alpha1';
/** A NomadJob as the cache holds it. */
export type JobObject = NomadJob & { status?: JobStatusBody; metadata: NomadJob['metadata'] & { resourceVersion?: string } };
type WithStatus = JobObject;

export interface Caches {
  readonly jobs: Informer<WithStatus>;
  readonly deployments: Informer<NomadDeploymentObject>;
  readonly pods: Informer<V1Pod>;
  readonly nodes: Informer<V1Node>;
}

/** Pod creates and deletes of one reconcile in flight at once. */
const writeConcurrency = 16;

/**
 * One reconcile of one NomadJob: snapshot from the caches, plan, apply. The only place that
 * writes; it writes only what the plan asks for, so a reconcile with nothing to do writes nothing.
 */
export class JobReconciler {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly versions: JobVersionStore;
  private readonly expectations = new Expectations();
  private readonly caches: Caches;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics | undefined;

  constructor(kc: KubeConfig, caches: Caches, opts: { now?: () => number; logger?: Logger; metrics?: ControllerMetrics } = {}) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.versions = new JobVersionStore(kc);
    this.caches = caches;
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics;
  }

  private podsOf(namespace: string, job: string): V1Pod[] {
    return this.caches.pods.byIndex(cacheIndexes.byJob, `${namespace}/${job}`);
  }

  private deploymentsOf(namespace: string, job: string): NomadDeploymentObject[] {
    return this.caches.deployments.byIndex(cacheIndexes.byJob, `${namespace}/${job}`);
  }

  async reconcile(key: string): Promise<HandlerResult> {
    const now = this.now();
    const job = this.caches.jobs.get(key);
    if (!job) return; // deleted: its Pods, versions and deployments go with it (owner references)
    const namespace = job.metadata.namespace!;
    const name = job.metadata.name;
    const identity: JobIdentity = { name, namespace, uid: job.metadata.uid! };
    const cacheVersions = {
      resourceVersionOf: (kind: 'pod' | 'deployment' | 'job', n: string) =>
        (kind === 'pod' ? this.caches.pods.get(`${namespace}/${n}`) : kind === 'deployment' ? this.caches.deployments.get(`${namespace}/${n}`) : this.caches.jobs.get(`${namespace}/${n}`))?.metadata?.resourceVersion,
    };
    if (!this.expectations.satisfied(key, cacheVersions, now)) return { requeueAfterMs: 200 };

    const generation = job.metadata.generation ?? 0;
    const parsed = parseNomadJob(name, namespace, job.spec);
    if (!parsed.ok) {
      await this.writeJobStatus(key, job, invalidSpecStatus(generation, parsed.errors, job.status?.conditions, now));
      return;
    }

    // Versions: the user's spec makes a new version only when it changed.
    let history = await this.versions.list(namespace, name);
    const decision = decideVersion(history, job.spec, new Date(now));
    if (decision.kind === 'new') {
      history = [...history, await this.versions.record(identity, decision.version)];
      this.logger.info({ namespace, job: name, version: decision.version.version }, `recorded job version ${decision.version.version}`);
    }
    history = await this.repairRevert(identity, history, now);
    const target = latestVersion(history)!;
    const jobs = new Map<number, Job>();
    for (const v of history) {
      const p = parseNomadJob(name, namespace, v.spec);
      if (p.ok) jobs.set(v.version, p.job);
    }
    const targetJob = jobs.get(target.version) ?? canonicalJob(name, namespace, target.spec);

    const deploymentObjects = this.deploymentsOf(namespace, name).sort((a, b) => b.spec.jobVersion - a.spec.jobVersion);
    const newest = deploymentObjects[0];
    const earlier = deploymentObjects.slice(1).map(observeDeployment);
    const allocations = this.podsOf(namespace, name).flatMap((p) => observeAllocation(p) ?? []);
    const lostNodes = new Set(
      allocations.flatMap((a) => {
        if (!a.nodeName) return [];
        const node = this.caches.nodes.get(a.nodeName);
        const ready = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        return node && ready ? [] : [a.nodeName];
      }),
    );

    const p = plan({ job: { ...identity, stop: job.spec.stop ?? false }, target: { ...target, job: targetJob }, jobs, history, ...(newest ? { deployment: observeDeployment(newest) } : {}), earlier, allocations, lostNodes, now });
    await this.apply(key, identity, job, p, { history, target, jobs, newest, allocations, lostNodes, now, generation });
    this.metrics?.rollout(namespace, name, rolloutTransitions(newest ? observeDeployment(newest) : undefined, p, allocations, now));
    for (const v of versionsToPrune(history)) await this.versions.delete(identity, v.version);
    return p.requeueAt !== undefined ? { requeueAfterMs: Math.max(100, p.requeueAt - now) } : undefined;
  }

  private async apply(
    key: string,
    identity: JobIdentity,
    job: WithStatus,
    p: Plan,
    ctx: { history: JobVersion[]; target: JobVersion; jobs: Map<number, Job>; newest: NomadDeploymentObject | undefined; allocations: ObservedAllocation[]; lostNodes: Set<string>; now: number; generation: number },
  ): Promise<void> {
    const lostPods = new Set(ctx.allocations.filter((a) => a.nodeName !== undefined && ctx.lostNodes.has(a.nodeName)).map((a) => a.podName));
    const previousRefusal = ctx.newest?.status?.conditions?.find((c) => c.type === 'IntentHonoured' && c.status === 'False')?.message;
    for (const w of writes(p, { history: ctx.history, target: ctx.target.version, lostPods, ...(previousRefusal ? { previousRefusal } : {}), now: ctx.now })) await this.execute(key, identity, job, p, ctx, w);
  }

  /** Carries out one write; the order is `writes()`'s. */
  private async execute(key: string, identity: JobIdentity, job: WithStatus, p: Plan, ctx: Parameters<JobReconciler['apply']>[4], w: Write): Promise<void> {
    const { namespace } = identity;
    const now = ctx.now;
    switch (w.kind) {
      case 'markStable':
        await this.versions.markStable(identity, w.version, true);
        return;
      case 'deploymentStatus':
        return this.writeDeploymentStatus(key, identity, w.deployment, now, w.revertedJobVersion, w.intentError);
      case 'recordVersion':
        await this.versions.record(identity, w.version);
        return;
      case 'recordHealth':
        return this.patchPod(key, namespace, w.podName, { metadata: { annotations: { [annotations.deploymentHealth]: formatRecordedHealth(w.health, w.at) } } }, now);
      case 'moveInPlace':
        // One merge patch: null removes a key whether or not it is there, so no op depends on another.
        return this.patchPod(key, namespace, w.podName, { metadata: { labels: { [labels.jobVersion]: String(w.version), [labels.canary]: 'false' }, annotations: { [annotations.deployment]: w.deployment ?? null, [annotations.deploymentHealth]: null } } }, now);
      case 'deletePods':
        // Deletes go out together (up to 16 at a time), before any create.
        return inParallel(w.pods, writeConcurrency, async (s) => {
          try {
            await this.core.deleteNamespacedPod({ namespace, name: s.podName, ...(s.lost ? { gracePeriodSeconds: 0 } : {}) });
          } catch (error) {
            if (apiErrorCode(error) !== 404) throw error;
          }
          this.expectations.expectGone(key, s.podName, now);
        });
      case 'createPods':
        return inParallel(w.placements, writeConcurrency, (placement) => this.createPod(key, identity, ctx.jobs, placement, now));
      case 'event':
        return this.event(identity, w.event.on === 'deployment' ? w.deployment : undefined, w.event.type, w.event.reason, w.event.message, now);
      case 'jobStatus':
        return this.writeJobStatus(key, job, this.jobStatus(identity, job, p, ctx, w.history));
    }
  }

  private async createPod(key: string, identity: JobIdentity, jobs: ReadonlyMap<number, Job>, placement: Plan['place'][number], now: number): Promise<void> {
    const pod = renderAllocationPod({ job: jobs.get(placement.version)!, jobUid: identity.uid, version: placement.version, group: placement.group, index: placement.index, canary: placement.canary, replacement: placement.replacement, ...(placement.deployment ? { deployment: placement.deployment } : {}) });
    if (placement.rescheduleEvents) pod.metadata!.annotations![rescheduleEventsAnnotation] = JSON.stringify(placement.rescheduleEvents);
    try {
      const created = await this.core.createNamespacedPod({ namespace: identity.namespace, body: pod });
      this.expectations.expectVersion(key, 'pod', created.metadata!.name!, created.metadata!.resourceVersion!, now);
    } catch (error) {
      if (apiErrorCode(error) !== 409) throw error; // created by an earlier, interrupted pass
    }
  }

  private jobStatus(identity: JobIdentity, job: WithStatus, p: Plan, ctx: Parameters<JobReconciler['apply']>[4], history: readonly JobVersion[]): JobStatusBody {
    const latest = latestVersion(history)!;
    const stable = latestStableVersion(history);
    const desired = [...ctx.jobs.get(ctx.target.version)!.taskGroups].reduce((n, g) => n + g.count, 0);
    // The reason is the failed deployment's description, not the newest one's (the revert's own).
    const reverted = ctx.target.revertedFrom;
    const failed = reverted === undefined ? undefined : this.deploymentsOf(identity.namespace, identity.name).find((d) => d.spec.jobVersion === reverted);
    const revert = reverted !== undefined ? { fromVersion: reverted, toVersion: ctx.target.version, reason: failed?.status?.statusDescription ?? '' } : undefined;
    return jobStatusBody({ generation: ctx.generation, plan: p, desired, latestVersion: latest.version, runningVersion: ctx.target.version, stableVersion: stable?.version, revert, deployment: p.deployment ?? (ctx.newest ? observeDeployment(ctx.newest) : undefined), previous: job.status?.conditions, now: ctx.now });
  }

  /**
   * A deployment that failed with a revert decided (revertedJobVersion in its status) whose revert
   * version was never recorded (the controller stopped in between): record it now.
   */
  private async repairRevert(job: JobIdentity, history: Awaited<ReturnType<JobVersionStore['list']>>, now: number): Promise<Awaited<ReturnType<JobVersionStore['list']>>> {
    const latest = latestVersion(history);
    const d = this.deploymentsOf(job.namespace, job.name).find((x) => x.spec.jobVersion === latest?.version);
    const to = d?.status?.status === 'failed' ? d.status.revertedJobVersion : undefined;
    const stable = to !== undefined ? history.find((v) => v.version === to) : undefined;
    if (!latest || !stable) return history;
    const record = await this.versions.record(job, { ...stable, version: latest.version + 1, stable: true, revertedFrom: latest.version, submitTime: new Date(now).toISOString() });
    this.logger.info({ namespace: job.namespace, job: job.name, version: record.version }, `recorded the revert to version ${to} that an interrupted pass decided`);
    return [...history, record];
  }

  private async patchPod(key: string, namespace: string, name: string, body: object, now: number): Promise<void> {
    try {
      const pod = await this.core.patchNamespacedPod({ namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      this.expectations.expectVersion(key, 'pod', name, pod.metadata!.resourceVersion!, now);
    } catch (error) {
      if (apiErrorCode(error) !== 404) throw error;
    }
  }

  private async writeDeploymentStatus(key: string, job: JobIdentity, d: NonNullable<Plan['deployment']>, now: number, revertedJobVersion?: number, intentError?: string): Promise<void> {
    let obj = this.caches.deployments.get(`${job.namespace}/${d.name}`);
    if (!obj) {
      try {
        obj = (await this.custom.createNamespacedCustomObject({ group, version, plural: 'nomaddeployments', namespace: job.namespace, body: deploymentObject(job, d) })) as NomadDeploymentObject;
      } catch (error) {
        if (apiErrorCode(error) !== 409) throw error;
        obj = (await this.custom.getNamespacedCustomObject({ group, version, plural: 'nomaddeployments', namespace: job.namespace, name: d.name })) as NomadDeploymentObject;
      }
    }
    const status = deploymentStatusBody(d, obj, now, revertedJobVersion ?? obj.status?.revertedJobVersion, intentError);
    const { modifyTime: _a, ...before } = obj.status ?? {};
    const { modifyTime: _b, ...after } = status;
    if (isDeepStrictEqual(before, JSON.parse(JSON.stringify(after)))) return; // nothing changed: no write
    const written = (await this.custom.patchNamespacedCustomObjectStatus({ group, version, plural: 'nomaddeployments', namespace: job.namespace, name: d.name, body: [{ op: 'add', path: '/status', value: status }] })) as NomadDeploymentObject;
    this.expectations.expectVersion(key, 'deployment', d.name, written.metadata.resourceVersion!, now);
  }

  private async writeJobStatus(key: string, job: WithStatus, status: JobStatusBody): Promise<void> {
    // Key order differs between what the API server returns and what we build: compare values.
    if (isDeepStrictEqual(job.status ?? {}, JSON.parse(JSON.stringify(status)))) return;
    try {
      const written = (await this.custom.patchNamespacedCustomObjectStatus({
        group,
        version,
        plural: 'nomadjobs',
        namespace: job.metadata.namespace!,
        name: job.metadata.name,
        // Optimistic concurrency: a job changed since the cache saw it is not overwritten.
        body: [{ op: 'test', path: '/metadata/resourceVersion', value: job.metadata.resourceVersion }, { op: 'add', path: '/status', value: status }],
      })) as WithStatus;
      this.expectations.expectVersion(key, 'job', job.metadata.name, written.metadata.resourceVersion!, this.now());
    } catch (error) {
      const code = apiErrorCode(error);
      if (code !== 409 && code !== 422) throw error; // the job changed under us: the next reconcile writes again
    }
  }

  private async event(job: JobIdentity, deployment: { name: string; id?: string } | undefined, type: string, reason: string, message: string, now: number): Promise<void> {
    const involved = deployment
      ? { apiVersion: `${group}/${version}`, kind: 'NomadDeployment', name: deployment.name, namespace: job.namespace, ...(deployment.id ? { uid: deployment.id } : {}) }
      : { apiVersion: `${group}/${version}`, kind: 'NomadJob', name: job.name, namespace: job.namespace, uid: job.uid };
    const time = new Date(now);
    this.logger[type === 'Warning' ? 'warn' : 'info']({ namespace: job.namespace, job: job.name, ...(deployment ? { deployment: deployment.name } : {}), reason }, message);
    try {
      await this.core.createNamespacedEvent({
        namespace: job.namespace,
        body: { metadata: { generateName: `${involved.name}.` }, involvedObject: involved, type, reason, message, source: { component: 'caravan' }, firstTimestamp: time, lastTimestamp: time, count: 1 },
      });
    } catch (error) {
      this.logger.warn({ namespace: job.namespace, job: job.name, ...(deployment ? { deployment: deployment.name } : {}), reason, err: error }, 'event not written');
    }
  }
}
