import type { V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import type { ClusterCaches } from '../controller/cluster-caches.ts';
import type { NomadDeploymentObject } from '../controller/deployment-object.ts';
import type { JobObject } from '../controller/reconciler.ts';
import { decideVersion, versionAnnotations, versionFromRevision, type JobVersion } from '../model/job-versions.ts';
import { labels } from '../model/labels.ts';
import type { DeploymentJobInfo } from './nomad/deployment.ts';
import { EvaluationBook } from './evaluation-book.ts';
import { CreateIndexBook, jobIndexes, type IndexedRevision } from './nomad/indexes.ts';
import type { JobAtVersion } from './nomad/job.ts';

/** A version with the ControllerRevision it is kept in (its indexes come from it). */
interface KeptVersion {
  readonly version: JobVersion;
  readonly revision: IndexedRevision;
}

const inNamespace = (namespace: string) => (obj: { metadata?: { namespace?: string | undefined } | undefined }) => namespace === '*' || obj.metadata?.namespace === namespace;

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
    for (const r of cluster.revisions.values()) this.indexRevision('add', r);
    this.unsubscribe = cluster.subscribe((kind, event, obj) => {
      const o = obj as { metadata?: { uid?: string; resourceVersion?: string } };
      if (event === 'delete') {
        if (o.metadata?.uid) this.created.forget(o.metadata.uid);
      } else this.created.observeObject(o);
      if (kind === 'revisions') this.indexRevision(event, obj as V1ControllerRevision);
    });
  }

  /** Revision keys by `<namespace>/<job>`: a job's versions without scanning every revision. */
  private readonly revisionsByJob = new Map<string, Set<string>>();

  private indexRevision(event: 'add' | 'update' | 'delete', r: V1ControllerRevision): void {
    const job = r.metadata?.labels?.[labels.job];
    if (!job) return;
    const byJob = `${r.metadata?.namespace}/${job}`;
    const key = `${r.metadata?.namespace}/${r.metadata?.name}`;
    const keys = this.revisionsByJob.get(byJob) ?? new Set<string>();
    if (event === 'delete') keys.delete(key);
    else keys.add(key);
    if (keys.size > 0) this.revisionsByJob.set(byJob, keys);
    else this.revisionsByJob.delete(byJob);
  }

  close(): void {
    this.unsubscribe();
  }

  jobs(namespace: string): JobObject[] {
    return [...this.cluster.caches.jobs.values()].filter(inNamespace(namespace));
  }

  job(namespace: string, name: string): JobObject | undefined {
    return this.cluster.caches.jobs.get(`${namespace}/${name}`);
  }

  /** The job as the cache holds it now (a blocking read re-reads it after each change). */
  current(job: JobObject): JobObject {
    return this.job(job.metadata.namespace ?? 'default', job.metadata.name) ?? job;
  }

  /** The versions kept for a job, oldest first. */
  versions(job: JobObject): KeptVersion[] {
    const out: KeptVersion[] = [];
    for (const key of this.revisionsByJob.get(`${job.metadata.namespace}/${job.metadata.name}`) ?? []) {
      const r = this.cluster.revisions.get(key);
      if (!r || !ownedBy(r, job.metadata.uid)) continue;
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
  private withPending(job: JobObject): KeptVersion[] {
    const kept = this.versions(job);
    const decision = decideVersion(kept.map((k) => k.version), job.spec, new Date());
    if (decision.kind !== 'new') return kept;
    const pending: JobVersion = decision.version;
    return [...kept, { version: pending, revision: { metadata: { uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion }, revision: pending.version } }];
  }

  /** The job at one of its versions (the newest by default). */
  jobAt(job: JobObject, version?: number): JobAtVersion | undefined {
    const kept = this.withPending(job);
    const at = version === undefined ? kept.at(-1) : kept.find((k) => k.version.version === version);
    if (!at) return undefined;
    return { job, version: at.version, indexes: jobIndexes(job, kept.map((k) => k.revision), at.version.version, this.created.lookup) };
  }

  allVersionsOf(job: JobObject): JobAtVersion[] {
    const kept = this.withPending(job);
    return kept.map((k) => ({ job, version: k.version, indexes: jobIndexes(job, kept.map((x) => x.revision), k.version.version, this.created.lookup) }));
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

  deployments(namespace: string): NomadDeploymentObject[] {
    return [...this.cluster.caches.deployments.values()].filter(inNamespace(namespace));
  }

  deploymentsOf(job: JobObject): NomadDeploymentObject[] {
    return this.deployments(job.metadata.namespace ?? 'default').filter((d) => d.spec.job === job.metadata.name && ownedBy(d, job.metadata.uid));
  }

  deploymentByUid(uid: string): NomadDeploymentObject | undefined {
    for (const d of this.cluster.caches.deployments.values()) if (d.metadata.uid === uid) return d;
    return undefined;
  }

  /** What a deployment shows of its job (DeploymentJobInfo); the job may be gone. */
  deploymentJobInfo(d: NomadDeploymentObject): DeploymentJobInfo {
    const job = this.job(d.metadata.namespace ?? 'default', d.spec.job);
    if (!job) return { jobCreateIndex: 0 };
    const at = this.jobAt(job, d.spec.jobVersion);
    const current = this.jobAt(job);
    return { jobCreateIndex: current?.indexes.createIndex ?? 0, versionJobModifyIndex: at?.indexes.jobModifyIndex, priority: at?.version.spec.priority };
  }

  pods(namespace: string): V1Pod[] {
    return [...this.cluster.caches.pods.values()].filter(inNamespace(namespace));
  }

  podsOf(job: JobObject): V1Pod[] {
    return this.pods(job.metadata.namespace ?? 'default').filter((p) => p.metadata?.labels?.[labels.job] === job.metadata.name && ownedBy(p, job.metadata.uid));
  }

  podByUid(uid: string): V1Pod | undefined {
    for (const p of this.cluster.caches.pods.values()) if (p.metadata?.uid === uid) return p;
    return undefined;
  }

  nodeUid(name: string | undefined): string | undefined {
    return name ? this.cluster.caches.nodes.get(name)?.metadata?.uid : undefined;
  }
}

/** Objects of an earlier job of the same name (deleted and created again) are not this job's. */
function ownedBy(obj: V1ControllerRevision | NomadDeploymentObject | V1Pod, uid: string | undefined): boolean {
  const owners = (obj.metadata?.ownerReferences ?? []) as { uid?: string }[];
  return uid === undefined || owners.length === 0 || owners.some((o) => o.uid === uid);
}
