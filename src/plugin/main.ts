#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import {
  apiServerLocation,
  explainKubernetesError,
  formatKubernetesError,
  kubernetesErrorStatus,
  loadKubeConfig,
  type ApiServerLocation,
} from '../kube/client.ts';
import { allocHealthCommand, historyCommand, intentCommand, revertCommand, statusCommand, watchCommand, type PluginContext } from './commands.ts';
import { allocRestartCommand, allocSignalCommand } from './alloc-lifecycle.ts';
import { dispatchCommand, parseMeta, periodicForceCommand } from './child-jobs.ts';
import { UserError } from './objects.ts';
import { parseInterval, parseJobVersion, parseTimeout, parseWait } from './option-values.ts';
import { parseOutputFormat, terminalOf } from './output.ts';
import { CaravanReader } from './read.ts';
import { CaravanWriter } from './write.ts';
import { packageVersion } from '../package-version.ts';

interface GlobalOptions {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  output?: string;
}

/**
 * Everything a command needs, from the global options (which may come before or after the
 * command), and the API server it talks to.
 */
function contextOf(command: Command): { ctx: PluginContext; apiServer: ApiServerLocation } {
  const g = command.optsWithGlobals<GlobalOptions>();
  const kc = loadKubeConfig(g.kubeconfig);
  if (g.context) kc.setCurrentContext(g.context);
  const namespace = g.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const ctx: PluginContext = {
    reader: new CaravanReader(kc),
    writer: new CaravanWriter(kc),
    namespace,
    output: parseOutputFormat(g.output),
    terminal: terminalOf(process.stdout, process.env),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    now: Date.now,
  };
  return { ctx, apiServer: apiServerLocation(kc, g.kubeconfig) };
}

/** Runs a command and sets the exit code it returns; a Kubernetes error names the API server it came from. */
function run<A extends unknown[]>(body: (ctx: PluginContext, ...args: A) => Promise<number>) {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const { ctx, apiServer } = contextOf(command);
    try {
      process.exitCode = await body(ctx, ...args);
    } catch (error) {
      throw explainKubernetesError(error, apiServer);
    }
  };
}

const program = new Command('kubectl nomad')
  .description(
    "Nomad's job and deployment commands for Caravan's NomadJobs: status, history, promote, pause, resume, fail, revert, alloc-health, alloc restart, alloc signal, periodic force, dispatch, watch",
  )
  .showHelpAfterError()
  // Set before the commands are added, which inherit it: usage errors are thrown, not exited with 1.
  .exitOverride()
  .version(packageVersion())
  .option('-n, --namespace <namespace>', "the namespace (default: the kubeconfig context's, else default)")
  .option('--kubeconfig <file>', 'the kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)')
  .option('--context <name>', 'the kubeconfig context to use')
  .addOption(new Option('-o, --output <format>', 'json or yaml for scripts (default: text for people)').choices(['json', 'yaml', 'text']));

const waitOption = () =>
  new Option('--wait <duration>', 'how long to wait for the controller to act (0: do not wait)').default(15_000, '15s').argParser(parseWait);
const deploymentOption = () => new Option('--deployment <name>', "the NomadDeployment (default: the job's latest)");

program
  .command('status')
  .description('show a job like `nomad job status`: the job, its summary, the latest deployment and the allocations')
  .argument('<job>', 'the NomadJob')
  .option('--verbose', 'full IDs, Pod and Node names, absolute times')
  .action(run((ctx, job: string, opts: { verbose?: boolean }) => statusCommand(ctx, job, opts)));

program
  .command('history')
  .description('list the job versions like `nomad job history`, newest first')
  .argument('<job>', 'the NomadJob')
  .option('-p, --diff', 'show what changed from the previous version')
  .action(run((ctx, job: string, opts: { diff?: boolean }) => historyCommand(ctx, job, opts)));

