import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/controller/work-queue.ts';
import { ControllerMetrics } from '../../../src/metrics/controller-metrics.ts';
import type { NomadDeployment } from '../../../src/resources/nomad-deployment.ts';

function deploymentObject(
  job: string,
  version: number,
  status: string,
  counters: Partial<Record<'desiredTotal' | 'placedAllocs' | 'healthyAllocs' | 'unhealthyAllocs', number>> & { canaries?: number } = {},
): NomadDeployment {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadDeployment',
    metadata: { name: `${job}-v${version}`, namespace: 'shop', uid: `uid-${job}-${version}` },
    spec: { job, jobVersion: version },
    status: {
      status: status as 'running',
      taskGroups: {
        frontend: {
          autoRevert: false,
          autoPromote: false,
          progressDeadline: '10m',
          promoted: false,
          desiredCanaries: 1,
          placedCanaries: Array.from({ length: counters.canaries ?? 0 }, (_, i) => `c${i}`),
          desiredTotal: counters.desiredTotal ?? 3,
          placedAllocs: counters.placedAllocs ?? 0,
          healthyAllocs: counters.healthyAllocs ?? 0,
          unhealthyAllocs: counters.unhealthyAllocs ?? 0,
        },
      },
    },
  };
}

/** The value of one series in the Prometheus text format, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('controller metrics', () => {
  it("exposes controller-runtime's names from the start, so dashboards and alerts see zeros rather than nothing", async () => {
    const text = await new ControllerMetrics().registry.metrics();
    for (const series of [
      'controller_runtime_reconcile_total{controller="nomadjob",result="success"}',
      'controller_runtime_reconcile_total{controller="nomadjob",result="error"}',
      'controller_runtime_reconcile_errors_total{controller="nomadjob"}',
      'workqueue_depth{name="nomadjob"}',
      'workqueue_adds_total{name="nomadjob"}',
      'workqueue_retries_total{name="nomadjob"}',
      'leader_election_master_status{name="caravan-controller"}',
    ]) {
      expect(sample(text, series), series).toBe(0);
    }
    for (const name of [
      'controller_runtime_reconcile_time_seconds',
      'workqueue_queue_duration_seconds',
      'workqueue_work_duration_seconds',
      'rest_client_requests_total',
      'caravan_deployment_duration_seconds',
      'caravan_promotions_total',
      'caravan_reverts_total',
      'caravan_time_to_first_healthy_canary_seconds',
      'caravan_deployments',
      'caravan_allocations',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts reconciles by result, errors, and times them', async () => {
    const m = new ControllerMetrics();
    m.reconciled('success', 0.02);
    m.reconciled('requeue_after', 0.01);
    m.reconciled('error', 0.5);
    const text = await m.registry.metrics();
    expect(sample(text, 'controller_runtime_reconcile_total{controller="nomadjob",result="success"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_total{controller="nomadjob",result="requeue_after"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_errors_total{controller="nomadjob"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_time_seconds_count{controller="nomadjob"}')).toBe(3);
  });

  it('follows the work queue: adds, retries, depth, time queued and time working', async () => {
    const m = new ControllerMetrics();
    const q = new WorkQueue({ concurrency: 1, baseBackoffMs: 1, observer: m.queueObserver });
    m.observe({ queueDepth: () => q.depth, deployments: () => [] });
    q.add('shop/web');
    q.add('shop/web'); // already queued: not another add
    q.add('shop/api');
    expect(sample(await m.registry.metrics(), 'workqueue_depth{name="nomadjob"}')).toBe(2);
    let failures = 0;
    q.start(async (key) => {
      if (key === 'shop/api' && failures++ === 0) throw new Error('conflict');
    });
    await new Promise((r) => setTimeout(r, 50));
    await q.idle();
    const text = await m.registry.metrics();
    expect(sample(text, 'workqueue_adds_total{name="nomadjob"}')).toBe(3); // web, api, api again after its retry
    expect(sample(text, 'workqueue_retries_total{name="nomadjob"}')).toBe(1);
    expect(sample(text, 'workqueue_work_duration_seconds_count{name="nomadjob"}')).toBe(3);
    expect(sample(text, 'workqueue_queue_duration_seconds_count{name="nomadjob"}')).toBe(3);
    expect(sample(text, 'workqueue_depth{name="nomadjob"}')).toBe(0);
    await q.shutdown();
  });

  it("reports controller-runtime's in-flight gauges: active workers, max concurrent reconciles, unfinished work", async () => {
    const m = new ControllerMetrics();
    const q = new WorkQueue({ concurrency: 2, observer: m.queueObserver });
    m.observe({ queueDepth: () => q.depth, deployments: () => [], maxConcurrentReconciles: 2 });
    let release: () => void = () => {};
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    q.start(() => blocked.then(() => undefined));
    q.add('shop/web');
    q.add('shop/api');
    await new Promise((r) => setTimeout(r, 60));
    const during = await m.registry.metrics();
    expect(sample(during, 'controller_runtime_active_workers{controller="nomadjob"}')).toBe(2);
    expect(sample(during, 'controller_runtime_max_concurrent_reconciles{controller="nomadjob"}')).toBe(2);
    expect(sample(during, 'workqueue_unfinished_work_seconds{name="nomadjob"}')).toBeGreaterThanOrEqual(0.1);
    release();
    await q.idle();
    const after = await m.registry.metrics();
    expect(sample(after, 'controller_runtime_active_workers{controller="nomadjob"}')).toBe(0);
    expect(sample(after, 'workqueue_unfinished_work_seconds{name="nomadjob"}')).toBe(0);
    await q.shutdown();
  });

  it('never uses the label `job`, which Prometheus sets to the scrape job (issue 16)', async () => {
    const m = new ControllerMetrics();
    m.observe({ queueDepth: () => 0, deployments: () => [deploymentObject('web', 1, 'running', { canaries: 1 })] });
    m.rollout('shop', 'web', [{ kind: 'reverted' }]);
    const text = await m.registry.metrics();
    expect(text).toContain('nomad_job="web"');
    expect(text.split('\n').filter((l) => /[{,]job=/.test(l))).toEqual([]);
  });

  it("reports rollouts with bounded labels: deployments by status, and the latest deployment's allocations per group", async () => {
    const m = new ControllerMetrics();
    m.observe({
      queueDepth: () => 0,
      deployments: () => [
        deploymentObject('web', 0, 'successful', { placedAllocs: 3, healthyAllocs: 3 }),
        deploymentObject('web', 1, 'running', { placedAllocs: 1, healthyAllocs: 1, canaries: 1 }),
        deploymentObject('api', 4, 'failed', { placedAllocs: 2, unhealthyAllocs: 2 }),
      ],
    });
    const text = await m.registry.metrics();
    expect(sample(text, 'caravan_deployments{namespace="shop",nomad_job="web",status="successful"}')).toBe(1);
    expect(sample(text, 'caravan_deployments{namespace="shop",nomad_job="web",status="running"}')).toBe(1);
    expect(sample(text, 'caravan_deployments{namespace="shop",nomad_job="api",status="failed"}')).toBe(1);
    expect(sample(text, 'caravan_allocations{namespace="shop",nomad_job="web",task_group="frontend",state="canary"}')).toBe(1);
    expect(sample(text, 'caravan_allocations{namespace="shop",nomad_job="web",task_group="frontend",state="placed"}')).toBe(1);
    expect(sample(text, 'caravan_allocations{namespace="shop",nomad_job="api",task_group="frontend",state="unhealthy"}')).toBe(2);
    expect(text).not.toMatch(/uid-|web-v1/); // never a deployment ID or name as a label
  });

  it('records rollout milestones, the REST client and leadership', async () => {
    const m = new ControllerMetrics();
    m.rollout('shop', 'web', [
      { kind: 'first-healthy-canary', group: 'frontend', seconds: 12 },
      { kind: 'promoted', group: 'frontend' },
      { kind: 'finished', outcome: 'successful', seconds: 95 },
    ]);
    m.rollout('shop', 'api', [{ kind: 'reverted' }, { kind: 'finished', outcome: 'reverted', seconds: 300 }]);
    m.request('patch', 200, '127.0.0.1:6443');
    m.request('GET', 'error', '127.0.0.1:6443');
    m.leading(true);
    const text = await m.registry.metrics();
    expect(sample(text, 'caravan_promotions_total{namespace="shop",nomad_job="web",task_group="frontend"}')).toBe(1);
    expect(sample(text, 'caravan_reverts_total{namespace="shop",nomad_job="api"}')).toBe(1);
    expect(sample(text, 'caravan_deployment_duration_seconds_count{namespace="shop",outcome="successful"}')).toBe(1);
    expect(sample(text, 'caravan_deployment_duration_seconds_sum{namespace="shop",outcome="reverted"}')).toBe(300);
    expect(sample(text, 'caravan_time_to_first_healthy_canary_seconds_sum{namespace="shop"}')).toBe(12);
    expect(sample(text, 'rest_client_requests_total{method="PATCH",code="200",host="127.0.0.1:6443"}')).toBe(1);
    expect(sample(text, 'rest_client_requests_total{method="GET",code="error",host="127.0.0.1:6443"}')).toBe(1);
    expect(sample(text, 'leader_election_master_status{name="caravan-controller"}')).toBe(1);
  });

  it.each([
    [0, 0],
    [1, 1],
    [3, 1],
  ])('with %d shards held, caravan_controller_shards_owned says so and leading is %d (issue 15 §5)', async (held, leading) => {
    const m = new ControllerMetrics();
    m.shardsOwned(held);
    const text = await m.registry.metrics();
    expect(sample(text, 'caravan_controller_shards_owned')).toBe(held);
    expect(sample(text, 'leader_election_master_status{name="caravan-controller"}')).toBe(leading);
  });
});
