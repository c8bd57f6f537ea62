import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import { recordedHealthOf } from '../../resources/recorded-health.ts';
import type { NomadJob } from '../../resources/nomad-job.ts';
import { canonicalJob } from '../../model/defaults.ts';
import type { JobVersion } from '../../model/job-versions.ts';
import { labels } from '../../resources/labels.ts';
import type { ClusterView } from '../cluster-view.ts';
import type { DeploymentSource } from './deployment-json.ts';
import type { CanaryGroupFacts, DeploymentFacts } from './status.ts';
import { instanceWeights } from './strategy.ts';

/** A job version as CF sees it: a revision whose guid is its ControllerRevision's UID. */
export interface CfRevisionSource {
  readonly job: NomadJob;
  readonly version: JobVersion;
  readonly guid: string;
}

const namespaceOf = (o: { metadata: { namespace?: string | undefined } }) => o.metadata.namespace ?? 'default';

/**
 * The Kubernetes objects behind the CF view, read from the shared caches (through ClusterView):
 * apps are NomadJobs, deployments NomadDeployments, revisions (and droplets) job versions.
 */
export class CfView {
  readonly view: ClusterView;
  /** A deployment's source, per deployment object, while its job, the job's versions and its Pods stay as they were. */
  private readonly sources = new WeakMap<NomadDeployment, { job: NomadJob | undefined; versions: unknown; podEvents: number; source: DeploymentSource }>();

  constructor(view: ClusterView) {
    this.view = view;
  }

  appByGuid(guid: string): NomadJob | undefined {
    return this.view.jobByUid(guid);
  }

  revisions(job: NomadJob): CfRevisionSource[] {
    return this.view.versions(job).flatMap((k) => (k.revision.metadata?.uid ? [{ job, version: k.version, guid: k.revision.metadata.uid }] : []));
  }

  revisionByGuid(guid: string): CfRevisionSource | undefined {
    const revision = this.view.revisionByUid(guid);
    const jobName = revision?.metadata?.labels?.[labels.job];
    const job = jobName === undefined ? undefined : this.view.job(revision?.metadata?.namespace ?? 'default', jobName);
    return job && this.revisions(job).find((r) => r.guid === guid);
  }

  deploymentByGuid(guid: string): NomadDeployment | undefined {
    return this.view.deploymentByUid(guid);
  }

  /** What the CF status mapping needs: Nomad's status, the intent, and each group's canaries. */
  facts(d: NomadDeployment, spec?: JobVersion['spec']): DeploymentFacts {
    const job = this.view.job(namespaceOf(d), d.spec.job);
    const versionSpec = spec ?? (job ? this.revisions(job).find((r) => r.version.version === d.spec.jobVersion)?.version.spec : undefined);
    const groups = versionSpec && job ? canonicalJob(job.metadata.name, namespaceOf(d), versionSpec).taskGroups : [];
    const facts: CanaryGroupFacts[] = Object.entries(d.status?.taskGroups ?? {}).map(([name, g]) => ({
      desiredCanaries: g.desiredCanaries,
      promoted: g.promoted,
      autoPromote: g.autoPromote,
      healthy: g.healthyAllocs,
      needed: g.stepCanaries ?? g.desiredCanaries,
      ...(g.canaryStep !== undefined ? { step: g.canaryStep } : {}),
      stepApprovals: (groups.find((tg) => tg.name === name)?.update?.canarySteps ?? []).map((s) => s.approval),
    }));
    return {
      status: d.status?.status ?? 'running',
      statusDescription: d.status?.statusDescription ?? 'Deployment is running',
      failRequested: d.spec.failed === true,
      approvedStep: d.spec.approveCanaryStep ?? 0,
      groups: facts,
    };
  }

  /** What a CF deployment shows, made once per deployment object while its job, versions and Pods stay as they were. */
  deploymentSource(d: NomadDeployment): DeploymentSource {
    const job = this.view.job(namespaceOf(d), d.spec.job);
    const versions = job && this.view.versions(job);
    const podEvents = this.view.podEventsOf(namespaceOf(d), d.spec.job);
    const known = this.sources.get(d);
    if (known && known.job === job && known.versions === versions && known.podEvents === podEvents) return known.source;
    const source = this.makeDeploymentSource(d, job);
    this.sources.set(d, { job, versions, podEvents, source });
    return source;
  }

  private makeDeploymentSource(d: NomadDeployment, job: NomadJob | undefined): DeploymentSource {
    const revisions = job ? this.revisions(job) : [];
    const own = revisions.find((r) => r.version.version === d.spec.jobVersion);
    const previous = revisions.filter((r) => r.version.version < d.spec.jobVersion).at(-1);
    const spec = own?.version.spec;
    const group = spec?.taskGroups.find((g) => g.update?.canarySteps) ?? spec?.taskGroups[0];
    const canonical = spec && job ? canonicalJob(job.metadata.name, namespaceOf(d), spec).taskGroups.find((g) => g.name === group?.name) : undefined;
    const created = d.status?.createTime ?? d.metadata.creationTimestamp ?? new Date(0).toISOString();
    const weights = instanceWeights(group?.update?.canarySteps ? group.update : spec?.update, group?.count ?? 1);
    const lastHealthy = this.lastHealthyAt(d);
    const annotationsOf = d.metadata.annotations ?? {};
    return {
      guid: d.metadata.uid ?? '',
      createdAt: created,
      updatedAt: d.status?.modifyTime ?? created,
      facts: this.facts(d, spec),
      ...(lastHealthy ? { lastHealthyAt: lastHealthy } : {}),
      maxInFlight: canonical?.update?.maxParallel ?? 1,
      ...(weights ? { canaryWeights: weights } : {}),
      revision: own ? { guid: own.guid, version: own.version.version } : null,
      previousRevisionGuid: previous?.guid ?? null,
      appGuid: job?.metadata.uid ?? '',
      labels: d.metadata.labels ?? {},
      annotations: annotationsOf,
    };
  }

  /** When an allocation of the deployment was last recorded healthy (in its status, or on the Pod). */
  private lastHealthyAt(d: NomadDeployment): string | undefined {
    let last: number | undefined;
    for (const pod of this.view.podsOfDeployment(d)) {
      const recorded = recordedHealthOf(pod, d);
      if (recorded?.health === 'healthy' && (last === undefined || recorded.at > last)) last = recorded.at;
    }
    return last === undefined ? undefined : new Date(last).toISOString();
  }
}
