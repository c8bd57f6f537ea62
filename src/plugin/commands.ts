import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorCode } from '../kube/client.ts';
import { annotations } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { allocationRow } from './allocations.ts';
import { formatParent, parentReport } from './child-jobs.ts';
import { allocHealthDecision, findAllocationPod, type Health } from './alloc-health.ts';
import { describeIntent, formatDeployment } from './deployment-view.ts';
import { formatHistory, historyReport } from './history-view.ts';
import { intentOutcome, intentPatch, targetDeploymentName, type Intent, type IntentOutcome } from './intents.ts';
import { UserError } from './objects.ts';
import { renderData, type OutputFormat, type Terminal } from './output.ts';
import type { CaravanReader } from './read.ts';
import { gitOpsWarning, planRevert } from './revert.ts';
import { formatStatus, statusReport } from './status-view.ts';
import { watchRollout } from './watch.ts';
import type { CaravanWriter } from './write.ts';

/** What every command works with; `out` is stdout, `err` stderr. */
export interface PluginContext {
  readonly reader: CaravanReader;
  readonly writer: CaravanWriter;
  readonly namespace: string;
  readonly output: OutputFormat;
  readonly terminal: Terminal;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly now: () => number;
}

/** Exit code of a command: 0 done, 1 refused or failed (watch: see watch.ts). */
export type ExitCode = number;

function emit(ctx: PluginContext, data: unknown, text: () => string): void {
  ctx.out(ctx.output === 'text' ? text() : renderData(data, ctx.output));
}

export async function statusCommand(ctx: PluginContext, job: string, opts: { verbose?: boolean }): Promise<ExitCode> {
  const snapshot = await ctx.reader.snapshot(ctx.namespace, job);
  const report = statusReport(snapshot);
  // A periodic or parameterized parent: its next launch and children, as `nomad job status` shows them.
  const parent = parentReport(snapshot.job, snapshot.job.spec.periodic || snapshot.job.spec.parameterized ? await ctx.reader.children(snapshot.job) : []);
  emit(ctx, parent ? { ...report, parent } : report, () => {
    const text = formatStatus(report, ctx.now(), ctx.terminal.style, { verbose: opts.verbose ?? false });
    return parent ? `${text}\n${formatParent(parent, ctx.now(), ctx.terminal.style)}` : text;
  });
  return 0;
}

export async function historyCommand(ctx: PluginContext, job: string, opts: { diff?: boolean }): Promise<ExitCode> {
  await ctx.reader.job(ctx.namespace, job);
  const [versions, deployments] = await Promise.all([ctx.reader.versions(ctx.namespace, job), ctx.reader.deployments(ctx.namespace, job)]);
  const entries = historyReport(versions, deployments, { diff: opts.diff ?? false });
  emit(ctx, entries, () => formatHistory(entries));
  return 0;
}

/** Polls until `check` returns something, or `waitMs` passes (then the last value, pending). */
async function pollUntil<T>(waitMs: number, check: () => Promise<{ done: boolean; value: T }>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { done, value } = await check();
    if (done || Date.now() >= deadline) return value;
    await sleep(300);
  }
}

/** How each intent reads once done, and as a noun. */
const intentWords: Record<Intent['kind'], { readonly done: string; readonly noun: string }> = {
  promote: { done: 'promoted', noun: 'promotion' },
  pause: { done: 'paused', noun: 'pause' },
  resume: { done: 'resumed', noun: 'resume' },
  fail: { done: 'marked failed', noun: 'fail' },
};

async function resolveDeployment(ctx: PluginContext, job: string | undefined, named: string | undefined): Promise<NomadDeployment> {
  if (!job && !named) throw new UserError('name the job (kubectl nomad promote JOB) or the deployment (--deployment NAME)');
  if (job && !named) {
    const target = targetDeploymentName(await ctx.reader.job(ctx.namespace, job), undefined);
    if (!target.ok) throw new UserError(target.error);
    named = target.name;
  }
  const d = await ctx.reader.deployment(ctx.namespace, named!);
  if (job && d.spec.job !== job) throw new UserError(`NomadDeployment ${d.metadata.name} belongs to NomadJob ${d.spec.job}, not ${job}`);
  return d;
}

/**
 * promote, pause, resume, fail: record the intent in the NomadDeployment's spec, then wait a
 * little for the controller to act on it and say how it went (its status is the answer).
 */
export async function intentCommand(
  ctx: PluginContext,
  job: string | undefined,
  intent: Intent,
  opts: { deployment?: string; waitMs: number },
): Promise<ExitCode> {
  const before = await resolveDeployment(ctx, job, opts.deployment);
  const patch = intentPatch(before, intent);
  if (!patch.ok) throw new UserError(`${before.metadata.name}: ${patch.error}`);
  const written = patch.unchanged ? before : await ctx.writer.patchDeploymentSpec(ctx.namespace, before.metadata.name, patch.spec);
  const generation = written.metadata.generation ?? 0;
  const outcome: IntentOutcome =
    opts.waitMs > 0
      ? await pollUntil(opts.waitMs, async () => {
          const o = intentOutcome(await ctx.reader.deployment(ctx.namespace, before.metadata.name), generation);
          return { done: o.kind !== 'pending', value: o };
        })
      : intentOutcome(written, generation);
  const data = {
    intent: intent.kind,
    ...(intent.kind === 'promote' && intent.groups?.length ? { groups: intent.groups } : {}),
    outcome: outcome.kind,
    ...(outcome.kind === 'refused' ? { error: outcome.error } : {}),
    deployment: outcome.deployment,
  };
  emit(ctx, data, () => {
    const asked = describeIntent(outcome.deployment.intent) ?? intent.kind;
    const head =
      outcome.kind === 'honoured'
        ? `==> ${outcome.deployment.name}: ${intentWords[intent.kind].done} (spec asks: ${asked})`
        : outcome.kind === 'refused'
          ? `==> ${outcome.deployment.name}: the controller refused the ${intentWords[intent.kind].noun} (spec asks: ${asked})`
          : `==> ${outcome.deployment.name}: ${intentWords[intent.kind].noun} recorded (spec asks: ${asked}); the controller has not acted on it yet`;
    return `${head}\n\n${formatDeployment(outcome.deployment, ctx.terminal.style)}\n`;
  });
  return outcome.kind === 'refused' ? 1 : 0;
}

