import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { freePort, startController } from './controller-process.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const nd = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments' };

/** Every series in a scrape, as `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
  );
}

/** The sum over the series of `name` whose labels include all of `labels`. */
function total(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of series) {
    const brace = key.indexOf('{');
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}

const web = (image: string): NomadJobSpec => ({
  update: { maxParallel: 1, canary: 1, minHealthyTime: '1s', healthyDeadline: '30s', progressDeadline: '2m' },
  taskGroups: [{ name: 'frontend', count: 3, tasks: [{ name: 'nginx', driver: 'docker', config: { image } }] }],
});

describe('metrics on a real rollout', () => {
  it('/metrics shows the controller, the work queue, the REST client, leadership and the rollout as it happens', async () => {
    const namespace = await freshNamespace(core, 'metrics');
    const port = await freePort();
    const controller = startController(namespace, 2, port);
    const scrape = async () => parse(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    try {
      await waitFor('/healthz', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ? true : undefined), 30_000);
      await custom.createNamespacedCustomObject({
        ...nj,
        namespace,
        body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name: 'web' }, spec: web('nginx:1') },
      });
      await waitFor(
        'version 0',
        async () =>
          ((await custom.getNamespacedCustomObject({ ...nj, namespace, name: 'web' })) as NomadJob & { status?: { stableVersion?: number } }).status
            ?.stableVersion === 0
            ? true
            : undefined,
        90_000,
        500,
      );
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'web', body: [{ op: 'replace', path: '/spec', value: web('nginx:2') }] });
      const job = { namespace, nomad_job: 'web' };
      const waiting = await waitFor(
        'the canary, healthy and waiting for promotion, in the metrics',
        async () => {
          const s = await scrape();
          // The gauges follow the cache; the histogram is recorded when the reconcile that wrote it ends.
          const healthy =
            total(s, 'caravan_allocations', { ...job, state: 'canary' }) === 1 && total(s, 'caravan_allocations', { ...job, state: 'healthy' }) === 1;
          return healthy && total(s, 'caravan_time_to_first_healthy_canary_seconds_count', { namespace }) === 1 ? s : undefined;
        },
        60_000,
        500,
      );
      expect(total(waiting, 'caravan_deployments', { ...job, status: 'running' })).toBe(1);
      expect(total(waiting, 'caravan_deployments', { ...job, status: 'successful' })).toBe(1);
      expect(total(waiting, 'caravan_allocations', { ...job, task_group: 'frontend', state: 'desired' })).toBe(3);
      expect(total(waiting, 'caravan_time_to_first_healthy_canary_seconds_count', { namespace })).toBe(1);
      expect(total(waiting, 'caravan_promotions_total', job)).toBe(0);

      await custom.patchNamespacedCustomObject({ ...nd, namespace, name: 'web-v1', body: [{ op: 'add', path: '/spec/promote', value: { all: true } }] });
      const done = await waitFor(
        'the rollout to end in the metrics',
        async () => {
          const s = await scrape();
          // The gauge follows the cache, the histogram the end of the reconcile that wrote it.
          return total(s, 'caravan_deployments', { ...job, status: 'successful' }) === 2 &&
            total(s, 'caravan_deployment_duration_seconds_count', { namespace, outcome: 'successful' }) === 2
            ? s
            : undefined;
        },
        120_000,
        500,
      );
      expect(total(done, 'caravan_promotions_total', { ...job, task_group: 'frontend' })).toBe(1);
      expect(total(done, 'caravan_deployment_duration_seconds_count', { namespace, outcome: 'successful' })).toBe(2);
      expect(total(done, 'caravan_reverts_total', job)).toBe(0);
      expect(total(done, 'caravan_allocations', { ...job, state: 'healthy' })).toBe(3);
      expect(
        total(done, 'controller_runtime_reconcile_total', { controller: 'nomadjob', result: 'success' }) +
          total(done, 'controller_runtime_reconcile_total', { controller: 'nomadjob', result: 'requeue_after' }),
      ).toBeGreaterThan(5);
      expect(total(done, 'controller_runtime_reconcile_time_seconds_count', { controller: 'nomadjob' })).toBeGreaterThan(5);
      expect(total(done, 'workqueue_adds_total', { name: 'nomadjob' })).toBeGreaterThan(5);
      expect(total(done, 'workqueue_work_duration_seconds_count', { name: 'nomadjob' })).toBeGreaterThan(5);
      expect(total(done, 'rest_client_requests_total', { method: 'POST', code: '201' })).toBeGreaterThanOrEqual(6); // 6 Pods, versions, deployments, events
      expect(total(done, 'rest_client_requests_total', { method: 'PATCH', code: '200' })).toBeGreaterThan(0);
      expect(total(done, 'leader_election_master_status', { name: 'caravan-controller' })).toBe(1);
      expect(total(done, 'controller_runtime_max_concurrent_reconciles', { controller: 'nomadjob' })).toBeGreaterThan(0);
      expect(done.has('controller_runtime_active_workers{controller="nomadjob"}')).toBe(true);
      expect(done.has('workqueue_unfinished_work_seconds{name="nomadjob"}')).toBe(true);
      // The job's label is nomad_job: Prometheus owns `job` (the scrape job).
      expect([...done.keys()].filter((k) => k.startsWith('caravan_') && /[{,]job=/.test(k))).toEqual([]);
      // Bounded labels: no Pod name or deployment ID anywhere in the caravan_ family.
      const caravanSeries = [...done.keys()].filter((k) => k.startsWith('caravan_'));
      expect(caravanSeries.some((k) => /web-frontend|web-v\d|[0-9a-f]{8}-[0-9a-f]{4}-/.test(k))).toBe(false);
    } finally {
      controller.kill('SIGTERM');
    }
  });
});
