import type { V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import { cacheIndexes, type CacheKind, type ClusterCaches } from '../kube/cluster-caches.ts';
import type { InformerEvent, ObjectWithMeta } from '../kube/informer.ts';
import { decideVersion, type JobVersion } from '../model/job-versions.ts';
import { childLabels } from '../resources/child-job.ts';
import { versionFromRevision } from '../resources/job-version.ts';
import { annotations, labels, versionAnnotations } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { childAnnotations } from '../resources/child-job.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { isOwnedBy } from '../resources/object-meta.ts';
import { AllocationViews } from './allocation-views.ts';
import { EvaluationBook } from './evaluation-book.ts';
import { EventIndex } from './event-index.ts';
import { placementEvaluationId } from './nomad/evaluation.ts';
import { toNomadDeployment, type DeploymentJobInfo } from './nomad/deployment.ts';
import { CreateIndexBook, jobIndexes, objectIndexes, type IndexedRevision } from './nomad/indexes.ts';
import { toJobSummary, toNomadJob, type JobAtVersion } from './nomad/job.ts';
import type { NomadApiDeployment, NomadApiJob, NomadJobSummary } from './nomad/types.ts';
import { OrderedKeys } from './ordered-keys.ts';
import { indexTokened, tokened, type Tokened } from './paginate.ts';

/** A version with the ControllerRevision it is kept in (its indexes come from it). */
export interface KeptVersion {
  readonly version: JobVersion;
  readonly revision: IndexedRevision;
}

/** One version of a job as the API shows it, its api.Job and JobSummary made once. */
interface VersionView {
  readonly at: JobAtVersion;
  json?: NomadApiJob;
  summary?: NomadJobSummary;
}

/**
 * What the API works out for one NomadJob object (the cache replaces the object on every change,
 * so an object's views hold as long as its versions do): its versions, with the pending one, and
 * each version's api.Job. `revisionEvents` is its job's last version event then (EventSerials).
 */
interface JobViews {
  readonly revisionEvents: number;
  readonly versions: readonly KeptVersion[];
  readonly kept: readonly KeptVersion[];
  readonly byVersion: Map<number, VersionView>;
}

const inNamespace = (namespace: string) => (obj: { metadata?: { namespace?: string | undefined } | undefined }) =>
  namespace === '*' || obj.metadata?.namespace === namespace;
/** The caches' byJob index value of a job's Pods, deployments and versions. */
const jobKey = (job: NomadJob) => `${job.metadata.namespace ?? 'default'}/${job.metadata.name}`;
const namespaceOf = (o: ObjectWithMeta) => o.metadata?.namespace ?? 'default';
const uidOf = (o: { metadata?: { uid?: string | undefined } | undefined }) => o.metadata?.uid;
/** The byJob value of a version or Pod (its job label). */
const labelledJob = (o: { metadata?: { namespace?: string | undefined; labels?: Record<string, string> | undefined } | undefined }) => {
  const job = o.metadata?.labels?.[labels.job];
  return job === undefined ? undefined : `${o.metadata?.namespace ?? 'default'}/${job}`;
};
/**
 * A Pod's allocation name (a replacement keeps its allocation's name): the annotation's own
 * string, so the index makes no string per Pod; a lookup keeps the Pods of its namespace.
 */
const allocNameOf = (p: V1Pod) => p.metadata?.annotations?.[annotations.allocName];

/** The ID of the placement evaluation of the version a ControllerRevision keeps (its owner job's UID and its number). */
const placementOf = (r: V1ControllerRevision) => {
  const owner = r.metadata?.ownerReferences?.find((o) => o.kind === 'NomadJob' && o.controller)?.uid;
  return owner === undefined ? undefined : placementEvaluationId(owner, r.revision);
};

/**
 * The last event of each job's versions or Pods (`namespace/name`), as a serial number that never
 * repeats: what was made from them holds while their job's number stands. A job's numbers go
 * when the job does, so the book does not grow with every job name ever seen.
 */
class EventSerials {
  private readonly last = new Map<string, number>();
  private serial = 0;

  /** Notes an event of a version or Pod against its job (and the job it was labelled with before). */
  note(obj: Parameters<typeof labelledJob>[0], old: Parameters<typeof labelledJob>[0] | undefined): void {
    for (const key of new Set([labelledJob(obj), old && labelledJob(old)])) if (key) this.last.set(key, ++this.serial);
  }

  of(key: string): number {
    return this.last.get(key) ?? 0;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}

/** Keys in token order, cluster-wide and per namespace. */
class NamespacedOrder {
  private readonly all = new OrderedKeys();
  private readonly byNamespace = new Map<string, OrderedKeys>();

  set(namespace: string, entry: Tokened<string>): void {
    if (!this.all.place(entry)) return;
    const inNs = this.byNamespace.get(namespace) ?? new OrderedKeys();
    this.byNamespace.set(namespace, inNs);
    inNs.place(entry);
  }

  delete(namespace: string, key: string): void {
    this.all.delete(key);
    this.byNamespace.get(namespace)?.delete(key);
  }

  keys(namespace: string): readonly Tokened<string>[] {
    return namespace === '*' ? this.all.keys() : (this.byNamespace.get(namespace)?.keys() ?? []);
  }
}

/**
 * The cluster as the Nomad API reads it: jobs at their versions, deployments and allocations,
 * all from the shared caches (no API-server round trip on a read). CreateIndexes are remembered
 * from the first time an object is seen, as Nomad keeps them.
 *
 * Nothing here scans a whole cache to answer for one object (issue 15): UIDs, namespaces,
 * children and allocation names are indexed from the caches' events, lists keep their
 * pagination order as objects come and go, and what is worked out per object (a job's versions
 * and api.Job, a deployment's api.Deployment) is kept per cached object, which the cache
 * replaces on every change.
 */
export class ClusterView {
  readonly created = new CreateIndexBook();
  /** The evaluations this process's writes handed out. */
  readonly evaluations = new EvaluationBook();
  private readonly cluster: ClusterCaches;
  private readonly unsubscribe: () => void;
  private readonly jobsByUid: EventIndex<NomadJob>;
  private readonly jobsByNamespace: EventIndex<NomadJob>;
  private readonly childrenByParent: EventIndex<NomadJob>;
  private readonly deploymentsByUid: EventIndex<NomadDeployment>;
  private readonly deploymentsByNamespace: EventIndex<NomadDeployment>;
  private readonly podsByUid: EventIndex<V1Pod>;
  private readonly podsByNamespace: EventIndex<V1Pod>;
  private readonly podsByAllocName: EventIndex<V1Pod>;
  private readonly revisionsByUid: EventIndex<V1ControllerRevision>;
  private readonly revisionsByPlacement: EventIndex<V1ControllerRevision>;
  /** Per job, its versions' last event: a job's views hold while this stands. */
  private readonly revisionEvents = new EventSerials();
  /** Per job, its Pods' last event. */
  private readonly podEvents = new EventSerials();
  private readonly jobViews = new WeakMap<NomadJob, JobViews>();
  private readonly deploymentViews = new WeakMap<NomadDeployment, { job: NomadJob | undefined; views: JobViews | undefined; json: NomadApiDeployment }>();
  /** Pods as allocations (their list stubs kept per Pod object). */
  readonly allocations: AllocationViews;
  private readonly orders = { jobs: new NamespacedOrder(), deployments: new NamespacedOrder(), pods: new NamespacedOrder() };

  constructor(cluster: ClusterCaches) {
    this.cluster = cluster;
    const { jobs, deployments, pods } = cluster.caches;
    for (const informer of [jobs, deployments, pods, cluster.revisions] as const) for (const obj of informer.values()) this.created.observeObject(obj);
    // Every index and order keeps the key string its cache holds for an object (follow() is
    // handed the same one with each event), so each key is in memory once.
    this.jobsByUid = new EventIndex(jobs, uidOf);
    this.jobsByNamespace = new EventIndex(jobs, namespaceOf);
    this.childrenByParent = new EventIndex(jobs, (j) => {
      const parent = j.metadata.labels?.[childLabels.parent];
      return parent === undefined ? undefined : `${namespaceOf(j)}/${parent}`;
    });
    this.deploymentsByUid = new EventIndex(deployments, uidOf);
    this.deploymentsByNamespace = new EventIndex(deployments, namespaceOf);
    this.podsByUid = new EventIndex(pods, uidOf);
    this.podsByNamespace = new EventIndex(pods, namespaceOf);
    this.podsByAllocName = new EventIndex(pods, allocNameOf);
    this.revisionsByUid = new EventIndex(cluster.revisions, uidOf);
    this.revisionsByPlacement = new EventIndex(cluster.revisions, placementOf);
    this.allocations = new AllocationViews({
      caches: cluster.caches,
      podsNamed: (namespace, allocName) => this.replacementsNamed(namespace, allocName),
      created: this.created.lookup,
    });
    for (const [key, j] of jobs.entries()) this.order('jobs', 'add', j, key);
    for (const [key, d] of deployments.entries()) this.order('deployments', 'add', d, key);
    for (const [key, p] of pods.entries()) this.order('pods', 'add', p, key);
    this.unsubscribe = cluster.subscribe((kind, event, obj, old, key) =>
      this.follow(kind, event, obj as ObjectWithMeta & { metadata?: { uid?: string } }, old, key),
    );
  }

  close(): void {
    this.unsubscribe();
  }

  /** `key`: the informer's own key string for the object, kept by every index and order here. */
  private follow(kind: CacheKind, event: InformerEvent, obj: ObjectWithMeta & { metadata?: { uid?: string } }, old: unknown, key: string): void {
    if (event === 'delete') {
      if (obj.metadata?.uid) this.created.forget(obj.metadata.uid);
    } else this.created.observeObject(obj);
    switch (kind) {
      case 'jobs': {
        const [j, was] = [obj as NomadJob, old as NomadJob | undefined];
        for (const index of [this.jobsByUid, this.jobsByNamespace, this.childrenByParent]) index.observe(event, j, was, key);
        this.order('jobs', event, j, key);
        if (event === 'delete') for (const serials of [this.revisionEvents, this.podEvents]) serials.forget(jobKey(j));
        return;
      }
      case 'deployments': {
        const [d, was] = [obj as NomadDeployment, old as NomadDeployment | undefined];
        for (const index of [this.deploymentsByUid, this.deploymentsByNamespace]) index.observe(event, d, was, key);
        this.order('deployments', event, d, key);
        return;
      }
      case 'pods': {
        const [p, was] = [obj as V1Pod, old as V1Pod | undefined];
        for (const index of [this.podsByUid, this.podsByNamespace, this.podsByAllocName]) index.observe(event, p, was, key);
        this.podEvents.note(p, was);
        this.order('pods', event, p, key);
        return;
      }
      case 'revisions': {
        const [r, was] = [obj as V1ControllerRevision, old as V1ControllerRevision | undefined];
        this.revisionsByUid.observe(event, r, was, key);
        this.revisionsByPlacement.observe(event, r, was, key);
        this.revisionEvents.note(r, was);
        return;
      }
      default:
        return;
    }
  }

  /** Keeps an object's place in its list's pagination order (jobs by namespace and ID, the others by CreateIndex and ID). */
  private order(kind: 'jobs' | 'deployments' | 'pods', event: InformerEvent, obj: ObjectWithMeta & { metadata?: { uid?: string } }, key: string): void {
    const namespace = namespaceOf(obj);
    const listed = event !== 'delete' && (kind !== 'pods' || (obj as V1Pod).metadata?.labels?.[labels.job] !== undefined);
    if (!listed) {
      this.orders[kind].delete(namespace, key);
      return;
    }
    const entry =
      kind === 'jobs'
        ? tokened(key, `${namespace}.${obj.metadata?.name}`)
        : indexTokened(key, objectIndexes(obj, this.created.lookup).createIndex, obj.metadata?.uid ?? '');
    this.orders[kind].set(namespace, entry);
  }

  /**
   * The cache keys of a list in Nomad's pagination order (`*`: every namespace): jobs by
   * `<namespace>.<ID>`, deployments and allocations (Pods with a job label) by `<CreateIndex>.<ID>`.
   */
  ordered(kind: 'jobs' | 'deployments' | 'pods', namespace: string): readonly Tokened<string>[] {
    return this.orders[kind].keys(namespace);
  }

  /** The namespaces that hold jobs, deployments or Pods. */
  namespaces(): Set<string> {
    return new Set([...this.jobsByNamespace.values(), ...this.deploymentsByNamespace.values(), ...this.podsByNamespace.values()]);
  }

  jobs(namespace: string): NomadJob[] {
    return namespace === '*' ? [...this.cluster.caches.jobs.values()] : this.jobsByNamespace.get(namespace);
  }

  /** By object name, or by a child's Nomad ID (`<parent>/periodic-<unix>`), which no object name can be. */
  job(namespace: string, name: string): NomadJob | undefined {
    if (name.includes('/')) {
      // A child's object name starts with its parent's: its Nomad ID is `<parent>/…`.
      const parent = name.slice(0, name.indexOf('/'));
      const isIt = (j: NomadJob) => inNamespace(namespace)(j) && j.metadata.annotations?.[childAnnotations.nomadId] === name;
      const labelled = namespace === '*' ? undefined : this.childrenByParent.get(`${namespace}/${parent}`).find(isIt);
      return labelled ?? this.jobs(namespace).find(isIt);
    }
    return this.cluster.caches.jobs.get(`${namespace}/${name}`);
  }

  jobByUid(uid: string): NomadJob | undefined {
    return this.jobsByUid.only(uid);
  }

  /** The children of a periodic or parameterized parent (labelled with its name; ownership is the caller's test). */
  childrenOf(parent: NomadJob): NomadJob[] {
    return this.childrenByParent.get(jobKey(parent));
  }

  /** The job as the cache holds it now (a blocking read re-reads it after each change). */
  current(job: NomadJob): NomadJob {
    return this.job(job.metadata.namespace ?? 'default', job.metadata.name) ?? job;
  }

  /** The versions kept for a job, oldest first. */
  versions(job: NomadJob): readonly KeptVersion[] {
    return this.viewsOf(job).versions;
  }

  /** The job whose kept version's placement evaluation has this ID (placementEvaluationId), and the version. */
  placementOwner(evaluationId: string): { job: NomadJob; version: number } | undefined {
    const r = this.revisionsByPlacement.only(evaluationId);
    const owner = r?.metadata?.ownerReferences?.find((o) => o.kind === 'NomadJob' && o.controller)?.uid;
    const job = owner === undefined ? undefined : this.jobByUid(owner);
    return r && job ? { job, version: r.revision } : undefined;
  }

  /** A job version's ControllerRevision by its UID (a CF revision's guid). */
  revisionByUid(uid: string): V1ControllerRevision | undefined {
    return this.revisionsByUid.only(uid);
  }

  private keptVersions(job: NomadJob): KeptVersion[] {
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
   * own rule), so a client that registers and reads at once sees what Nomad would show. Its
   * SubmitTime is when this process first saw the spec.
   */
  private withPending(job: NomadJob, kept: readonly KeptVersion[]): readonly KeptVersion[] {
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

  /** The job's views, made again only when the job object or its versions changed since. */
  private viewsOf(job: NomadJob): JobViews {
    const revisionEvents = this.revisionEvents.of(jobKey(job));
    const known = this.jobViews.get(job);
    if (known && known.revisionEvents === revisionEvents) return known;
    const versions = this.keptVersions(job);
    const views: JobViews = { revisionEvents, versions, kept: this.withPending(job, versions), byVersion: new Map() };
    this.jobViews.set(job, views);
    return views;
  }

  private versionView(job: NomadJob, views: JobViews, kept: KeptVersion): VersionView {
    const known = views.byVersion.get(kept.version.version);
    if (known) return known;
    const revisions = views.kept.map((k) => k.revision);
    const view: VersionView = { at: { job, version: kept.version, indexes: jobIndexes(job, revisions, kept.version.version, this.created.lookup) } };
    views.byVersion.set(kept.version.version, view);
    return view;
  }

  private versionViewOf(job: NomadJob, version?: number): VersionView | undefined {
    const views = this.viewsOf(job);
    const kept = version === undefined ? views.kept.at(-1) : views.kept.find((k) => k.version.version === version);
    return kept && this.versionView(job, views, kept);
  }

  /** The job at one of its versions (the newest by default). */
  jobAt(job: NomadJob, version?: number): JobAtVersion | undefined {
    return this.versionViewOf(job, version)?.at;
  }

  /** The job at one of its versions as Nomad's api.Job (made once per job object and version). */
  nomadJobAt(job: NomadJob, version?: number): NomadApiJob | undefined {
    const view = this.versionViewOf(job, version);
    if (!view) return undefined;
    view.json ??= toNomadJob(view.at);
    return view.json;
  }

  /** The job's JobSummary at its newest version, without Children (a parent's are counted apart). */
  jobSummary(job: NomadJob): NomadJobSummary | undefined {
    const view = this.versionViewOf(job);
    if (!view) return undefined;
    view.summary ??= toJobSummary(view.at, null);
    return view.summary;
  }

  allVersionsOf(job: NomadJob): JobAtVersion[] {
    const views = this.viewsOf(job);
    return views.kept.map((k) => this.versionView(job, views, k).at);
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
    return namespace === '*' ? [...this.cluster.caches.deployments.values()] : this.deploymentsByNamespace.get(namespace);
  }

  deploymentsOf(job: NomadJob): NomadDeployment[] {
    return this.cluster.caches.deployments.byIndex(cacheIndexes.byJob, jobKey(job)).filter((d) => isOwnedBy(d, job.metadata.uid));
  }

  deploymentByUid(uid: string): NomadDeployment | undefined {
    return this.deploymentsByUid.only(uid);
  }

  /** What a deployment shows of its job (DeploymentJobInfo); the job may be gone. */
  deploymentJobInfo(d: NomadDeployment): DeploymentJobInfo {
    const job = this.job(d.metadata.namespace ?? 'default', d.spec.job);
    if (!job) return { jobCreateIndex: 0 };
    const at = this.jobAt(job, d.spec.jobVersion);
    const current = this.jobAt(job);
    return { jobCreateIndex: current?.indexes.createIndex ?? 0, versionJobModifyIndex: at?.indexes.jobModifyIndex, priority: at?.version.spec.priority };
  }

  /** A NomadDeployment as Nomad's api.Deployment (made once per deployment object and job views). */
  nomadDeployment(d: NomadDeployment): NomadApiDeployment {
    const job = this.job(d.metadata.namespace ?? 'default', d.spec.job);
    const views = job && this.viewsOf(job);
    const known = this.deploymentViews.get(d);
    if (known && known.job === job && known.views === views) return known.json;
    const json = toNomadDeployment(d, this.deploymentJobInfo(d), this.created.lookup);
    this.deploymentViews.set(d, { job, views, json });
    return json;
  }

  pods(namespace: string): V1Pod[] {
    return namespace === '*' ? [...this.cluster.caches.pods.values()] : this.podsByNamespace.get(namespace);
  }

  podsOf(job: NomadJob): V1Pod[] {
    return this.cluster.caches.pods.byIndex(cacheIndexes.byJob, jobKey(job)).filter((p) => isOwnedBy(p, job.metadata.uid));
  }

  /** The Pods placed for a deployment (each names its deployment; all are its job's). */
  podsOfDeployment(d: NomadDeployment): V1Pod[] {
    return this.cluster.caches.pods
      .byIndex(cacheIndexes.byJob, `${d.metadata.namespace ?? 'default'}/${d.spec.job}`)
      .filter((p) => p.metadata?.annotations?.[annotations.deployment] === d.metadata.name);
  }

  /** The Pods of one allocation name in a namespace: the allocation and its replacements. */
  podsNamed(namespace: string, allocName: string): V1Pod[] {
    return this.podsByAllocName.get(allocName).filter((p) => namespaceOf(p) === namespace);
  }

  /** podsNamed, none for a name with one Pod (most allocations were never replaced). */
  private replacementsNamed(namespace: string, allocName: string): V1Pod[] {
    if (this.podsByAllocName.count(allocName) < 2) return [];
    const named = this.podsNamed(namespace, allocName);
    return named.length < 2 ? [] : named;
  }

  /** The last event of the Pods of a job (`namespace/name`): what is made from them holds while this stands. */
  podEventsOf(namespace: string, job: string): number {
    return this.podEvents.of(`${namespace}/${job}`);
  }

  podByUid(uid: string): V1Pod | undefined {
    return this.podsByUid.only(uid);
  }

  /** A cached object of a list by its cache key (see ordered). */
  byKey(kind: 'jobs', key: string): NomadJob | undefined;
  byKey(kind: 'deployments', key: string): NomadDeployment | undefined;
  byKey(kind: 'pods', key: string): V1Pod | undefined;
  byKey(kind: 'jobs' | 'deployments' | 'pods', key: string): NomadJob | NomadDeployment | V1Pod | undefined {
    return this.cluster.caches[kind].get(key);
  }

  nodeUid(name: string | undefined): string | undefined {
    return name ? this.cluster.caches.nodes.get(name)?.metadata?.uid : undefined;
  }
}
