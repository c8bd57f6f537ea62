import type { KubeConfig } from '@kubernetes/client-node';
import { Option, type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { runController, type RunningController } from '../controller/controller.ts';
import { apiServerLocation, explainKubernetesError, loadKubeConfig } from '../kube/client.ts';
import { createClusterCaches } from '../kube/cluster-caches.ts';
import { installCrds } from '../kube/install-crds.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import { observeRequests } from '../kube/request-metrics.ts';
import { createLogger, logLevels, type Logger, type LogLevel } from '../log/logger.ts';
import { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import { KubernetesAccess } from '../api/kubernetes-access.ts';
import { nomadApiRoutes } from '../api/routes/index.ts';
import { startNomadApi } from '../api/server.ts';
import { TableIndexes } from '../api/table-indexes.ts';
import { ClusterView } from '../api/cluster-view.ts';
import { CfView } from '../api/cf/cf-view.ts';
import { cfApiRoutes } from '../api/cf/routes/index.ts';
import { startCfApi } from '../api/cf/server.ts';
import { readFileSync } from 'node:fs';
import { parseConcurrency, parseGoDurationMs, parseLeaseSeconds, parseServePort } from './option-values.ts';

export interface ControllerRun {
  readonly kubeconfig: string | undefined;
  readonly concurrency: number;
  /** Where the leader-election Lease lives (the controller's own namespace in a cluster). */
  readonly leaseNamespace?: string;
  readonly leaseDurationSeconds?: number;
  /** /metrics, /healthz and /readyz; 0 picks a free port, -1 serves none. */
  readonly metricsPort?: number;
  readonly logLevel?: LogLevel;
  /** The Nomad-compatible HTTP API; -1 serves none. */
  readonly apiPort?: number;
  readonly apiTls?: { readonly certFile: string; readonly keyFile: string };
  /** The Cloud Foundry v3 view (issue 14); -1 serves none. */
  readonly cfApiPort?: number;
  readonly cfApiTls?: { readonly certFile: string; readonly keyFile: string };
  /** Nomad's job_gc_threshold for dead children of periodic and parameterized jobs. */
  readonly jobGcThresholdMs?: number;
}

/**
 * Runs the controller while it holds the leader Lease (one active replica, the others on
 * standby), until SIGTERM or SIGINT: then it finishes the reconciles under way and hands the
 * Lease back. Losing the Lease exits the process, so a deposed leader never acts again.
 * Metrics and probes are served from the start, by the standby too.
 */
export async function runControllerUntilSignalled(opts: ControllerRun): Promise<void> {
  const kc = loadKubeConfig(opts.kubeconfig);
  const apiServer = apiServerLocation(kc, opts.kubeconfig);
  const logger = createLogger({ ...(opts.logLevel ? { level: opts.logLevel } : {}), apiServer });
  try {
    await runReplica(kc, logger, opts);
  } catch (error) {
    throw explainKubernetesError(error, apiServer);
  }
}

/** One replica: serves metrics and the Nomad API from warm caches, and reconciles while it leads. */
async function runReplica(kc: KubeConfig, logger: Logger, opts: ControllerRun): Promise<void> {
  const metrics = new ControllerMetrics();
  observeRequests(kc, (method, code, host) => metrics.request(method, code, host));
  // Every replica keeps warm caches (the HTTP API reads them); only the leader reconciles.
  const cluster = createClusterCaches(kc, { logger });
  let controller: RunningController | undefined;
  let leader = false;
  const metricsPort = opts.metricsPort ?? 8080;
  const server =
    metricsPort >= 0
      ? await startMetricsServer(
          metrics.registry,
          { live: () => true, ready: () => cluster.synced && (!leader || controller !== undefined) },
          { port: metricsPort },
        )
      : undefined;
  if (server) logger.info({ port: server.port }, `serving /metrics, /healthz and /readyz on port ${server.port}`);
  await installCrds(kc);
  await cluster.start();
  logger.info({ jobs: cluster.caches.jobs.size, pods: cluster.caches.pods.size }, 'caches synced');
  const elector = new LeaderElector({
    kc,
    namespace: opts.leaseNamespace ?? process.env['POD_NAMESPACE'] ?? 'default',
    name: 'caravan-controller',
    identity: `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    ...(opts.leaseDurationSeconds
      ? {
          leaseDurationSeconds: opts.leaseDurationSeconds,
          renewDeadlineMs: Math.max(2_000, opts.leaseDurationSeconds * 650),
          retryPeriodMs: Math.max(500, opts.leaseDurationSeconds * 130),
        }
      : {}),
    log: (line) => logger.info(line),
  });
  const apiPort = opts.apiPort ?? 4646;
  const indexes = new TableIndexes(cluster);
  const view = new ClusterView(cluster);
  const api =
    apiPort >= 0
      ? await startNomadApi(
          { kc, cluster, indexes, access: new KubernetesAccess(kc), knownLeader: () => leader || elector.leaderKnown, logger },
          nomadApiRoutes(view),
          {
            port: apiPort,
            ...(opts.apiTls ? { tls: { cert: readFileSync(opts.apiTls.certFile, 'utf8'), key: readFileSync(opts.apiTls.keyFile, 'utf8') } } : {}),
          },
        )
      : undefined;
  if (api) logger.info({ port: api.port }, `serving the Nomad API on port ${api.port}${opts.apiTls ? ' (TLS)' : ''}`);
  const cfApiPort = opts.cfApiPort ?? 9022;
  const cfApi =
    cfApiPort >= 0
      ? await startCfApi({ kc, cf: new CfView(view), indexes, access: new KubernetesAccess(kc), logger }, cfApiRoutes, {
          port: cfApiPort,
          ...(opts.cfApiTls ? { tls: { cert: readFileSync(opts.cfApiTls.certFile, 'utf8'), key: readFileSync(opts.cfApiTls.keyFile, 'utf8') } } : {}),
        })
      : undefined;
  if (cfApi) logger.info({ port: cfApi.port }, `serving the Cloud Foundry v3 API on port ${cfApi.port}${opts.cfApiTls ? ' (TLS)' : ''}`);
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const leading = elector.run(
    async () => {
      leader = true;
      metrics.leading(true);
      controller = await runController(kc, {
        concurrency: opts.concurrency,
        logger,
        metrics,
        caches: cluster,
        ...(opts.jobGcThresholdMs !== undefined ? { jobGcThresholdMs: opts.jobGcThresholdMs } : {}),
      });
    },
    () => {
      metrics.leading(false);
      logger.error('leadership lost: exiting so that only the new leader acts');
      process.exit(1);
    },
  );
  const signal = await Promise.race([signalled, leading.then(() => 'stopped')]);
  logger.info(`${signal}: finishing reconciles under way`);
  await api?.close();
  await cfApi?.close();
  await controller?.stop();
  await elector.stop();
  indexes.close();
  view.close();
  cluster.stop();
  metrics.leading(false);
  await server?.close();
  logger.info('stopped');
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the Caravan controller against $KUBECONFIG (or in-cluster); installs the CRDs')
    .option('--concurrency <n>', 'jobs reconciled at once (1 to 1000)', parseConcurrency, 4)
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease (default: $POD_NAMESPACE or default)')
    .option(
      '--lease-duration <seconds>',
      'leader lease duration (1 to 3600); a standby takes over this long after the leader stops renewing',
      parseLeaseSeconds,
      15,
    )
    .option('--metrics-port <port>', 'port for /metrics, /healthz and /readyz (0: any free port, -1: none)', parseServePort, 8080)
    .addOption(logLevelOption())
    .option('--api-port <port>', 'port of the Nomad-compatible HTTP API (0: any free port, -1: none)', parseServePort, 4646)
    .option('--api-tls-cert <file>', 'serve the Nomad API over TLS with this certificate (PEM)')
    .option('--api-tls-key <file>', 'the private key for --api-tls-cert (PEM)')
    .option('--cf-api-port <port>', 'port of the Cloud Foundry v3 API (0: any free port, -1: none)', parseServePort, 9022)
    .option('--cf-api-tls-cert <file>', 'serve the Cloud Foundry API over TLS with this certificate (PEM)')
    .option('--cf-api-tls-key <file>', 'the private key for --cf-api-tls-cert (PEM)')
    .option(
      '--job-gc-threshold <duration>',
      "dead children of periodic and parameterized jobs are deleted this long after they were launched (Nomad's job_gc_threshold)",
      parseGoDurationMs,
      4 * 3600_000,
    )
    .action(
      async (opts: {
        concurrency: number;
        leaseNamespace?: string;
        leaseDuration: number;
        metricsPort: number;
        logLevel: LogLevel;
        apiPort: number;
        apiTlsCert?: string;
        apiTlsKey?: string;
        cfApiPort: number;
        cfApiTlsCert?: string;
        cfApiTlsKey?: string;
        jobGcThreshold: number;
      }) => {
        if (Boolean(opts.apiTlsCert) !== Boolean(opts.apiTlsKey)) throw new Error('--api-tls-cert and --api-tls-key go together');
        if (Boolean(opts.cfApiTlsCert) !== Boolean(opts.cfApiTlsKey)) throw new Error('--cf-api-tls-cert and --cf-api-tls-key go together');
        await runControllerUntilSignalled({
          kubeconfig: process.env['KUBECONFIG'],
          concurrency: opts.concurrency,
          ...(opts.leaseNamespace ? { leaseNamespace: opts.leaseNamespace } : {}),
          leaseDurationSeconds: opts.leaseDuration,
          metricsPort: opts.metricsPort,
          logLevel: opts.logLevel,
          apiPort: opts.apiPort,
          ...(opts.apiTlsCert && opts.apiTlsKey ? { apiTls: { certFile: opts.apiTlsCert, keyFile: opts.apiTlsKey } } : {}),
          cfApiPort: opts.cfApiPort,
          jobGcThresholdMs: opts.jobGcThreshold,
          ...(opts.cfApiTlsCert && opts.cfApiTlsKey ? { cfApiTls: { certFile: opts.cfApiTlsCert, keyFile: opts.cfApiTlsKey } } : {}),
        });
      },
    );
}

/** --log-level, checked against pino's levels when the command line is read. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'how much to log').choices(logLevels).default('info');
}
