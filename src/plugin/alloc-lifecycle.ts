import { restartByExec, signalByExec, type AllocExecIo } from '../api/alloc-exec.ts';
import { multiError, planRestart, planSignal, type LifecyclePlan, type Refusal } from '../api/nomad/alloc-lifecycle.ts';
import { labels } from '../resources/labels.ts';
import { allocationRow } from './allocations.ts';
import { findAllocationPod } from './alloc-health.ts';
import type { ExitCode, PluginContext } from './commands.ts';
import { UserError } from './objects.ts';
import { renderData } from './output.ts';

/**
 * `kubectl nomad alloc restart` and `kubectl nomad alloc signal`: what the Nomad API's client
 * endpoints do (issue 13 §5), with the user's own credentials, so kubectl's rights apply as they
 * are: `get pods/exec` for the kill (exec is a WebSocket GET; 1.35 on also checks create),
 * `create events` for the task event (without it the
 * signal is still delivered, and the command says the event was not recorded).
 */
async function carryOut(
  ctx: PluginContext,
  ref: string,
  plan: (pod: Parameters<typeof planRestart>[0], allocId: string) => LifecyclePlan | Refusal,
  act: typeof restartByExec,
  verb: 'restarted' | 'signalled',
): Promise<ExitCode> {
  const found = findAllocationPod(await ctx.reader.pods(ctx.namespace), ref);
  if (!found.ok) throw new UserError(found.error);
  const pod = found.pod;
  const allocId = pod.metadata!.uid!;
  const decided = plan(pod, allocId);
  if (!decided.ok) throw new UserError(decided.error);
  const io: AllocExecIo = {
    kc: ctx.writer.kc,
    currentPod: async () => (await ctx.reader.pods(ctx.namespace, pod.metadata?.labels?.[labels.job])).find((p) => p.metadata?.uid === allocId),
    reporter: 'kubectl-nomad',
    credentials: 'user',
    unrecorded: (task, error) =>
      ctx.err(
        `warning: task ${JSON.stringify(task)}: the task event was not recorded (${error instanceof Error ? error.message.split('\n')[0] : String(error)})\n`,
      ),
  };
  const errors = await act(io, pod, allocId, decided);
  if (errors.length > 0) throw new UserError(errors.length === 1 ? errors[0]! : multiError(errors).trimEnd());
  const tasks = decided.targets.map((t) => t.name);
  const row = allocationRow(pod, new Map());
  const data = { allocation: allocId, pod: pod.metadata!.name, name: row?.name, signal: decided.signal, tasks };
  if (ctx.output !== 'text') ctx.out(renderData(data, ctx.output));
  else
    ctx.out(
      `==> allocation ${allocId.slice(0, 8)} (${pod.metadata!.name}): ${tasks.length > 0 ? `${verb} ${tasks.join(', ')} (${decided.signal})` : 'no running task to restart'}\n`,
    );
  return 0;
}

export function allocRestartCommand(ctx: PluginContext, ref: string, task: string | undefined, opts: { allTasks?: boolean }): Promise<ExitCode> {
  if (opts.allTasks && task) throw new UserError('The -all-tasks option is not allowed when restarting a specific task.');
  const scope = task ? ({ kind: 'task', task } as const) : opts.allTasks ? ({ kind: 'all' } as const) : ({ kind: 'running' } as const);
  return carryOut(ctx, ref, (pod, id) => planRestart(pod, scope, id), restartByExec, 'restarted');
}

export function allocSignalCommand(ctx: PluginContext, ref: string, task: string | undefined, opts: { signal: string }): Promise<ExitCode> {
  return carryOut(ctx, ref, (pod, id) => planSignal(pod, { Task: task ?? '', Signal: opts.signal }, id), signalByExec, 'signalled');
}
