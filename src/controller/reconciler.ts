import type { V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { cacheIndexes, type Caches } from '../kube/cluster-caches.ts';
import type { JobPodsReader } from '../kube/job-pods.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { rolloutTransitions } from '../metrics/rollout-transitions.ts';
import { canonicalJob } from '../model/defaults.ts';
import type { Job } from '../model/job.ts';
import { decideVersion, latestStableVersion, latestVersion, versionsToPrune, type JobIdentity, type JobVersion } from '../model/job-versions.ts';
import type { ObservedAllocation } from '../planner/observed-allocation.ts';
import { nodeEligibility } from '../planner/node-feasibility.ts';
import { plan } from '../planner/plan.ts';
import type { Observed, Placement, Plan } from '../planner/plan-types.ts';
import type { Deployment } from '../planner/deployment.ts';
import { observeAllocation, renderAllocationPod } from '../resources/allocation-pod.ts';
import { formatRecordedHealth } from '../resources/recorded-health.ts';
import { apiVersion } from '../resources/api-version.ts';
import { versionFromRevision, versionObjectName } from '../resources/job-version.ts';
import { childAnnotations, childIdentity, withChildEnvironment, withDispatchPayload } from '../resources/child-job.ts';
import { annotations, labels } from '../resources/labels.ts';
import { deploymentObject, deploymentStatusBody, observeDeployment, type NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJob, NomadJobStatus } from '../resources/nomad-job.ts';
import { isNodeReady, observeNode } from '../resources/node.ts';
import { isOwnedBy } from '../resources/object-meta.ts';
import { ChildLauncher, type ChildStep } from './child-launcher.ts';
import type { ClusterWriter } from './cluster-writer.ts';
import { Expectations, type ExpectedKind } from './expectations.ts';
import { ParsedSpecs } from './parsed-specs.ts';
import { inParallel } from './in-parallel.ts';
import { invalidSpecStatus, jobStatusBody } from './job-status-body.ts';
import type { HandlerResult } from './work-queue.ts';
import { stages, writes, type Write } from './writes.ts';

/** Pod creates and deletes of one reconcile in flight at once. */
const writeConcurrency = 16;

/** Passes in a row that may leave the job's status to the next (a job whose every pass writes still reports). */
const maxDeferredStatus = 4;
/**
 * How long after the first of them: with thousands of jobs queued the next pass can be minutes
 * away, and the status should not wait for it (the 10k run's jobs had none for 20 minutes).
 */
const maxStatusDeferralMs = 1000;

export interface ReconcilerDeps {
  readonly caches: Caches;
  /** Every write goes through it (`kubernetesWriter(kc)` in the controller). */
  readonly writer: ClusterWriter;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly metrics?: ControllerMetrics;
  /** Nomad's job_gc_threshold for dead children of periodic and parameterized parents. */
  readonly jobGcThresholdMs?: number;
  /** Reads a job's Pods from the API server, to confirm a missed progress deadline (`jobPodsReader(kc)`). */
  readonly readPods?: JobPodsReader;
}

/** What one pass observed and decided, for executing its writes. */
interface PassContext {
  readonly key: string;
  readonly identity: JobIdentity;
  readonly job: NomadJob;
  readonly plan: Plan;
  readonly history: JobVersion[];
  /** The version of the user's changed spec this pass records (it is in `history` already). */
  readonly submitted?: JobVersion;
  readonly target: JobVersion;
  readonly jobs: Map<number, Job>;
  readonly newest: NomadDeployment | undefined;
  readonly allocations: ObservedAllocation[];
  readonly lostNodes: Set<string>;
  readonly now: number;
  readonly generation: number;
  /** A periodic or parameterized parent's launches this pass. */
  readonly children?: ChildStep;
  /** NomadDeployments this pass created, for its status write in a later stage (the cache may not show them yet). */
  readonly created: Map<string, NomadDeployment>;
}

/**
 * One reconcile of one NomadJob: observe from the caches, plan, turn the plan into ordered
 * writes (`writes()`), execute them through the injected writer. It writes only what the plan
 * asks for, so a reconcile with nothing to do writes nothing.
 */
export class JobReconciler {
  private readonly writer: ClusterWriter;
  private readonly expectations = new Expectations();
  private readonly specs = new ParsedSpecs();
  private readonly caches: Caches;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics | undefined;
  private readonly children: ChildLauncher;
  private readonly readPods: JobPodsReader | undefined;
  /** Jobs whose status the last passes left to the next one: how many passes in a row, since when. */
  private readonly deferredStatus = new Map<string, { readonly passes: number; readonly since: number }>();

  constructor(deps: ReconcilerDeps) {
    this.writer = deps.writer;
    this.caches = deps.caches;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics;
    this.readPods = deps.readPods;
    this.children = new ChildLauncher({
      caches: deps.caches,
      writer: deps.writer,
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.jobGcThresholdMs !== undefined ? { jobGcThresholdMs: deps.jobGcThresholdMs } : {}),
    });
  }

  /** The job's Pods; one owned by an earlier job of the same name (awaiting garbage collection) is not its. */
  private podsOf(job: JobIdentity): V1Pod[] {
    return this.caches.pods.byIndex(cacheIndexes.byJob, `${job.namespace}/${job.name}`).filter((p) => isOwnedBy(p, job.uid));
  }

  /** The job's versions, oldest first; an earlier job's of the same name (awaiting garbage collection) are not its. */
  private versionsOf(job: JobIdentity): JobVersion[] {
    return this.caches.revisions
      .byIndex(cacheIndexes.byJob, `${job.namespace}/${job.name}`)
      .filter((r) => isOwnedBy(r, job.uid))
      .flatMap((r) => versionFromRevision(r) ?? [])
      .sort((a, b) => a.version - b.version);
  }

  private deploymentsOf(job: JobIdentity): NomadDeployment[] {
    return this.caches.deployments.byIndex(cacheIndexes.byJob, `${job.namespace}/${job.name}`).filter((d) => isOwnedBy(d, job.uid));
  }

  /** One pass, controller-runtime's contract: a key in; done, look again after a delay, or an error. */
  async reconcile(key: string): Promise<HandlerResult> {
    const now = this.now();
    const job = this.caches.jobs.get(key);
    if (!job) {
      // Deleted: its Pods, versions and deployments go with it (owner references).
      this.deferredStatus.delete(key);
      return;
    }
    const identity: JobIdentity = { name: job.metadata.name, namespace: job.metadata.namespace!, uid: job.metadata.uid! };
    if (!this.expectations.satisfied(key, this.cachedVersions(identity.namespace), now)) return { requeueAfterMs: 200 };
    const generation = job.metadata.generation ?? 0;
    const parsed = this.specs.parse(identity.name, identity.namespace, job.spec);
    if (!parsed.ok) {
      await this.writeJobStatus(key, job, invalidSpecStatus(generation, parsed.errors, job.status?.conditions, now));
      return;
    }
    // A parent records a changed spec before it launches children from it; any other job records
    // it among the pass's first writes (writes() and stages()), planned from it beforehand.
    const parent = parsed.job.periodic !== undefined || parsed.job.parameterized !== undefined;
    const { history, submitted } = await this.versions(key, identity, job, now, parent);
    const { seen, p } = await this.planConfirmed(identity, job, history, now);
    // Periodic launches and child GC, before the status write that records them.
    const { target, newest, allocations } = seen;
    const children = target.job.periodic || target.job.parameterized ? await this.children.step(job, target.job, target.version, now) : undefined;
    await this.apply({
      key,
      identity,
      job,
      plan: p,
      history,
      ...(submitted ? { submitted } : {}),
      target,
      jobs: seen.jobs,
      newest,
      allocations,
      lostNodes: seen.lostNodes,
      now,
      generation,
      ...(children ? { children } : {}),
      created: new Map(),
    });
    this.metrics?.rollout(identity.namespace, identity.name, rolloutTransitions(newest ? observeDeployment(newest) : undefined, p, allocations, now));
    for (const v of versionsToPrune(history)) {
      await this.writer.deleteVersion(identity, v.version);
      this.expectations.expectGone(key, 'revision', versionObjectName(identity.name, v.version), now);
    }
    const requeueAt = Math.min(p.requeueAt ?? Number.POSITIVE_INFINITY, children?.requeueAt ?? Number.POSITIVE_INFINITY);
    return Number.isFinite(requeueAt) ? { requeueAfterMs: Math.max(100, requeueAt - now) } : undefined;
  }

  /**
   * Plans from the caches. A deployment failing at its progress deadline is a verdict on health
   * not seen, and a Pod cache behind the cluster (a watch that fell behind under load, a relist)
   * would give it wrongly, an auto-revert after it: that pass plans again on the job's Pods as the
   * API server has them. Health it then records lands in the deployment's status, so later passes
   * see it however far behind the Pod cache is.
   */
  private async planConfirmed(identity: JobIdentity, job: NomadJob, history: JobVersion[], now: number) {
    const cached = this.podsOf(identity);
    const seen = this.observe(identity, job, history, now, cached);
    const p = plan(seen.observed);
    if (!p.missedDeadline || !this.readPods) return { seen, p };
    const fresh = (await this.readPods(identity)).filter((pod) => isOwnedBy(pod, identity.uid));
    if (sameResourceVersions(cached, fresh)) return { seen, p };
    this.logger.warn(
      { namespace: identity.namespace, job: identity.name, cached: cached.length, read: fresh.length },
      'progress deadline: the Pod cache is behind the API server; planning again on the Pods read from it',
    );
    const again = this.observe(identity, job, history, now, fresh);
    return { seen: again, p: plan(again.observed) };
  }

  /** What the caches hold of the objects this reconciler wrote, for the read-your-writes guard. */
  private cachedVersions(namespace: string) {
    const cacheOf = { pod: this.caches.pods, deployment: this.caches.deployments, job: this.caches.jobs, revision: this.caches.revisions } as const;
    return { resourceVersionOf: (kind: ExpectedKind, name: string) => cacheOf[kind].get(`${namespace}/${name}`)?.metadata?.resourceVersion };
  }

  /**
   * The job's versions: those recorded, a new one when the user's spec changed (`submitted`, still
   * to record unless `recordNow`), and a revert an interrupted pass decided.
   */
  private async versions(
    key: string,
    identity: JobIdentity,
    job: NomadJob,
    now: number,
    recordNow: boolean,
  ): Promise<{ history: JobVersion[]; submitted?: JobVersion }> {
    let history = this.versionsOf(identity);
    const decision = decideVersion(history, job.spec, new Date(now));
    if (decision.kind === 'new' && !recordNow) return { history: [...history, decision.version], submitted: decision.version };
    if (decision.kind === 'new') history = [...history, await this.recordSubmitted(key, identity, decision.version, now, job.metadata.resourceVersion)];
    return { history: await this.repairRevert(key, identity, history, now) };
  }

  /** Records a version of the user's spec, read from the NomadJob at `jobResourceVersion` (its JobModifyIndex). */
  private async recordSubmitted(key: string, identity: JobIdentity, version: JobVersion, now: number, jobResourceVersion?: string): Promise<JobVersion> {
    const recorded = await this.recordVersion(key, identity, version, now, jobResourceVersion);
    this.logger.info({ namespace: identity.namespace, job: identity.name, version: version.version }, `recorded job version ${version.version}`);
    return recorded;
  }

  /** Records a version, and waits for the cache to show it before the job's next pass. */
  private async recordVersion(key: string, identity: JobIdentity, version: JobVersion, now: number, recordedIndex?: string): Promise<JobVersion> {
    const recorded = await this.writer.recordVersion(identity, version, recordedIndex);
    this.expectations.expectVersion(key, 'revision', versionObjectName(identity.name, version.version), recorded.resourceVersion, now);
    return recorded.version;
  }

  /** Everything the planner decides on, read from the caches (no writes). */
  private observe(identity: JobIdentity, job: NomadJob, history: JobVersion[], now: number, pods: readonly V1Pod[]) {
    const { name, namespace } = identity;
    const latest = latestVersion(history)!;
    const jobs = new Map<number, Job>();
    for (const v of history) {
      const p = this.specs.parse(name, namespace, v.spec);
      if (p.ok) jobs.set(v.version, p.job);
    }
    const target = { ...latest, job: jobs.get(latest.version) ?? canonicalJob(name, namespace, latest.spec) };
    // A deployment ahead of the history is one a crashed pass created with a version that never
    // landed: it is left out until a version of that number is recorded, then taken on.
    const deploymentObjects = this.deploymentsOf(identity)
      .filter((d) => d.spec.jobVersion <= latest.version)
      .sort((a, b) => b.spec.jobVersion - a.spec.jobVersion);
    const newest = deploymentObjects[0];
    const allocations = pods.flatMap((p) => observeAllocation(p) ?? []);
    // A system allocation is pinned before it is bound: its node going away loses it even while Pending.
    const lostNodes = new Set(
      allocations.flatMap((a) => [a.nodeName, a.node].flatMap((n) => (n !== undefined && !isNodeReady(this.caches.nodes.get(n)) ? [n] : []))),
    );
    const perNode = target.job.type === 'system' || target.job.type === 'sysbatch';
    const evaluatedAt = Date.parse(job.metadata.annotations?.[annotations.evaluateRequested] ?? '');
    const observed: Observed = {
      job: { ...identity, stop: job.spec.stop ?? false },
      target,
      jobs,
      history,
      ...(newest ? { deployment: observeDeployment(newest) } : {}),
      earlier: deploymentObjects.slice(1).map(observeDeployment),
      allocations,
      lostNodes,
      ...(perNode ? { nodes: [...this.caches.nodes.values()].map(observeNode) } : {}),
      ...(Number.isNaN(evaluatedAt) ? {} : { evaluatedAt }),
      now,
    };
    return { observed, target, jobs, newest, allocations, lostNodes };
  }

  private async apply(ctx: PassContext): Promise<void> {
    const lostPods = new Set(ctx.allocations.filter((a) => a.nodeName !== undefined && ctx.lostNodes.has(a.nodeName)).map((a) => a.podName));
    const previousRefusal = ctx.newest?.status?.conditions?.find((c) => c.type === 'IntentHonoured' && c.status === 'False')?.message;
    const list = writes(ctx.plan, {
      history: ctx.history,
      ...(ctx.submitted ? { submitted: ctx.submitted } : {}),
      target: ctx.target.version,
      lostPods,
      ...(previousRefusal ? { previousRefusal } : {}),
      now: ctx.now,
    });
    for (const stage of stages(list)) await inParallel(stage, writeConcurrency, (w) => this.execute(ctx, w));
  }

  /** Carries out one write; the order is `writes()`'s, in `stages()`. */
  private async execute(ctx: PassContext, w: Write): Promise<void> {
    const { key, identity, now } = ctx;
    const { namespace } = identity;
    switch (w.kind) {
      case 'markStable': {
        const name = versionObjectName(identity.name, w.version);
        const rv = await this.writer.markStable(identity, w.version, this.caches.revisions.get(`${namespace}/${name}`));
        if (rv) this.expectations.expectVersion(key, 'revision', name, rv, now);
        return;
      }
      case 'createDeployment': {
        const created = await this.ownDeployment(identity, w.deployment, ctx.created);
        this.expectations.expectVersion(key, 'deployment', created.metadata.name, created.metadata.resourceVersion!, now);
        return;
      }
      case 'deploymentStatus':
        return this.writeDeploymentStatus(ctx, w.deployment, w.revertedJobVersion, w.intentError);
      case 'recordVersion':
        if (w.cause === 'submitted') await this.recordSubmitted(key, identity, w.version, now, ctx.job.metadata.resourceVersion);
        else await this.recordVersion(key, identity, w.version, now);
        return;
      case 'recordHealth':
        return this.patchPod(
          key,
          namespace,
          w.podName,
          { metadata: { annotations: { [annotations.deploymentHealth]: formatRecordedHealth(w.health, w.at) } } },
          now,
        );
      case 'moveInPlace':
        // One merge patch: null removes a key whether or not it is there, so no op depends on another.
        return this.patchPod(
          key,
          namespace,
          w.podName,
          {
            metadata: {
              labels: { [labels.jobVersion]: String(w.version), [labels.canary]: 'false' },
              annotations: { [annotations.deployment]: w.deployment ?? null, [annotations.deploymentHealth]: null },
            },
          },
          now,
        );
      case 'deletePods':
        // Deletes go out together (up to 16 at a time), before any create.
        return inParallel(w.pods, writeConcurrency, async (s) => {
          await this.writer.deletePod(namespace, s.podName, { immediately: s.lost });
          this.expectations.expectGone(key, 'pod', s.podName, now);
        });
      case 'createPods':
        return inParallel(w.placements, writeConcurrency, (placement) => this.createPod(key, identity, ctx.jobs, placement, now));
      case 'event':
        return this.event(identity, w.event.on === 'deployment' ? w.deployment : undefined, w.event.type, w.event.reason, w.event.message, now);
      case 'jobStatus':
        // A parent's status is its launch record: written in the pass that launched.
        if (!ctx.children && this.defersStatus(key, now)) return;
        return this.writeJobStatus(key, ctx.job, this.jobStatus(ctx, w.history));
    }
  }

  private async createPod(key: string, identity: JobIdentity, jobs: ReadonlyMap<number, Job>, placement: Placement, now: number): Promise<void> {
    const pod = renderAllocationPod({
      job: jobs.get(placement.version)!,
      jobUid: identity.uid,
      version: placement.version,
      group: placement.group,
      index: placement.index,
      canary: placement.canary,
      replacement: placement.replacement,
      ...(placement.deployment ? { deployment: placement.deployment } : {}),
      ...(placement.rescheduleEvents ? { rescheduleEvents: placement.rescheduleEvents } : {}),
      ...(placement.node !== undefined ? { node: placement.node } : {}),
    });
    // Undefined: created by an earlier, interrupted pass.
    // A dispatched child's payload is mounted from its Secret into the tasks that ask for it.
    const cached = this.caches.jobs.get(key);
    const payloadSecret = cached?.metadata.annotations?.[childAnnotations.payloadSecret];
    const child = cached && childIdentity(cached);
    const created = await this.writer.createPod(
      identity.namespace,
      withChildEnvironment(withDispatchPayload(pod, jobs.get(placement.version)!, payloadSecret), child),
    );
    if (created) this.expectations.expectVersion(key, 'pod', created.metadata!.name!, created.metadata!.resourceVersion!, now);
  }

  /**
   * A pass that wrote Pods, deployments or versions leaves the job's status to the next pass,
   * which their watch events bring and which plans on them (the read-your-writes guard): it
   * reports the same and more, one status write instead of two. A registration then writes the
   * status twice, not three times. The deferral is bounded, in passes and in time from its first,
   * so a job whose every pass writes still reports, and so does one whose next pass is far off in
   * a long queue. Held in memory only: a new process writes at its first pass with nothing to do.
   */
  private defersStatus(key: string, now: number): boolean {
    const deferred = this.deferredStatus.get(key) ?? { passes: 0, since: now };
    if (this.expectations.awaiting(key) && deferred.passes < maxDeferredStatus && now - deferred.since < maxStatusDeferralMs) {
      this.deferredStatus.set(key, { passes: deferred.passes + 1, since: deferred.since });
      return true;
    }
    this.deferredStatus.delete(key);
    return false;
  }

  private jobStatus(ctx: PassContext, history: readonly JobVersion[]): NomadJobStatus {
    const { identity, job, plan: p } = ctx;
    const latest = latestVersion(history)!;
    const stable = latestStableVersion(history);
    const targetJob = ctx.jobs.get(ctx.target.version)!;
    // System and sysbatch: one allocation per group on each eligible node.
    const perNode = targetJob.type === 'system' || targetJob.type === 'sysbatch';
    const nodes = perNode ? [...this.caches.nodes.values()].map(observeNode) : [];
    const desired = targetJob.taskGroups.reduce(
      (n, g) => n + (perNode ? (g.count > 0 ? nodes.filter((node) => nodeEligibility(targetJob, g, node).eligible).length : 0) : g.count),
      0,
    );
    // The reason is the failed deployment's description, not the newest one's (the revert's own).
    const reverted = ctx.target.revertedFrom;
    const failed = reverted === undefined ? undefined : this.deploymentsOf(identity).find((d) => d.spec.jobVersion === reverted);
    const revert =
      reverted !== undefined ? { fromVersion: reverted, toVersion: ctx.target.version, reason: failed?.status?.statusDescription ?? '' } : undefined;
    const body = jobStatusBody({
      generation: ctx.generation,
      plan: p,
      // A parent places nothing: it is Ready while registered, its children are counted on their own.
      desired: ctx.children ? 0 : desired,
      latestVersion: latest.version,
      runningVersion: ctx.target.version,
      stableVersion: stable?.version,
      revert,
      deployment: p.deployment ?? (ctx.newest ? observeDeployment(ctx.newest) : undefined),
      previous: job.status?.conditions,
      now: ctx.now,
    });
    return ctx.children?.periodic ? { ...body, periodic: ctx.children.periodic } : body;
  }

  /**
   * A deployment that failed with a revert decided (revertedJobVersion in its status) whose revert
   * version was never recorded (the controller stopped in between): record it now.
   */
  private async repairRevert(key: string, job: JobIdentity, history: JobVersion[], now: number): Promise<JobVersion[]> {
    const latest = latestVersion(history);
    const d = this.deploymentsOf(job).find((x) => x.spec.jobVersion === latest?.version);
    const to = d?.status?.status === 'failed' ? d.status.revertedJobVersion : undefined;
    const stable = to !== undefined ? history.find((v) => v.version === to) : undefined;
    if (!latest || !stable) return history;
    const record = await this.recordVersion(
      key,
      job,
      {
        ...stable,
        version: latest.version + 1,
        stable: true,
        revertedFrom: latest.version,
        submitTime: new Date(now).toISOString(),
      },
      now,
    );
    this.logger.info(
      { namespace: job.namespace, job: job.name, version: record.version },
      `recorded the revert to version ${to} that an interrupted pass decided`,
    );
    return [...history, record];
  }

  private async patchPod(key: string, namespace: string, name: string, body: object, now: number): Promise<void> {
    const pod = await this.writer.patchPod(namespace, name, body);
    if (pod) this.expectations.expectVersion(key, 'pod', name, pod.metadata!.resourceVersion!, now);
  }

  /**
   * The job's NomadDeployment of that name: from the cache or this pass, else created now. One
   * of an earlier job of that name (awaiting garbage collection) is never written.
   */
  private async ownDeployment(job: JobIdentity, d: Deployment, created: Map<string, NomadDeployment>): Promise<NomadDeployment> {
    const obj =
      this.caches.deployments.get(`${job.namespace}/${d.name}`) ??
      created.get(d.name) ??
      (await this.writer.createDeployment(job.namespace, deploymentObject(job, d)));
    if (!isOwnedBy(obj, job.uid))
      throw new Error(
        `NomadDeployment ${job.namespace}/${d.name} still belongs to an earlier job of that name; waiting for the garbage collector to remove it`,
      );
    created.set(d.name, obj);
    return obj;
  }

  private async writeDeploymentStatus(ctx: PassContext, d: Deployment, revertedJobVersion?: number, intentError?: string): Promise<void> {
    const { key, identity, now } = ctx;
    const obj = await this.ownDeployment(identity, d, ctx.created);
    const status = deploymentStatusBody(d, obj, now, revertedJobVersion ?? obj.status?.revertedJobVersion, intentError);
    const { modifyTime: _a, ...before } = obj.status ?? {};
    const { modifyTime: _b, ...after } = status;
    if (isDeepStrictEqual(before, JSON.parse(JSON.stringify(after)))) return; // nothing changed: no write
    const written = await this.writer.writeDeploymentStatus(identity.namespace, d.name, status);
    this.expectations.expectVersion(key, 'deployment', d.name, written.metadata.resourceVersion!, now);
  }

  private async writeJobStatus(key: string, job: NomadJob, status: NomadJobStatus): Promise<void> {
    // Key order differs between what the API server returns and what we build: compare values.
    if (isDeepStrictEqual(job.status ?? {}, JSON.parse(JSON.stringify(status)))) return;
    // Undefined: the job changed under us (resourceVersion guard); the next reconcile writes again.
    const written = await this.writer.writeJobStatus(job, status);
    if (written) this.expectations.expectVersion(key, 'job', job.metadata.name, written.metadata.resourceVersion!, this.now());
  }

  private async event(
    job: JobIdentity,
    deployment: { name: string; id?: string } | undefined,
    type: string,
    reason: string,
    message: string,
    now: number,
  ): Promise<void> {
    const involved = deployment
      ? { apiVersion, kind: 'NomadDeployment', name: deployment.name, namespace: job.namespace, ...(deployment.id ? { uid: deployment.id } : {}) }
      : { apiVersion, kind: 'NomadJob', name: job.name, namespace: job.namespace, uid: job.uid };
    this.logger[type === 'Warning' ? 'warn' : 'info'](
      { namespace: job.namespace, job: job.name, ...(deployment ? { deployment: deployment.name } : {}), reason },
      message,
    );
    try {
      await this.writer.createEvent(job.namespace, { regarding: involved, type: type === 'Warning' ? 'Warning' : 'Normal', reason, note: message }, now);
    } catch (error) {
      this.logger.warn(
        { namespace: job.namespace, job: job.name, ...(deployment ? { deployment: deployment.name } : {}), reason, err: error },
        'event not written',
      );
    }
  }
}

/** Whether two reads of a job's Pods hold the same Pods at the same resourceVersions. */
function sameResourceVersions(a: readonly V1Pod[], b: readonly V1Pod[]): boolean {
  if (a.length !== b.length) return false;
  const versions = new Map(a.map((p) => [p.metadata?.name, p.metadata?.resourceVersion]));
  return b.every((p) => versions.get(p.metadata?.name) === p.metadata?.resourceVersion);
}
