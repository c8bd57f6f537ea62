import type { V1Pod } from '@kubernetes/client-node';
import { cacheIndexes, type ClusterCaches } from '../kube/cluster-caches.ts';
import { decideVersion, type JobVersion } from '../model/job-versions.ts';
import { versionFromRevision } from '../resources/job-version.ts';
import { versionAnnotations } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { childAnnotations } from '../resources/child-job.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { isOwnedBy } from '../resources/object-meta.ts';
import type { DeploymentJobInfo } from './nomad/deployment.ts';
import { EvaluationBook } from './evaluation-book.ts';
import { CreateIndexBook, jobIndexes, type IndexedRevision } from './nomad/indexes.ts';
import type { JobAtVersion } from './nomad/job.ts';

/** A version with the ControllerRevision it is kept in (its indexes come from it). */
interface KeptVersion {
  readonly version: JobVersion;
  readonly revision: IndexedRevision;
}

const inNamespace = (namespace: string) => (obj: { metadata?: { namespace?: string | undefined } | undefined }) =>
  namespace === '*' || obj.metadata?.namespace === namespace;
/** The caches' byJob index value of a job's Pods, deployments and versions. */
const jobKey = (job: NomadJob) => `${job.metadata.namespace ?? 'default'}/${job.metadata.name}`;

/**
 * The cluster as the Nomad API reads it: jobs at their versions, deployments and allocations,
 * all from the shared caches (no API-server round trip on a read). CreateIndexes are remembered
 * from the first time an object is seen, as Nomad keeps them.
 */
export class ClusterView {
  readonly created = new CreateIndexBook();
  /** The evaluations this process's writes handed out. */
  readonly evaluations = new EvaluationBook();
  private readonly cluster: ClusterCaches;
  private readonly unsubscribe: () => void;

