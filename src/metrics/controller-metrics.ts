import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { RolloutObservation } from './rollout-transitions.ts';

/** The controller's name in controller-runtime's metric labels. */
export const controllerName = 'nomadjob';

export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What the rollout gauges are computed from at scrape time: the deployments the caches hold. */
export type DeploymentSource = () => Iterable<NomadDeployment>;

const durationBuckets = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

/**
 * Caravan's Prometheus metrics. The controller and work-queue families use controller-runtime's
 * names and labels so existing dashboards and alerts work; the caravan_ family describes rollouts
 * with bounded labels only (namespace, nomad_job, task group: never a Pod or deployment ID).
 * The job's label is nomad_job, not job: Prometheus gives every scraped series its own `job`
 * label (the scrape job) and would rename ours to exported_job (issue 16). `namespace` stays, as
 * kube-state-metrics keeps it: it is the object's namespace, and honorLabels keeps it.
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly queueAdds: Counter<'name'>;
  private readonly queueRetries: Counter<'name'>;
  private readonly queueWait: Histogram<'name'>;
  private readonly queueWork: Histogram<'name'>;
  private readonly restRequests: Counter<'code' | 'method' | 'host'>;
  private readonly leader: Gauge<'name'>;
  private readonly shards: Gauge;
  private readonly deploymentDuration: Histogram<'namespace' | 'outcome'>;
  private readonly promotions: Counter<'namespace' | 'nomad_job' | 'task_group'>;
  private readonly reverts: Counter<'namespace' | 'nomad_job'>;
  private readonly firstHealthyCanary: Histogram<'namespace'>;
  private queueDepth: () => number = () => 0;
  private maxConcurrentReconciles = 0;
  /** Reconciles running now, and the sum of their start times (ms), for the in-flight gauges. */
  private activeWorkers = 0;
  private activeStartedMsSum = 0;
  private deployments: DeploymentSource = () => [];

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const) this.reconcileTotal.inc({ controller: controllerName, result }, 0);
    this.reconcileErrors.inc({ controller: controllerName }, 0);
    const self = this;
    new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
      collect() {
        this.set({ name: controllerName }, self.queueDepth());
      },
    });
    new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
      collect() {
        this.set({ controller: controllerName }, self.activeWorkers);
      },
    });
    new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
      collect() {
        this.set({ controller: controllerName }, self.maxConcurrentReconciles);
      },
    });
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: ['name'],
      registers,
      collect() {
        const ms = self.activeWorkers * Date.now() - self.activeStartedMsSum;
        this.set({ name: controllerName }, Math.max(0, ms) / 1000);
      },
    });
    this.queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    const queueBuckets = [1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1, 1, 10, 100, 1000];
    this.queueWait = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: queueBuckets,
      registers,
    });
    this.queueWork = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name'],
      buckets: queueBuckets,
      registers,
    });
    this.queueAdds.inc({ name: controllerName }, 0);
    this.queueRetries.inc({ name: controllerName }, 0);
    this.restRequests = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests to the Kubernetes API, partitioned by status code, method, and host',
      labelNames: ['code', 'method', 'host'],
      registers,
    });
    this.leader = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    });
    this.leader.set({ name: 'caravan-controller' }, 0);
    this.shards = new Gauge({
      name: 'caravan_controller_shards_owned',
      help: 'Shards of the NomadJobs this replica reconciles (--shards; 1 while it leads with --shards 1)',
      registers,
    });

    new Gauge({
      name: 'caravan_deployments',
      help: 'NomadDeployments by job and Nomad status (running, paused, successful, failed, cancelled)',
      labelNames: ['namespace', 'nomad_job', 'status'],
      registers,
      collect() {
        this.reset();
        for (const d of self.deployments()) {
          if (!d.status?.status) continue;
          this.inc({ namespace: d.metadata.namespace ?? '', nomad_job: d.spec.job, status: d.status.status });
        }
      },
    });
    new Gauge({
      name: 'caravan_allocations',
      help: "Allocations of each job's latest deployment per task group: desired, placed, healthy, unhealthy, canary",
      labelNames: ['namespace', 'nomad_job', 'task_group', 'state'],
      registers,
      collect() {
        this.reset();
        for (const d of latestPerJob(self.deployments())) {
          for (const [group, g] of Object.entries(d.status?.taskGroups ?? {})) {
            const labels = { namespace: d.metadata.namespace ?? '', nomad_job: d.spec.job, task_group: group };
            this.set({ ...labels, state: 'desired' }, g.desiredTotal);
            this.set({ ...labels, state: 'placed' }, g.placedAllocs);
            this.set({ ...labels, state: 'healthy' }, g.healthyAllocs);
            this.set({ ...labels, state: 'unhealthy' }, g.unhealthyAllocs);
            this.set({ ...labels, state: 'canary' }, g.placedCanaries?.length ?? 0);
          }
        }
      },
    });
    // The two histograms are per namespace, not per job: 12 buckets a job made 12,000 series at
    // 1,000 jobs, a 2.3 MB scrape that grew the process by 29 MiB each time (issue 15). A job's own
    // deployments are in the gauges above, the counters below and its NomadDeployments.
    this.deploymentDuration = new Histogram({
      name: 'caravan_deployment_duration_seconds',
      help: "Time from a deployment's creation to its end, by outcome (successful, failed, reverted, cancelled)",
      labelNames: ['namespace', 'outcome'],
      buckets: durationBuckets,
      registers,
    });
    this.promotions = new Counter({
      name: 'caravan_promotions_total',
      help: 'Task groups whose canaries were promoted (manually or automatically)',
      labelNames: ['namespace', 'nomad_job', 'task_group'],
      registers,
    });
    this.reverts = new Counter({
      name: 'caravan_reverts_total',
      help: 'Auto-reverts to the latest stable job version',
      labelNames: ['namespace', 'nomad_job'],
      registers,
    });
    this.firstHealthyCanary = new Histogram({
      name: 'caravan_time_to_first_healthy_canary_seconds',
      help: "Time from a deployment's creation to its first healthy canary, per task group",
      labelNames: ['namespace'],
      buckets: durationBuckets,
      registers,
    });
  }

  /** Where the workqueue depth and the rollout gauges are read from at scrape time. */
  observe(sources: { queueDepth: () => number; deployments: DeploymentSource; maxConcurrentReconciles?: number }): void {
    this.queueDepth = sources.queueDepth;
    this.deployments = sources.deployments;
    if (sources.maxConcurrentReconciles !== undefined) this.maxConcurrentReconciles = sources.maxConcurrentReconciles;
  }

  reconciled(result: ReconcileResult, seconds: number): void {
    this.reconcileTotal.inc({ controller: controllerName, result });
    if (result === 'error') this.reconcileErrors.inc({ controller: controllerName });
    this.reconcileTime.observe({ controller: controllerName }, seconds);
  }

  /** The work queue's hooks: the controller hands them to its queue (a WorkQueueObserver there). */
  readonly queueObserver = {
    added: (): void => this.queueAdds.inc({ name: controllerName }),
    retried: (): void => this.queueRetries.inc({ name: controllerName }),
    started: (waitedMs: number): void => {
      this.queueWait.observe({ name: controllerName }, waitedMs / 1000);
      this.activeWorkers += 1;
      this.activeStartedMsSum += Date.now();
    },
    finished: (workedMs: number): void => {
      this.queueWork.observe({ name: controllerName }, workedMs / 1000);
      this.activeWorkers = Math.max(0, this.activeWorkers - 1);
      // The queue measured workedMs from the same Date.now() clock, so this removes that work's start.
      this.activeStartedMsSum = this.activeWorkers === 0 ? 0 : this.activeStartedMsSum - (Date.now() - workedMs);
    },
  };

  request(method: string, code: number | 'error', host: string): void {
    this.restRequests.inc({ method: method.toUpperCase(), code: String(code), host });
  }

  leading(isLeader: boolean): void {
    this.leader.set({ name: 'caravan-controller' }, isLeader ? 1 : 0);
  }

  /** With --shards: how many this replica holds; it leads while it holds any. */
  shardsOwned(count: number): void {
    this.shards.set(count);
    this.leading(count > 0);
  }

  rollout(namespace: string, job: string, observations: readonly RolloutObservation[]): void {
    const nomad_job = job;
    for (const o of observations) {
      if (o.kind === 'finished') this.deploymentDuration.observe({ namespace, outcome: o.outcome }, o.seconds);
      else if (o.kind === 'promoted') this.promotions.inc({ namespace, nomad_job, task_group: o.group });
      else if (o.kind === 'reverted') this.reverts.inc({ namespace, nomad_job });
      else this.firstHealthyCanary.observe({ namespace }, o.seconds);
    }
  }
}

function latestPerJob(deployments: Iterable<NomadDeployment>): NomadDeployment[] {
  const latest = new Map<string, NomadDeployment>();
  for (const d of deployments) {
    const key = `${d.metadata.namespace}/${d.spec.job}`;
    const seen = latest.get(key);
    if (!seen || seen.spec.jobVersion < d.spec.jobVersion) latest.set(key, d);
  }
  return [...latest.values()];
}
