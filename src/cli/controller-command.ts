import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { runController, type RunningController } from '../controller/controller.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { installCrds } from '../kube/install-crds.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import { observeRequests } from '../kube/request-metrics.ts';
import { createLogger, parseLogLevel, type LogLevel } from '../log/logger.ts';
import { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';

export interface ControllerRun {
  readonly kubeconfig: string | undefined;
  readonly concurrency: number;
  /** Where the leader-election Lease lives (the controller's own namespace in a cluster). */
  readonly leaseNamespace?: string;
  readonly leaseDurationSeconds?: number;
  /** /metrics, /healthz and /readyz; 0 picks a free port, -1 serves none. */
  readonly metricsPort?: number;
  readonly logLevel?: LogLevel;
}

/**
 * Runs the controller while it holds the leader Lease (one active replica, the others on
 * standby), until SIGTERM or SIGINT: then it finishes the reconciles under way and hands the
 * Lease back. Losing the Lease exits the process, so a deposed leader never acts again.
 * Metrics and probes are served from the start, by the standby too.
 */
export async function runControllerUntilSignalled(opts: ControllerRun): Promise<void> {
  const logger = createLogger({ ...(opts.logLevel ? { level: opts.logLevel } : {}) });
  const kc = loadKubeConfig(opts.kubeconfig);
  const metrics = new ControllerMetrics();
  observeRequests(kc, (method, code, host) => metrics.request(method, code, host));
  let controller: RunningController | undefined;
  let leader = false;
  const metricsPort = opts.metricsPort ?? 8080;
  const server = metricsPort >= 0
    ? await startMetricsServer(metrics.registry, { live: () => true, ready: () => !leader || controller !== undefined }, { port: metricsPort })
    : undefined;
  if (server) logger.info({ port: server.port }, `serving /metrics, /healthz and /readyz on port ${server.port}`);
  await installCrds(kc);
  const elector = new LeaderElector({
    kc,
    namespace: opts.leaseNamespace ?? process.env['POD_NAMESPACE'] ?? 'default',
    name: 'caravan-controller',
    identity: `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    ...(opts.leaseDurationSeconds ? { leaseDurationSeconds: opts.leaseDurationSeconds, renewDeadlineMs: Math.max(2_000, opts.leaseDurationSeconds * 650), retryPeriodMs: Math.max(500, opts.leaseDurationSeconds * 130) } : {}),
    log: (line) => logger.info(line),
  });
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const leading = elector.run(
    async () => {
      leader = true;
      metrics.leading(true);
      controller = await runController(kc, { concurrency: opts.concurrency, logger, metrics });
    },
    () => {
      metrics.leading(false);
      logger.error('leadership lost: exiting so that only the new leader acts');
      process.exit(1);
    },
  );
  const signal = await Promise.race([signalled, leading.then(() => 'stopped')]);
  logger.info(`${signal}: finishing reconciles under way`);
  await controller?.stop();
  await elector.stop();
  metrics.leading(false);
  await server?.close();
  logger.info('stopped');
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the Caravan controller against $KUBECONFIG (or in-cluster); installs the CRDs')
    .option('--concurrency <n>', 'jobs reconciled at once', (v) => Number(v), 4)
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease (default: $POD_NAMESPACE or default)')
    .option('--lease-duration <seconds>', 'leader lease duration; a standby takes over this long after the leader stops renewing', (v) => Number(v), 15)
    .option('--metrics-port <port>', 'port for /metrics, /healthz and /readyz (0: any free port, -1: none)', (v) => Number(v), 8080)
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', parseLogLevel, 'info')
    .action(async (opts: { concurrency: number; leaseNamespace?: string; leaseDuration: number; metricsPort: number; logLevel: LogLevel }) => {
      await runControllerUntilSignalled({
        kubeconfig: process.env['KUBECONFIG'],
        concurrency: opts.concurrency,
        ...(opts.leaseNamespace ? { leaseNamespace: opts.leaseNamespace } : {}),
        leaseDurationSeconds: opts.leaseDuration,
        metricsPort: opts.metricsPort,
        logLevel: opts.logLevel,
      });
    });
}
