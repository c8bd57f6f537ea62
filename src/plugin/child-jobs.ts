import { randomUUID } from 'node:crypto';
import { dispatchProblem } from '../model/dispatch-request.ts';
import { childIdentity, dispatchedChild, nomadJobId, payloadSecret, periodicChild } from '../resources/child-job.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import type { ExitCode, PluginContext } from './commands.ts';
import { formatKV, formatList, prettyTimeDiff, type Style } from './format.ts';
import { UserError } from './objects.ts';
import { renderData } from './output.ts';

/**
 * `kubectl nomad periodic force` and `kubectl nomad dispatch` (issue 13): the child NomadJob is
 * created with the user's own credentials, named as the controller and the Nomad API name it, so
 * Kubernetes RBAC decides (create nomadjobs, and create secrets for a payload).
 */

function emit(ctx: PluginContext, data: unknown, text: () => string): void {
  ctx.out(ctx.output === 'text' ? text() : renderData(data, ctx.output));
}

export async function periodicForceCommand(ctx: PluginContext, name: string): Promise<ExitCode> {
  const parent = await ctx.reader.job(ctx.namespace, name);
  if (!parent.spec.periodic) throw new UserError("can't force launch non-periodic job");
  if (parent.spec.periodic.enabled === false || parent.spec.stop || parent.spec.parameterized)
    throw new UserError(`force launch for job "${name}" failed: can't force run non-tracked job "${name}" (${ctx.namespace})`);
  const child = await ctx.writer.createChildJob(periodicChild(parent, ctx.now()));
  const data = { job: name, child: child.metadata.name, id: nomadJobId(child) };
  emit(
    ctx,
    data,
    () =>
      `Force periodic successful\n${formatKV([
        ['Launched Job ID', data.id],
        ['NomadJob', data.child],
      ])}\n`,
  );
  return 0;
}

/** `k=v` pairs of --meta, in the order given (a later key wins). */
export function parseMeta(pairs: readonly string[]): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--meta ${JSON.stringify(pair)}: expected key=value`);
    meta[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return meta;
}

export async function dispatchCommand(
  ctx: PluginContext,
  name: string,
  payload: Buffer,
  opts: { meta: Record<string, string>; idPrefixTemplate?: string },
): Promise<ExitCode> {
  const parent = await ctx.reader.job(ctx.namespace, name);
  if (!parent.spec.parameterized || childIdentity(parent)?.dispatched) throw new UserError(`Specified job "${name}" is not a parameterized job`);
  if (parent.spec.stop) throw new UserError(`Specified job "${name}" is stopped`);
  const problem = dispatchProblem(parent.spec.parameterized, { payloadBytes: payload.length, meta: opts.meta });
  if (problem) throw new UserError(problem);
  const child = await ctx.writer.createChildJob(
    dispatchedChild(parent, {
      unix: Math.floor(ctx.now() / 1000),
      hex8: randomUUID().replaceAll('-', '').slice(0, 8),
      meta: opts.meta,
      hasPayload: payload.length > 0,
      ...(opts.idPrefixTemplate ? { idPrefixTemplate: opts.idPrefixTemplate } : {}),
    }),
  );
  if (payload.length > 0) await ctx.writer.createSecret(payloadSecret(child, payload));
  const data = { job: name, child: child.metadata.name, id: nomadJobId(child) };
  emit(ctx, data, () => `Dispatched Job ID = ${data.id}\nNomadJob          = ${data.child}\n`);
  return 0;
}

/** What `nomad job status PARENT` adds for a periodic or parameterized parent. */
export interface ParentReport {
  readonly periodic: boolean;
  readonly nextLaunch?: string;
  readonly stopped: boolean;
  readonly children: readonly { readonly id: string; readonly name: string; readonly status: string }[];
}

export function parentReport(parent: NomadJob, children: readonly NomadJob[]): ParentReport | undefined {
  if (!parent.spec.periodic && !parent.spec.parameterized) return undefined;
  const next = parent.status?.periodic?.nextLaunch;
  return {
    periodic: parent.spec.periodic !== undefined && parent.spec.parameterized === undefined,
    ...(next ? { nextLaunch: next } : {}),
    stopped: parent.spec.stop === true,
    children: [...children]
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))
      .map((c) => ({ id: nomadJobId(c), name: c.metadata.name, status: c.status?.status ?? 'pending' })),
  };
}

/** Nomad's parent sections: Next Periodic Launch, the children summary, the launched or dispatched jobs. */
export function formatParent(r: ParentReport, now: number, style: Style): string {
  const out: string[] = [];
  if (r.periodic) {
    const next = r.stopped ? 'none (job stopped)' : r.nextLaunch ? `${r.nextLaunch} (${prettyTimeDiff(Date.parse(r.nextLaunch), now)})` : 'none';
    out.push(formatKV([['Next Periodic Launch', next]]));
  }
  const count = (s: string) => String(r.children.filter((c) => c.status === s).length);
  out.push('', style.heading(r.periodic ? 'Children Job Summary' : 'Parameterized Job Summary'));
  out.push(formatList(['Pending', 'Running', 'Dead'], [[count('pending'), count('running'), count('dead')]]));
  out.push('', style.heading(r.periodic ? 'Previously Launched Jobs' : 'Dispatched Jobs'));
  out.push(
    r.children.length > 0
      ? formatList(
          ['ID', 'Status'],
          r.children.map((c) => [c.id, c.status]),
        )
      : r.periodic
        ? 'No instances of periodic job found'
        : 'No dispatched instances of parameterized job found',
  );
  return `${out.join('\n')}\n`;
}
