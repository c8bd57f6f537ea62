import type { DeploymentStatus } from '../planner/deployment.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { deploymentReport, type DeploymentGroupRow, type DeploymentReport } from './deployment-view.ts';
import { formatTime, shortId } from './format.ts';

/**
 * `watch` exit codes, for scripts and CI:
 * 0 the deployment completed successfully (or the job needed none);
 * 1 it failed (by health, progress deadline or an operator), or the command itself failed;
 * 2 it was cancelled (a newer version, the job stopped), disappeared, or --timeout passed first.
 */
export type WatchExitCode = 0 | 1 | 2;

export function exitCodeFor(status: DeploymentStatus): WatchExitCode | undefined {
  switch (status) {
    case 'successful':
      return 0;
    case 'failed':
      return 1;
    case 'cancelled':
      return 2;
    default:
      return undefined;
  }
}

function groupProgress(g: DeploymentGroupRow): string {
  const parts = [`healthy ${g.healthy}/${g.desired}`, `placed ${g.placed}`];
  if (g.unhealthy > 0) parts.push(`unhealthy ${g.unhealthy}`);
  if (g.canaries > 0) {
    const step = g.canaryStep !== undefined ? ` step ${g.canaryStep}` : '';
    parts.push(`canaries ${g.placedCanaries}/${g.canaries}${step}${g.promoted ? ' promoted' : ''}`);
  }
  return `${g.name}: ${parts.join(', ')}`;
}

/** One line of progress: what changed is what a person watching wants to see. */
export function progressLine(d: DeploymentReport): string {
  const groups = d.taskGroups.map(groupProgress).join('; ');
  const refused = d.refused ? ` (intent refused: ${d.refused.trim().replace(/\s+/g, ' ')})` : '';
  return `${d.name} ${d.status}: ${d.statusDescription}${groups ? ` | ${groups}` : ''}${refused}`;
}

/** The closing line, with what to do next when the deployment did not succeed. */
export function outcomeLine(d: DeploymentReport, job: string): string {
  const head = `Deployment ${d.name} (${shortId(d.id)}) ${d.status}: ${d.statusDescription}`;
  if (d.status === 'failed' && d.revertedJobVersion !== undefined)
    return `${head}\nCaravan is rolling back to job version ${d.revertedJobVersion}; follow it with: kubectl nomad watch ${job}`;
  if (d.status === 'cancelled') return `${head}\nSee the newer deployment with: kubectl nomad status ${job}`;
  return head;
}

export interface WatchDeps {
  readonly readJob: () => Promise<NomadJob>;
  readonly readDeployment: (name: string) => Promise<NomadDeployment | undefined>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A line that stays. */
  readonly print: (line: string) => void;
  /** On a terminal: a line redrawn in place while nothing changes ("" clears it). */
  readonly ticker?: (line: string) => void;
}

export interface WatchOptions {
  /** Follow this NomadDeployment rather than the job's latest. */
  readonly deployment?: string;
  readonly timeoutMs?: number;
  readonly intervalMs: number;
}

export interface WatchResult {
  readonly code: WatchExitCode;
  readonly message: string;
  readonly deployment?: DeploymentReport;
}

/**
 * The deployment to follow: once the controller has seen the job's latest spec (so a spec
 * applied a moment ago is not mistaken for the previous, finished rollout), its latest one.
 */
async function pickDeployment(deps: WatchDeps, deadline: number | undefined, interval: number): Promise<{ name?: string; timedOut?: boolean }> {
  for (;;) {
    const job = await deps.readJob();
    const generation = job.metadata.generation;
    const observed = generation === undefined || (job.status?.observedGeneration ?? -1) >= generation;
    if (observed) return job.status?.latestDeployment?.name ? { name: job.status.latestDeployment.name } : {};
    if (deadline !== undefined && deps.now() >= deadline) return { timedOut: true };
    deps.ticker?.(`waiting for the controller to see NomadJob ${job.metadata.name} generation ${generation}`);
    await deps.sleep(interval);
  }
}

/** Follows a deployment until it ends, printing a line whenever its progress changes. */
export async function watchRollout(job: string, deps: WatchDeps, opts: WatchOptions): Promise<WatchResult> {
  const started = deps.now();
  const deadline = opts.timeoutMs !== undefined ? started + opts.timeoutMs : undefined;
  const picked = opts.deployment ? { name: opts.deployment } : await pickDeployment(deps, deadline, opts.intervalMs);
  if (picked.timedOut) return { code: 2, message: `timed out: the controller has not acted on NomadJob ${job}'s latest spec` };
  if (!picked.name) return { code: 0, message: `NomadJob ${job} has no deployment to watch` };
  let last = '';
  for (;;) {
    const obj = await deps.readDeployment(picked.name);
    if (!obj) return { code: 2, message: `NomadDeployment ${picked.name} no longer exists` };
    const d = deploymentReport(obj);
    const line = progressLine(d);
    if (line !== last) {
      deps.ticker?.('');
      deps.print(`${formatTime(deps.now())} ${line}`);
      last = line;
    }
    const code = exitCodeFor(d.status);
    if (code !== undefined) {
      deps.ticker?.('');
      return { code, message: outcomeLine(d, job), deployment: d };
    }
    if (deadline !== undefined && deps.now() >= deadline) {
      deps.ticker?.('');
      return { code: 2, message: `timed out after ${Math.round((deps.now() - started) / 1000)}s; ${d.name} is still ${d.status}`, deployment: d };
    }
    deps.ticker?.(`watching ${d.name} (${d.status}) for ${Math.round((deps.now() - started) / 1000)}s …`);
    await deps.sleep(opts.intervalMs);
  }
}
