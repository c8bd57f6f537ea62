import { cacheIndexes, type Caches } from '../kube/cluster-caches.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { Job } from '../model/job.ts';
import { childrenToCollect, defaultJobGcThreshold } from '../planner/child-gc.ts';
import { decidePeriodicLaunch } from '../planner/periodic-launch.ts';
import { childIdentity, childrenOf, periodicChild } from '../resources/child-job.ts';
import type { NomadJob, NomadJobStatus } from '../resources/nomad-job.ts';
import type { ClusterWriter } from './cluster-writer.ts';

export interface ChildLauncherDeps {
  readonly caches: Caches;
  readonly writer: ClusterWriter;
  readonly logger?: Logger;
  /** Nomad's job_gc_threshold for dead children (`--job-gc-threshold`). */
  readonly jobGcThresholdMs?: number;
}

export interface ChildStep {
  /** The parent's `status.periodic`, for the status write of this pass. */
  readonly periodic?: NomadJobStatus['periodic'];
  readonly requeueAt?: number;
}

const maxRequeueMs = 24 * 3600_000;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const ms = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));

/**
 * The shell around the periodic dispatcher and child GC: gathers the parent's children from the
 * cache, asks the pure rules (planner/periodic-launch.ts, planner/child-gc.ts) and carries out
 * what they decide through the writer. A launch is a create under a name made from its time, so
 * a retried launch answers 409 and makes no second child.
 */
export class ChildLauncher {
  /** Parents this process has tracked: the first sight of one is Nomad's leader restore. */
  private readonly tracked = new Set<string>();
  private readonly logger: Logger;
  private readonly threshold: number;
  private readonly deps: ChildLauncherDeps;

  constructor(deps: ChildLauncherDeps) {
    this.deps = deps;
    this.logger = deps.logger ?? silentLogger;
    this.threshold = deps.jobGcThresholdMs ?? defaultJobGcThreshold;
  }

  async step(parent: NomadJob, job: Job, version: number, now: number): Promise<ChildStep> {
    const namespace = parent.metadata.namespace ?? 'default';
    const key = `${namespace}/${parent.metadata.name}/${parent.metadata.uid}`;
    const children = childrenOf(parent, this.deps.caches.jobs.byIndex(cacheIndexes.byParent, `${namespace}/${parent.metadata.name}`));
    const gc = await this.collect(namespace, children, now);
    if (!job.periodic) {
      this.tracked.delete(key);
      return gc.recheckAt !== undefined ? { requeueAt: gc.recheckAt } : {};
    }
    const periodicChildren = children.flatMap((c) => {
      const id = childIdentity(c);
      return id?.launch !== undefined && !id.dispatched ? [{ launch: id.launch, status: c.status?.status }] : [];
    });
    const recorded = parent.status?.periodic;
    const restored = !this.tracked.has(key);
    const decision = decidePeriodicLaunch({
      periodic: job.periodic,
      active: job.periodic.enabled !== false && parent.spec.stop !== true && job.parameterized === undefined,
      version,
      record: {
        ...(recorded?.lastLaunch ? { lastLaunch: ms(recorded.lastLaunch)! } : {}),
        ...(recorded?.nextLaunch ? { nextLaunch: ms(recorded.nextLaunch)! } : {}),
        ...(recorded?.trackedVersion !== undefined ? { trackedVersion: recorded.trackedVersion } : {}),
      },
      latestChildLaunch: periodicChildren.length > 0 ? Math.max(...periodicChildren.map((c) => c.launch)) : undefined,
      childRunning: periodicChildren.some((c) => c.status !== 'dead'),
      restored,
      now,
    });
    this.tracked.add(key);
    const log = { namespace, job: parent.metadata.name };
    if (decision.launch) {
      const child = periodicChild(parent, decision.launch.at);
      const created = await this.deps.writer.createJob(namespace, child);
      this.logger.info(
        { ...log, child: child.metadata.name, reason: decision.launch.reason },
        created ? `launched periodic child ${child.metadata.name} (${decision.launch.reason})` : `periodic child ${child.metadata.name} was already launched`,
      );
    }
    if (decision.skipped) this.logger.info(log, `periodic launch skipped: ${decision.skipped}`);
    const r = decision.record;
    const requeue = [decision.requeueAt, gc.recheckAt].filter((t): t is number => t !== undefined);
    return {
      periodic: {
        ...(r.lastLaunch !== undefined ? { lastLaunch: iso(r.lastLaunch)! } : {}),
        ...(r.nextLaunch !== undefined ? { nextLaunch: iso(r.nextLaunch)! } : {}),
        ...(r.trackedVersion !== undefined ? { trackedVersion: r.trackedVersion } : {}),
      },
      // Look again at least daily: a timer beyond 2^31 ms (24.8 days, an @yearly cron) would fire at once.
      ...(requeue.length > 0 ? { requeueAt: Math.min(...requeue, now + maxRequeueMs) } : {}),
    };
  }

  private async collect(namespace: string, children: readonly NomadJob[], now: number): Promise<{ recheckAt?: number }> {
    const observed = children.map((c) => ({
      name: c.metadata.name,
      status: c.status?.status,
      submitTime: ms(c.metadata.creationTimestamp) ?? now,
    }));
    const { collect, recheckAt } = childrenToCollect(observed, now, this.threshold);
    for (const name of collect) {
      await this.deps.writer.deleteJob(namespace, name);
      this.logger.info({ namespace, job: name }, `garbage-collected dead child ${name} (older than job_gc_threshold)`);
    }
    return recheckAt !== undefined ? { recheckAt } : {};
  }
}
