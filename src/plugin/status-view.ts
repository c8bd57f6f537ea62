import { latestVersion } from '../model/job-versions.ts';
import type { JobType } from '../model/nomad-job-spec.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJobStatus } from '../resources/nomad-job.ts';
import { allocationRows, type AllocationRow } from './allocations.ts';
import { deploymentReport, formatDeployment, type DeploymentReport } from './deployment-view.ts';
import { formatKV, formatList, formatTime, prettyTimeDiff, shortId, type Style } from './format.ts';
import type { JobSnapshot } from './objects.ts';

/** Nomad's TaskGroupSummary as the controller counts it from the Pods that exist. */
export interface GroupSummaryRow {
  readonly queued: number;
  readonly starting: number;
  readonly running: number;
  readonly failed: number;
  readonly complete: number;
  readonly lost: number;
  readonly unknown: number;
}

/** Everything `kubectl nomad status JOB` shows; `-o json|yaml` prints this object. */
export interface StatusReport {
  readonly job: {
    readonly id: string;
    readonly name: string;
    readonly namespace: string;
    readonly submitDate?: string;
    readonly type: JobType;
    readonly priority: number;
    readonly datacenters: readonly string[];
    /** Nomad's job status (pending, running, dead); undefined until the controller has seen the job. */
    readonly status?: string;
    readonly stop: boolean;
    readonly version?: number;
    readonly stableVersion?: number;
    /** The version the allocations run: differs from version while an auto-revert is in effect. */
    readonly runningVersion?: number;
    readonly revert?: { readonly fromVersion: number; readonly toVersion: number; readonly reason: string };
    /** The controller has acted on the latest spec. */
    readonly observed: boolean;
    /** Why the controller refuses the spec, when it does. */
    readonly invalid?: string;
  };
  readonly summary: Readonly<Record<string, GroupSummaryRow>>;
  readonly latestDeployment?: DeploymentReport;
  readonly allocations: readonly AllocationRow[];
}

/** The job's latest deployment: the one its status names, else the one of the newest version. */
export function latestDeploymentOf(s: Pick<JobSnapshot, 'job' | 'deployments'>): NomadDeployment | undefined {
  const named = s.job.status?.latestDeployment?.name;
  const byName = named ? s.deployments.find((d) => d.metadata.name === named) : undefined;
  return byName ?? [...s.deployments].sort((a, b) => b.spec.jobVersion - a.spec.jobVersion)[0];
}