program
  .command('promote')
  .description("promote the canaries of the job's latest deployment (spec.promote), like `nomad deployment promote`")
  .argument('[job]', 'the NomadJob')
  .option('--group <group>', 'promote only this task group (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .addOption(deploymentOption())
  .addOption(waitOption())
  .action(
    run((ctx, job: string | undefined, opts: { group: string[]; deployment?: string; wait: number }) =>
      intentCommand(
        ctx,
        job,
        { kind: 'promote', ...(opts.group.length ? { groups: opts.group } : {}) },
        { ...(opts.deployment ? { deployment: opts.deployment } : {}), waitMs: opts.wait },
      ),
    ),
  );

for (const [kind, what] of [
  ['pause', 'pause the latest deployment (spec.paused: true), like `nomad deployment pause`'],
  ['resume', 'resume a paused deployment (spec.paused: false), like `nomad deployment resume`'],
  ['fail', 'mark the latest deployment failed (spec.failed: true), like `nomad deployment fail`; auto-revert applies'],
] as const) {
  program
    .command(kind)
    .description(what)
    .argument('[job]', 'the NomadJob')
    .addOption(deploymentOption())
    .addOption(waitOption())
    .action(
      run((ctx, job: string | undefined, opts: { deployment?: string; wait: number }) =>
        intentCommand(ctx, job, { kind }, { ...(opts.deployment ? { deployment: opts.deployment } : {}), waitMs: opts.wait }),
      ),
    );
}

program
  .command('revert')
  .description("write version VERSION's spec back into the NomadJob, like `nomad job revert` (the controller records it as a new version)")
  .argument('<job>', 'the NomadJob')
  .argument('<version>', 'the job version to go back to', parseJobVersion)
  .addOption(waitOption())
  .action(run((ctx, job: string, version: number, opts: { wait: number }) => revertCommand(ctx, job, version, { waitMs: opts.wait })));

program
  .command('alloc-health')
  .description("set an allocation's health by hand (Pod annotation caravan.dev/health), like the deployment allocation-health API")
  .argument('<alloc>', 'the Pod name, or a unique prefix of the allocation ID (Pod UID)')
  .addOption(new Option('--healthy', 'mark it healthy').conflicts('unhealthy'))
  .addOption(new Option('--unhealthy', 'mark it unhealthy (fails the deployment)').conflicts('healthy'))
  .action(
    run((ctx, alloc: string, opts: { healthy?: boolean; unhealthy?: boolean }) => {
      if (!opts.healthy && !opts.unhealthy) throw new UserError('say --healthy or --unhealthy');
      return allocHealthCommand(ctx, alloc, opts.healthy ? 'healthy' : 'unhealthy');
    }),
  );

const alloc = program.command('alloc').description("act on an allocation's tasks like `nomad alloc restart` and `nomad alloc signal`, through pods/exec");

alloc
  .command('restart')
  .description('restart tasks in place: SIGTERM to their process 1 (kubectl exec), and the kubelet starts the container again in the same Pod')
  .argument('<alloc>', 'the Pod name, or a unique prefix of the allocation ID (Pod UID)')
  .argument('[task]', 'the task (container) to restart; default: every running task')
  .option('--task <task>', "the task to restart (as Nomad's -task)")
  .option('--all-tasks', 'restart every task; refused when a prestart task has finished (Kubernetes never runs it again)')
  .action(
    run((ctx, ref: string, task: string | undefined, opts: { task?: string; allTasks?: boolean }) =>
      allocRestartCommand(ctx, ref, opts.task ?? task, { ...(opts.allTasks ? { allTasks: true } : {}) }),
    ),
  );

alloc
  .command('signal')
  .description('send a signal to the process 1 of a task (or every running task), through kubectl exec: kill -s <signal> 1')
  .argument('<alloc>', 'the Pod name, or a unique prefix of the allocation ID (Pod UID)')
  .argument('[task]', 'the task (container); default: every task')
  .requiredOption(
    '-s, --signal <signal>',
    "the signal, by Nomad's name (SIGHUP, SIGUSR1, ...); SIGKILL and SIGSTOP cannot reach a container's process 1 from inside",
  )
  .option('--task <task>', "the task to signal (as Nomad's -task)")
  .action(
    run((ctx, ref: string, task: string | undefined, opts: { signal: string; task?: string }) =>
      allocSignalCommand(ctx, ref, opts.task ?? task, { signal: opts.signal }),
    ),
  );

const periodic = program.command('periodic').description('act on a periodic job like `nomad job periodic`');

periodic
  .command('force')
  .description('launch the periodic job now, like `nomad job periodic force` (prohibitOverlap does not stop it)')
  .argument('<job>', 'the periodic NomadJob')
  .action(run((ctx, job: string) => periodicForceCommand(ctx, job)));

program
  .command('dispatch')
  .description('dispatch a parameterized job, like `nomad job dispatch`: a child NomadJob, its payload in a Secret the child owns')
  .argument('<job>', 'the parameterized NomadJob')
  .argument('[payload]', 'a file with the payload, or - for stdin')
  .option('--meta <key=value>', 'a meta value (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
  .option('--id-prefix-template <prefix>', "put this in the child's ID (dispatch-<prefix>-<unix>-<hex>)")
  .action(
    run((ctx, job: string, payloadFile: string | undefined, opts: { meta: string[]; idPrefixTemplate?: string }) =>
      dispatchCommand(ctx, job, payloadFile === undefined ? Buffer.alloc(0) : readFileSync(payloadFile === '-' ? 0 : payloadFile), {
        meta: parseMeta(opts.meta),
        ...(opts.idPrefixTemplate ? { idPrefixTemplate: opts.idPrefixTemplate } : {}),
      }),
    ),
  );

program
  .command('watch')
  .description('follow the latest deployment until it ends. Exit code: 0 successful (or no deployment), 1 failed, 2 cancelled, gone or timed out')
  .argument('<job>', 'the NomadJob')
  .addOption(deploymentOption())
  .addOption(new Option('--timeout <duration>', 'give up after this long (exit code 2); default: never').argParser(parseTimeout))
  .addOption(new Option('--interval <duration>', 'how often to look (100ms to 1h)').default(1000, '1s').argParser(parseInterval))
  .action(
    run((ctx, job: string, opts: { deployment?: string; timeout?: number; interval: number }) =>
      watchCommand(ctx, job, {
        ...(opts.deployment ? { deployment: opts.deployment } : {}),
        ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
        intervalMs: opts.interval,
      }),
    ),
  );

/** An API error as kubectl prints one: the server's message, not the client's wrapping. */
function describeError(error: unknown): string {
  if (error instanceof UserError) return error.message;
  const status = kubernetesErrorStatus(error);
  if (status) return formatKubernetesError(status);
  return error instanceof Error ? error.message : String(error);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has printed the message; --help and --version exit with 0, bad usage with 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}
