import { parseDuration } from '../model/duration.ts';
import type { DeploymentStatus } from '../planner/deployment.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { formatKV, formatList, formatTime, shortId, type Style } from './format.ts';

/** One task group's row of a deployment (Nomad's DeploymentState). */
export interface DeploymentGroupRow {
  readonly name: string;
  readonly autoRevert: boolean;
  readonly autoPromote: boolean;
  readonly promoted: boolean;
  readonly desired: number;
  readonly canaries: number;
  readonly placedCanaries: number;
  /** With canary steps (Caravan's extension): the step, from 1, and the canaries it runs. */
  readonly canaryStep?: number;
  readonly stepCanaries?: number;
  readonly placed: number;
  readonly healthy: number;
  readonly unhealthy: number;
  /** Go duration; "0s" means no progress deadline. */
  readonly progressDeadline: string;
  readonly requireProgressBy?: string;
}

/** What the operator asked for in the deployment's spec. */
export interface DeploymentIntentView {
  readonly promote?: { readonly all?: boolean; readonly groups?: readonly string[] };
  readonly paused?: boolean;
  readonly failed?: boolean;
  readonly approveCanaryStep?: number;
}

/** A NomadDeployment in Nomad's terms, for every view that shows one. */
export interface DeploymentReport {
  /** Nomad's deployment ID (the object's UID). */
  readonly id?: string;
  readonly name: string;
  readonly job: string;
  readonly jobVersion: number;
  readonly status: DeploymentStatus;
  readonly statusDescription: string;
  readonly intent: DeploymentIntentView;
  /** The controller acted on the spec's current generation. */
  readonly observed: boolean;
  /** Why the controller could not honour the intent (Nomad's error text). */
  readonly refused?: string;
  readonly revertedJobVersion?: number;
  readonly createTime?: string;
  readonly modifyTime?: string;
  readonly taskGroups: readonly DeploymentGroupRow[];
}

export function deploymentReport(d: NomadDeployment): DeploymentReport {
  const s = d.status ?? {};
  const refusal = s.conditions?.find((c) => c.type === 'IntentHonoured' && c.status === 'False');
  const { job: _job, jobVersion: _version, ...intent } = d.spec;
  const taskGroups = Object.entries(s.taskGroups ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, g]) => ({
      name,
      autoRevert: g.autoRevert,
      autoPromote: g.autoPromote,
      promoted: g.promoted,
      desired: g.desiredTotal,
      canaries: g.desiredCanaries,
      placedCanaries: g.placedCanaries?.length ?? 0,
      ...(g.canaryStep !== undefined ? { canaryStep: g.canaryStep } : {}),
      ...(g.stepCanaries !== undefined ? { stepCanaries: g.stepCanaries } : {}),
      placed: g.placedAllocs,
      healthy: g.healthyAllocs,
      unhealthy: g.unhealthyAllocs,
      progressDeadline: g.progressDeadline,
      ...(g.requireProgressBy ? { requireProgressBy: g.requireProgressBy } : {}),
    }));
  const generation = d.metadata.generation;
  return {
    ...((s.id ?? d.metadata.uid) ? { id: s.id ?? d.metadata.uid } : {}),
    name: d.metadata.name,
    job: d.spec.job,
    jobVersion: d.spec.jobVersion,
    // Created, status not written yet: the controller reads it as a fresh running deployment too.
    status: s.status ?? 'running',
    statusDescription: s.statusDescription ?? 'Deployment is running',
    intent,
    observed: generation === undefined || (s.observedGeneration ?? -1) >= generation,
    ...(refusal ? { refused: refusal.message } : {}),
    ...(s.revertedJobVersion !== undefined ? { revertedJobVersion: s.revertedJobVersion } : {}),
    ...(s.createTime ? { createTime: s.createTime } : {}),
    ...(s.modifyTime ? { modifyTime: s.modifyTime } : {}),
    taskGroups,
  };
}

/** The intent in words: "promote all, paused". */
export function describeIntent(intent: DeploymentIntentView): string | undefined {
  const parts: string[] = [];
  if (intent.promote?.all) parts.push('promote all');
  else if (intent.promote?.groups?.length) parts.push(`promote ${intent.promote.groups.join(', ')}`);
  if (intent.paused !== undefined) parts.push(intent.paused ? 'paused' : 'resumed');
  if (intent.failed) parts.push('failed');
  if (intent.approveCanaryStep !== undefined) parts.push(`canary step ${intent.approveCanaryStep} approved`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

const hasDeadline = (g: DeploymentGroupRow) => (parseDuration(g.progressDeadline) ?? 0) > 0;

/**
 * Nomad's "Deployed" table: Auto Revert, Promoted, Canaries and Progress Deadline columns only
 * when some group uses them, as Nomad prints it; Canary Step only with Caravan's canary steps.
 */
export function formatDeploymentGroups(groups: readonly DeploymentGroupRow[]): string {
  const autoRevert = groups.some((g) => g.autoRevert);
  const canaries = groups.some((g) => g.canaries > 0);
  const steps = groups.some((g) => g.canaryStep !== undefined);
  const deadline = groups.some(hasDeadline);
  const header = [
    'Task Group',
    ...(autoRevert ? ['Auto Revert'] : []),
    ...(canaries ? ['Promoted'] : []),
    'Desired',
    ...(canaries ? ['Canaries'] : []),
    ...(steps ? ['Canary Step'] : []),
    'Placed',
    'Healthy',
    'Unhealthy',
    ...(deadline ? ['Progress Deadline'] : []),
  ];
  const rows = groups.map((g) => [
    g.name,
    ...(autoRevert ? [String(g.autoRevert)] : []),
    ...(canaries ? [g.canaries > 0 ? String(g.promoted) : 'N/A'] : []),
    String(g.desired),
    ...(canaries ? [String(g.canaries)] : []),
    ...(steps ? [g.canaryStep !== undefined ? String(g.canaryStep) : 'N/A'] : []),
    String(g.placed),
    String(g.healthy),
    String(g.unhealthy),
    ...(deadline ? [g.requireProgressBy ? formatTime(g.requireProgressBy) : 'N/A'] : []),
  ]);
  return formatList(header, rows);
}

/**
 * ID, Status, Description as `nomad job status` shows the latest deployment, then the intent in
 * the spec and whether the controller refused it, then the Deployed table.
 */
export function formatDeployment(d: DeploymentReport, style: Style, opts: { verbose?: boolean; withJob?: boolean } = {}): string {
  const intent = describeIntent(d.intent);
  const kv: [string, string][] = [
    ['ID', shortId(d.id, opts.verbose)],
    ...(opts.withJob
      ? ([
          ['Job ID', d.job],
          ['Job Version', String(d.jobVersion)],
        ] as [string, string][])
      : []),
    ['Status', d.status],
    ['Description', d.statusDescription],
    ...(intent ? ([['Intent', d.observed ? intent : `${intent} (not yet seen by the controller)`]] as [string, string][]) : []),
    ...(d.refused ? ([['Refused', d.refused]] as [string, string][]) : []),
  ];
  const base = formatKV(kv);
  if (d.taskGroups.length === 0) return base;
  return `${base}\n\n${style.heading('Deployed')}\n${formatDeploymentGroups(d.taskGroups)}`;
}
