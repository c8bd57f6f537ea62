import type { KubeConfig } from '@kubernetes/client-node';
import { Option, type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { defaultConcurrency, runController, type RunningController } from '../controller/controller.ts';
import { apiServerLocation, explainKubernetesError, loadKubeConfig } from '../kube/client.ts';
import { createClusterCaches, type ClusterCaches } from '../kube/cluster-caches.ts';
import { installCrds } from '../kube/install-crds.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import { ShardLeases } from '../kube/shard-leases.ts';
import { ShardCoordinator } from '../controller/shard-coordinator.ts';
import { limitRequests } from '../kube/http-transport.ts';
import { observeRequests } from '../kube/request-metrics.ts';
import { createLogger, logLevels, type Logger, type LogLevel } from '../log/logger.ts';
import { startHeapRelease } from '../runtime/heap-release.ts';
import { ControllerMetrics } from '../metrics/controller-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.ts';
import { KubernetesAccess } from '../api/kubernetes-access.ts';
import { nomadApiRoutes } from '../api/routes/index.ts';
import { startNomadApi, type RunningNomadApi } from '../api/server.ts';
import { TableIndexes } from '../api/table-indexes.ts';
import { ClusterView } from '../api/cluster-view.ts';
import { CfView } from '../api/cf/cf-view.ts';
import { cfApiRoutes } from '../api/cf/routes/index.ts';
import { startCfApi, type RunningCfApi } from '../api/cf/server.ts';
import { readFileSync } from 'node:fs';
import { parseConcurrency, parseGoDurationMs, parseKubeApiRate, parseLeaseSeconds, parseServePort, parseShards } from './option-values.ts';

export interface ControllerRun {
  readonly kubeconfig: string | undefined;
  readonly concurrency: number;
  /** Where the leader-election Lease lives (the controller's own namespace in a cluster). */
  readonly leaseNamespace?: string;
  readonly leaseDurationSeconds?: number;
  /** `--shards`: replicas split the jobs this many ways (issue 15 §5); 1 keeps one leader. */
  readonly shards?: number;
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
  /** The client-side rate limit of the controller's API requests (client-go's --kube-api-qps and --kube-api-burst). */
  readonly kubeApiQps?: number;
  readonly kubeApiBurst?: number;
}

/**
 * The controller's client-side rate limit by default: well above what 1,000 jobs rolling out at
 * once ask for on the local cluster (docs/performance.md), and below what would starve the API
 * server's other clients, like kube-scheduler's 500/1000 on the local cluster.
 */
export const defaultKubeApiQps = 500;
export const defaultKubeApiBurst = 1000;

/**
 * Runs the controller while it holds the leader Lease (one active replica, the others on
 * standby), until SIGTERM or SIGINT: then it finishes the reconciles under way and hands the
 * Lease back. Losing the Lease exits the process, so a deposed leader never acts again.
 * Metrics and probes are served from the start, by the standby too. With `--shards` above 1,
 * replicas share the jobs instead: each holds some shards' Leases (docs/sharding.md).
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
  limitRequests(kc, opts.kubeApiQps ?? defaultKubeApiQps, opts.kubeApiBurst ?? defaultKubeApiBurst);
  // Every replica keeps warm caches (the HTTP API reads them); only the leader, or with --shards
  // the holder of a job's shard, reconciles.
  const cluster = createClusterCaches(kc, { logger });
  const leadership: Leadership = { leader: false, controller: undefined };
  const replica: ReplicaContext = { kc, opts, logger, metrics, cluster, leadership };
  const server = await serveProbes(metrics, cluster, leadership, opts, logger);
  await installCrds(kc);
  await cluster.start();
  logger.info({ jobs: cluster.caches.jobs.size, pods: cluster.caches.pods.size }, 'caches synced');
  const acting = (opts.shards ?? 1) > 1 ? await shareJobs(replica) : leadAlone(replica);
  const served: Served = { kc, cluster, indexes: new TableIndexes(cluster), view: new ClusterView(cluster), logger };
  const api = await serveNomadApi(served, () => leadership.leader || acting.leaderKnown(), opts);
  const cfApi = await serveCfApi(served, opts);
  // A burst of reconciles leaves V8's freed pages resident; give them back once the heap shrinks.
  const stopHeapRelease = startHeapRelease({ logger, busy: () => leadership.controller?.queue.busy ?? false });
  const signalled = untilSignalled();
  const signal = await Promise.race([signalled, acting.ended.then(() => 'stopped')]);
  logger.info(`${signal}: finishing reconciles under way`);
  await api?.close();
  await cfApi?.close();
  stopHeapRelease();
  await acting.stop();
  await leadership.controller?.stop();
  served.indexes.close();
  served.view.close();
  cluster.stop();
  metrics.shardsOwned(0);
  await server?.close();
  logger.info('stopped');
}

/** How a replica takes its part of the work: leading alone, or sharing shards. */
interface Acting {
  /** Whether some replica acts, as far as this one knows (Nomad's KnownLeader). */
  leaderKnown(): boolean;
  /** Resolves if acting ends by itself. */
  readonly ended: Promise<unknown>;
  /** Finishes the reconciles under way and hands the Lease(s) back. */
  stop(): Promise<void>;
}

/** `--shards 1`: one leader on the caravan-controller Lease, exactly as before sharding. */
function leadAlone(replica: ReplicaContext): Acting {
  const { kc, opts, logger, metrics, leadership } = replica;
  const elector = leaderElector(kc, opts, logger);
  const ended = elector.run(
    () => lead(replica),
    () => {
      metrics.shardsOwned(0);
      logger.error('leadership lost: exiting so that only the new leader acts');
      process.exit(1);
    },
  );
  return {
    leaderKnown: () => elector.leaderKnown,
    ended,
    async stop() {
      // The controller first: its reconciles finish before the Lease is handed back.
      await leadership.controller?.stop();
      leadership.controller = undefined;
      await elector.stop();
    },
  };
}

/**
 * `--shards n`: the controller runs from the start over no shard, and the coordinator hands it
 * the shards whose Leases this replica wins, and takes back those it gives up.
 */
async function shareJobs(replica: ReplicaContext): Promise<Acting> {
  const { kc, opts, logger, metrics, leadership } = replica;
  const shards = opts.shards ?? 1;
  const timing = leaseTiming(opts);
  const identity = replicaIdentity();
  const controller = await runController(kc, { ...controllerOptions(replica), shards });
  leadership.controller = controller;
  const coordinator = new ShardCoordinator({
    store: new ShardLeases({ kc, namespace: leaseNamespace(opts), identity, shards, leaseDurationSeconds: timing.leaseDurationSeconds }),
    controller,
    count: shards,
    identity,
    leaseDurationMs: timing.leaseDurationSeconds * 1000,
    renewDeadlineMs: timing.renewDeadlineMs,
    retryPeriodMs: timing.retryPeriodMs,
    logger,
    onHeld: (held) => {
      leadership.leader = held.length > 0;
      metrics.shardsOwned(held.length);
    },
    // Exiting is the one sure way to stop at once: the shard's running reconciles may still be
    // writing, and another replica may take its Lease one lease duration after the last renewal
    // (the renew deadline is shorter). A restarted replica rejoins with fresh caches.
    onLost: (shard, why) => {
      metrics.shardsOwned(0);
      logger.error({ shard }, `shard ${shard} lost (${why}): exiting so that only its new holder acts`);
      process.exit(1);
    },
  });
  logger.info({ identity, shards, namespace: leaseNamespace(opts) }, `sharing the jobs in ${shards} shards (Leases caravan-controller-shard-<i>-of-${shards})`);
  coordinator.start();
  return { leaderKnown: () => coordinator.leaderKnown, ended: new Promise(() => {}), stop: () => coordinator.stop() };
}

/** What a replica's ways of acting (leading alone, sharing shards) start from. */
interface ReplicaContext {
  readonly kc: KubeConfig;
  readonly opts: ControllerRun;
  readonly logger: Logger;
  readonly metrics: ControllerMetrics;
  readonly cluster: ClusterCaches;
  readonly leadership: Leadership;
}

/** The controller's options from the command line, over the caches the replica keeps warm. */
function controllerOptions({ opts, logger, metrics, cluster }: ReplicaContext) {
  return {
    concurrency: opts.concurrency,
    logger,
    metrics,
    caches: cluster,
    ...(opts.jobGcThresholdMs !== undefined ? { jobGcThresholdMs: opts.jobGcThresholdMs } : {}),
  };
}

/** Whether this replica leads, and its controller once that has started. */
interface Leadership {
  leader: boolean;
  controller: RunningController | undefined;
}

/** What the HTTP APIs read from. */
interface Served {
  readonly kc: KubeConfig;
  readonly cluster: ClusterCaches;
  readonly indexes: TableIndexes;
  readonly view: ClusterView;
  readonly logger: Logger;
}

/** /metrics, /healthz and /readyz (ready: caches synced, and a leader's controller started); none with a port below 0. */
async function serveProbes(
  metrics: ControllerMetrics,
  cluster: ClusterCaches,
  leadership: Leadership,
  opts: ControllerRun,
  logger: Logger,
): Promise<MetricsServer | undefined> {
  const metricsPort = opts.metricsPort ?? 8080;
  if (metricsPort < 0) return undefined;
  const ready = () => cluster.synced && (!leadership.leader || leadership.controller !== undefined);
  const server = await startMetricsServer(metrics.registry, { live: () => true, ready }, { port: metricsPort });
  logger.info({ port: server.port }, `serving /metrics, /healthz and /readyz on port ${server.port}`);
  return server;
}

/** The leader election on the caravan-controller Lease; its timings scale with a given lease duration. */
function leaderElector(kc: KubeConfig, opts: ControllerRun, logger: Logger): LeaderElector {
  return new LeaderElector({
    kc,
    namespace: leaseNamespace(opts),
    name: 'caravan-controller',
    identity: replicaIdentity(),
    ...(opts.leaseDurationSeconds ? leaseTiming(opts) : {}),
    log: (line) => logger.info(line),
  });
}

const leaseNamespace = (opts: ControllerRun) => opts.leaseNamespace ?? process.env['POD_NAMESPACE'] ?? 'default';

/** This process among the replicas: its host, pid, and a random tail for pids reused across restarts. */
const replicaIdentity = () => `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** client-go's defaults (15 s, 10 s, 2 s), or timings scaled from a given lease duration. */
function leaseTiming(opts: ControllerRun): { leaseDurationSeconds: number; renewDeadlineMs: number; retryPeriodMs: number } {
  const seconds = opts.leaseDurationSeconds;
  if (!seconds) return { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  return { leaseDurationSeconds: seconds, renewDeadlineMs: Math.max(2_000, seconds * 650), retryPeriodMs: Math.max(500, seconds * 130) };
}

/** A server's certificate and key, read from their files. */
const tlsOf = (files: { readonly certFile: string; readonly keyFile: string } | undefined) =>
  files ? { tls: { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') } } : {};

async function serveNomadApi(served: Served, knownLeader: () => boolean, opts: ControllerRun): Promise<RunningNomadApi | undefined> {
  const { kc, cluster, indexes, view, logger } = served;
  const apiPort = opts.apiPort ?? 4646;
  if (apiPort < 0) return undefined;
  const api = await startNomadApi({ kc, cluster, indexes, access: new KubernetesAccess(kc), knownLeader, logger }, nomadApiRoutes(view), {
    port: apiPort,
    ...tlsOf(opts.apiTls),
  });
  logger.info({ port: api.port }, `serving the Nomad API on port ${api.port}${opts.apiTls ? ' (TLS)' : ''}`);
  return api;
}

async function serveCfApi(served: Served, opts: ControllerRun): Promise<RunningCfApi | undefined> {
  const { kc, indexes, view, logger } = served;
  const cfApiPort = opts.cfApiPort ?? 9022;
  if (cfApiPort < 0) return undefined;
  const cfApi = await startCfApi({ kc, cf: new CfView(view), indexes, access: new KubernetesAccess(kc), logger }, cfApiRoutes, {
    port: cfApiPort,
    ...tlsOf(opts.cfApiTls),
  });
  logger.info({ port: cfApi.port }, `serving the Cloud Foundry v3 API on port ${cfApi.port}${opts.cfApiTls ? ' (TLS)' : ''}`);
  return cfApi;
}

function untilSignalled(): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

/** On winning the Lease: the controller starts, over the caches this replica already keeps warm. */
async function lead(replica: ReplicaContext): Promise<void> {
  const { kc, metrics, leadership } = replica;
  leadership.leader = true;
  metrics.shardsOwned(1);
  leadership.controller = await runController(kc, controllerOptions(replica));
}

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the Caravan controller against $KUBECONFIG (or in-cluster); installs the CRDs')
    .option('--concurrency <n>', 'jobs reconciled at once (1 to 1000)', parseConcurrency, defaultConcurrency)
    .option('--lease-namespace <ns>', 'namespace of the leader-election Lease (default: $POD_NAMESPACE or default)')
    .option(
      '--lease-duration <seconds>',
      'leader lease duration (1 to 3600); a standby takes over this long after the leader stops renewing',
      parseLeaseSeconds,
      15,
    )
    .option('--kube-api-qps <n>', 'requests a second the controller sends to the API server, at most', parseKubeApiRate, defaultKubeApiQps)
    .option('--kube-api-burst <n>', 'requests the controller may send at once above --kube-api-qps', parseKubeApiRate, defaultKubeApiBurst)
    .option('--shards <n>', 'replicas split the jobs this many ways, each shard held by one replica at a time (1 to 256; 1: one leader)', parseShards, 1)
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
        shards: number;
        metricsPort: number;
        logLevel: LogLevel;
        apiPort: number;
        apiTlsCert?: string;
        apiTlsKey?: string;
        cfApiPort: number;
        cfApiTlsCert?: string;
        cfApiTlsKey?: string;
        jobGcThreshold: number;
        kubeApiQps: number;
        kubeApiBurst: number;
      }) => {
        if (Boolean(opts.apiTlsCert) !== Boolean(opts.apiTlsKey)) throw new Error('--api-tls-cert and --api-tls-key go together');
        if (Boolean(opts.cfApiTlsCert) !== Boolean(opts.cfApiTlsKey)) throw new Error('--cf-api-tls-cert and --cf-api-tls-key go together');
        await runControllerUntilSignalled({
          kubeconfig: process.env['KUBECONFIG'],
          concurrency: opts.concurrency,
          ...(opts.leaseNamespace ? { leaseNamespace: opts.leaseNamespace } : {}),
          leaseDurationSeconds: opts.leaseDuration,
          shards: opts.shards,
          metricsPort: opts.metricsPort,
          logLevel: opts.logLevel,
          apiPort: opts.apiPort,
          ...(opts.apiTlsCert && opts.apiTlsKey ? { apiTls: { certFile: opts.apiTlsCert, keyFile: opts.apiTlsKey } } : {}),
          cfApiPort: opts.cfApiPort,
          jobGcThresholdMs: opts.jobGcThreshold,
          kubeApiQps: opts.kubeApiQps,
          kubeApiBurst: opts.kubeApiBurst,
          ...(opts.cfApiTlsCert && opts.cfApiTlsKey ? { cfApiTls: { certFile: opts.cfApiTlsCert, keyFile: opts.cfApiTlsKey } } : {}),
        });
      },
    );
}

/** --log-level, checked against pino's levels when the command line is read. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'how much to log').choices(logLevels).default('info');
}