export async function allocHealthCommand(ctx: PluginContext, ref: string, health: Health): Promise<ExitCode> {
  const pods = await ctx.reader.pods(ctx.namespace);
  const found = findAllocationPod(pods, ref);
  if (!found.ok) throw new UserError(found.error);
  const pod = found.pod;
  const deploymentName = pod.metadata?.annotations?.[annotations.deployment];
  let deployment: NomadDeployment | undefined;
  if (deploymentName) {
    try {
      deployment = await ctx.reader.deployment(ctx.namespace, deploymentName);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
  }
  const decision = allocHealthDecision(pod, deployment, health);
  if (!decision.ok) throw new UserError(decision.error);
  for (const w of decision.warnings) ctx.err(`warning: ${w}\n`);
  if (!decision.unchanged) await ctx.writer.annotatePod(ctx.namespace, pod.metadata!.name!, { [annotations.health]: health });
  const row = allocationRow(pod, new Map());
  const data = { allocation: pod.metadata!.uid, pod: pod.metadata!.name, name: row?.name, deployment: deploymentName, health, changed: !decision.unchanged };
  emit(
    ctx,
    data,
    () =>
      `==> allocation ${pod.metadata!.uid!.slice(0, 8)} (${pod.metadata!.name}, ${row?.name ?? ''}) marked ${health}${decision.unchanged ? ' (it already was)' : ''} for ${deploymentName}\n`,
  );
  return 0;
}

export async function revertCommand(ctx: PluginContext, jobName: string, version: number, opts: { waitMs: number }): Promise<ExitCode> {
  const job = await ctx.reader.job(ctx.namespace, jobName);
  const plan = planRevert(job, await ctx.reader.versions(ctx.namespace, jobName), version);
  if (plan.kind === 'refused') throw new UserError(plan.error);
  if (plan.kind === 'unchanged') {
    emit(
      ctx,
      { job: jobName, toVersion: version, outcome: 'unchanged' },
      () => `==> NomadJob ${jobName} already has version ${version}'s spec; nothing to revert\n`,
    );
    return 0;
  }
  ctx.err(`${gitOpsWarning(jobName, version)}\n`);
  const written = await ctx.writer.replaceJobSpec(job, plan.spec);
  const generation = written.metadata.generation ?? 0;
  const after = await pollUntil(opts.waitMs, async () => {
    const j = await ctx.reader.job(ctx.namespace, jobName);
    return { done: (j.status?.observedGeneration ?? -1) >= generation, value: j };
  });
  const observed = (after.status?.observedGeneration ?? -1) >= generation;
  const newVersion = observed ? after.status?.version : undefined;
  const data = {
    job: jobName,
    toVersion: version,
    outcome: observed ? 'recorded' : 'pending',
    ...(newVersion !== undefined ? { newVersion } : {}),
    ...(after.status?.latestDeployment ? { latestDeployment: after.status.latestDeployment } : {}),
  };
  emit(ctx, data, () =>
    observed && newVersion !== undefined
      ? `==> NomadJob ${jobName}: version ${version}'s spec is now the job's spec, recorded as version ${newVersion}${after.status?.latestDeployment?.jobVersion === newVersion ? `; follow it with: kubectl nomad watch ${jobName}` : ''}\n`
      : `==> NomadJob ${jobName}: version ${version}'s spec written; the controller has not recorded it yet\n`,
  );
  return 0;
}

export async function watchCommand(ctx: PluginContext, job: string, opts: { deployment?: string; timeoutMs?: number; intervalMs: number }): Promise<ExitCode> {
  await ctx.reader.job(ctx.namespace, job);
  const text = ctx.output === 'text';
  const tty = ctx.terminal.tty && text;
  let ticking = false;
  const result = await watchRollout(
    job,
    {
      readJob: () => ctx.reader.job(ctx.namespace, job),
      readDeployment: async (name) => {
        try {
          return await ctx.reader.deployment(ctx.namespace, name);
        } catch (error) {
          if (error instanceof UserError || apiErrorCode(error) === 404) return undefined;
          throw error;
        }
      },
      now: ctx.now,
      sleep: (ms) => sleep(ms),
      print: (line) => {
        if (text) ctx.out(`${line}\n`);
      },
      // Redrawn in place on a terminal only: pipes and CI logs get plain lines.
      ...(tty
        ? {
            ticker: (line: string) => {
              if (!line && !ticking) return;
              ctx.out(`\r\x1b[2K${line}`);
              ticking = line !== '';
            },
          }
        : {}),
    },
    {
      ...(opts.deployment ? { deployment: opts.deployment } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      intervalMs: opts.intervalMs,
    },
  );
  emit(ctx, { code: result.code, message: result.message, ...(result.deployment ? { deployment: result.deployment } : {}) }, () => `${result.message}\n`);
  return result.code;
}