export function statusReport(s: JobSnapshot): StatusReport {
  const { job } = s;
  const st: Partial<NomadJobStatus> = job.status ?? {};
  const latest = latestVersion(s.versions);
  const deployment = latestDeploymentOf(s);
  const generation = job.metadata.generation;
  const invalid = st.conditions?.find((c) => c.type === 'Stalled' && c.reason === 'InvalidSpec')?.message;
  const summary: Record<string, GroupSummaryRow> = {};
  for (const [group, g] of Object.entries(st.summary ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    summary[group] = {
      queued: g.queued,
      starting: g.starting,
      running: g.running,
      failed: g.failed,
      complete: g.complete,
      lost: g.lost,
      unknown: (g as { unknown?: number }).unknown ?? 0,
    };
  }
  return {
    job: {
      id: job.metadata.name,
      name: job.metadata.name,
      namespace: job.metadata.namespace ?? 'default',
      ...(latest ? { submitDate: latest.submitTime } : {}),
      type: job.spec.type ?? 'service',
      priority: job.spec.priority ?? 50,
      datacenters: job.spec.datacenters?.length ? job.spec.datacenters : ['*'],
      ...(st.status ? { status: st.status } : {}),
      stop: job.spec.stop ?? false,
      ...(st.version !== undefined ? { version: st.version } : latest ? { version: latest.version } : {}),
      ...(st.stableVersion !== undefined ? { stableVersion: st.stableVersion } : {}),
      ...(st.runningVersion !== undefined ? { runningVersion: st.runningVersion } : {}),
      ...(st.revert ? { revert: st.revert } : {}),
      observed: generation === undefined || (st.observedGeneration ?? -1) >= generation,
      ...(invalid ? { invalid } : {}),
    },
    summary,
    ...(deployment ? { latestDeployment: deploymentReport(deployment) } : {}),
    allocations: allocationRows(s.pods, s.nodes, s.deployments),
  };
}

/** Nomad's getStatusString: "dead (stopped)" for a stopped job. */
function jobStatusText(j: StatusReport['job']): string {
  const status = j.status ?? (j.invalid ? 'invalid' : 'pending');
  return j.stop ? `${status} (stopped)` : status;
}

function formatAllocations(allocs: readonly AllocationRow[], now: number, verbose: boolean): string {
  if (allocs.length === 0) return 'No allocations placed';
  const header = verbose
    ? ['ID', 'Pod', 'Node ID', 'Node Name', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified']
    : ['ID', 'Node ID', 'Task Group', 'Version', 'Desired', 'Status', 'Created', 'Modified'];
  const rows = allocs.map((a) =>
    verbose
      ? [
          a.id,
          a.podName,
          a.nodeId ?? '',
          a.nodeName ?? '',
          a.taskGroup,
          String(a.version),
          a.desired,
          a.status,
          formatTime(a.createTime),
          formatTime(a.modifyTime),
        ]
      : [
          shortId(a.id),
          a.nodeId ? shortId(a.nodeId) : '',
          a.taskGroup,
          String(a.version),
          a.desired,
          a.status,
          prettyTimeDiff(a.createTime, now),
          prettyTimeDiff(a.modifyTime, now),
        ],
  );
  return formatList(header, rows);
}

/**
 * `nomad job status JOB` for a NomadJob: the job block, Summary, Latest Deployment with its
 * Deployed table, and Allocations (newest first). Caravan adds the versions, and says when an
 * auto-revert is in effect or the controller has not seen the latest spec yet.
 */
export function formatStatus(r: StatusReport, now: number, style: Style, opts: { verbose?: boolean } = {}): string {
  const j = r.job;
  const kv: [string, string][] = [
    ['ID', j.id],
    ['Name', j.name],
    ['Submit Date', formatTime(j.submitDate)],
    ['Type', j.type],
    ['Priority', String(j.priority)],
    ['Datacenters', j.datacenters.join(',')],
    ['Namespace', j.namespace],
    ['Status', jobStatusText(j)],
    ['Version', j.version !== undefined ? String(j.version) : 'N/A'],
    ['Stable Version', j.stableVersion !== undefined ? String(j.stableVersion) : 'none'],
  ];
  if (j.revert) kv.push(['Reverted', `running version ${j.revert.toVersion} instead of ${j.revert.fromVersion} until the spec changes (${j.revert.reason})`]);
  else if (j.runningVersion !== undefined && j.version !== undefined && j.runningVersion !== j.version) kv.push(['Running Version', String(j.runningVersion)]);
  if (j.invalid) kv.push(['Invalid Spec', j.invalid]);
  else if (!j.observed) kv.push(['Note', 'the controller has not seen the latest spec yet']);
  const out = [formatKV(kv)];

  const groups = Object.entries(r.summary);
  if (groups.length > 0) {
    out.push('', style.heading('Summary'));
    out.push(
      formatList(
        ['Task Group', 'Queued', 'Starting', 'Running', 'Failed', 'Complete', 'Lost', 'Unknown'],
        groups.map(([g, s]) => [g, ...[s.queued, s.starting, s.running, s.failed, s.complete, s.lost, s.unknown].map(String)]),
      ),
    );
  }
  if (r.latestDeployment) out.push('', style.heading('Latest Deployment'), formatDeployment(r.latestDeployment, style, { verbose: opts.verbose ?? false }));
  out.push('', style.heading('Allocations'), formatAllocations(r.allocations, now, opts.verbose ?? false));
  return `${out.join('\n')}\n`;
}
