import type { Command } from 'commander';
import { pino } from 'pino';
import { runController } from '../controller/controller.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { installCrds } from '../kube/install-crds.ts';

export interface ControllerRun {
  readonly kubeconfig: string | undefined;
  readonly concurrency: number;
}

/** Runs the controller until SIGTERM or SIGINT, then finishes the reconciles under way. */
export async function runControllerUntilSignalled(opts: ControllerRun): Promise<void> {
  const logger = pino({ name: 'caravan' });
  const kc = loadKubeConfig(opts.kubeconfig);
  await installCrds(kc);
  const controller = await runController(kc, { concurrency: opts.concurrency, log: (line) => logger.info(line) });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal}: finishing reconciles under way`);
      void controller.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the Caravan controller against $KUBECONFIG (or in-cluster); installs the CRDs')
    .option('--concurrency <n>', 'jobs reconciled at once', (v) => Number(v), 4)
    .action(async (opts: { concurrency: number }) => {
      await runControllerUntilSignalled({ kubeconfig: process.env['KUBECONFIG'], concurrency: opts.concurrency });
    });
}