  constructor(cluster: ClusterCaches) {
    this.cluster = cluster;
    const all = [cluster.caches.jobs, cluster.caches.deployments, cluster.caches.pods, cluster.revisions] as const;
    for (const informer of all) for (const obj of informer.values()) this.created.observeObject(obj);
    this.unsubscribe = cluster.subscribe((_kind, event, obj) => {
      const o = obj as { metadata?: { uid?: string; resourceVersion?: string } };
      if (event === 'delete') {
        if (o.metadata?.uid) this.created.forget(o.metadata.uid);
      } else this.created.observeObject(o);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  jobs(namespace: string): NomadJob[] {
    return [...this.cluster.caches.jobs.values()].filter(inNamespace(namespace));
  }

  /** By object name, or by a child's Nomad ID (`<parent>/periodic-<unix>`), which no object name can be. */
  job(namespace: string, name: string): NomadJob | undefined {
    if (name.includes('/')) return this.jobs(namespace).find((j) => j.metadata.annotations?.[childAnnotations.nomadId] === name);
    return this.cluster.caches.jobs.get(`${namespace}/${name}`);
  }

  /** The job as the cache holds it now (a blocking read re-reads it after each change). */
  current(job: NomadJob): NomadJob {
    return this.job(job.metadata.namespace ?? 'default', job.metadata.name) ?? job;
  }

  /** The versions kept for a job, oldest first. */
  versions(job: NomadJob): KeptVersion[] {
    const out: KeptVersion[] = [];
    for (const r of this.cluster.revisions.byIndex(cacheIndexes.byJob, jobKey(job))) {
      if (!isOwnedBy(r, job.metadata.uid)) continue;
      const version = versionFromRevision(r);
      // The index the version was recorded at: marking it stable later must not move it.
      const recorded = r.metadata?.annotations?.[versionAnnotations.recordedIndex] ?? r.metadata?.resourceVersion;
      if (version) out.push({ version, revision: { metadata: { uid: r.metadata?.uid, resourceVersion: recorded }, revision: r.revision } });
    }
    return out.sort((a, b) => a.version.version - b.version.version);
  }

  /**
   * The versions kept for a job, with the one its spec is about to become: Nomad records a
   * version in the same write as the register, Caravan's controller a moment later. Until it
   * has, the job shows the version the controller will record (decideVersion, the controller's
   * own rule), so a client that registers and reads at once sees what Nomad would show.
   */
  private withPending(job: NomadJob): KeptVersion[] {
    const kept = this.versions(job);
    const decision = decideVersion(
      kept.map((k) => k.version),
      job.spec,
      new Date(),
    );
    if (decision.kind !== 'new') return kept;
    const pending: JobVersion = decision.version;
    return [
      ...kept,
      { version: pending, revision: { metadata: { uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion }, revision: pending.version } },
    ];
  }

  /** The job at one of its versions (the newest by default). */
  jobAt(job: NomadJob, version?: number): JobAtVersion | undefined {
    const kept = this.withPending(job);
    const at = version === undefined ? kept.at(-1) : kept.find((k) => k.version.version === version);
    if (!at) return undefined;
    return {
      job,
      version: at.version,
      indexes: jobIndexes(
        job,
        kept.map((k) => k.revision),
        at.version.version,
        this.created.lookup,
      ),
    };
  }

  allVersionsOf(job: NomadJob): JobAtVersion[] {
    const kept = this.withPending(job);
    return kept.map((k) => ({
      job,
      version: k.version,
      indexes: jobIndexes(
        job,
        kept.map((x) => x.revision),
        k.version.version,
        this.created.lookup,
      ),
    }));
  }

  /**
   * Waits (briefly) until the cache holds `kind`'s object `key` at `resourceVersion` or later, so
   * that a client reading right after its own write sees it, as it would in Nomad.
   */
  async caughtUp(kind: 'jobs' | 'deployments' | 'pods' | 'revisions', key: string, resourceVersion: string | undefined, ms = 3000): Promise<void> {
    const want = Number(resourceVersion);
    if (!Number.isFinite(want)) return;
    const deadline = Date.now() + ms;
    const informer = kind === 'revisions' ? this.cluster.revisions : this.cluster.caches[kind];
    const seen = () => Number(informer.get(key)?.metadata?.resourceVersion ?? 0) >= want;
    while (!seen() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Waits (briefly) until the cache no longer holds a job the caller just deleted. */
  async gone(namespace: string, name: string, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.job(namespace, name) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  deployments(namespace: string): NomadDeployment[] {
    return [...this.cluster.caches.deployments.values()].filter(inNamespace(namespace));
  }

  deploymentsOf(job: NomadJob): NomadDeployment[] {
    return this.cluster.caches.deployments.byIndex(cacheIndexes.byJob, jobKey(job)).filter((d) => isOwnedBy(d, job.metadata.uid));
  }

  deploymentByUid(uid: string): NomadDeployment | undefined {
    for (const d of this.cluster.caches.deployments.values()) if (d.metadata.uid === uid) return d;
    return undefined;
  }

  /** What a deployment shows of its job (DeploymentJobInfo); the job may be gone. */
  deploymentJobInfo(d: NomadDeployment): DeploymentJobInfo {
    const job = this.job(d.metadata.namespace ?? 'default', d.spec.job);
    if (!job) return { jobCreateIndex: 0 };
    const at = this.jobAt(job, d.spec.jobVersion);
    const current = this.jobAt(job);
    return { jobCreateIndex: current?.indexes.createIndex ?? 0, versionJobModifyIndex: at?.indexes.jobModifyIndex, priority: at?.version.spec.priority };
  }

  pods(namespace: string): V1Pod[] {
    return [...this.cluster.caches.pods.values()].filter(inNamespace(namespace));
  }

  podsOf(job: NomadJob): V1Pod[] {
    return this.cluster.caches.pods.byIndex(cacheIndexes.byJob, jobKey(job)).filter((p) => isOwnedBy(p, job.metadata.uid));
  }

  podByUid(uid: string): V1Pod | undefined {
    for (const p of this.cluster.caches.pods.values()) if (p.metadata?.uid === uid) return p;
    return undefined;
  }

  nodeUid(name: string | undefined): string | undefined {
    return name ? this.cluster.caches.nodes.get(name)?.metadata?.uid : undefined;
  }
}
