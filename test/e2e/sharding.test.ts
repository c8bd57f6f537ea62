import { CoordinationV1Api, CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { freePort, startController } from './controller-process.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const leases = kc.makeApiClient(CoordinationV1Api);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
const shards = 4;
const jobNames = Array.from({ length: 12 }, (_, i) => `job-${i}`);

const spec = (count: number): NomadJobSpec => ({
  update: { maxParallel: 2, minHealthyTime: '1s', healthyDeadline: '1m', progressDeadline: '3m' },
  taskGroups: [{ name: 'app', count, tasks: [{ name: 'app', driver: 'docker', config: { image: 'app:1' } }] }],
});

/** Who holds each shard's Lease: the replica's pid is in its identity (host-pid-random). */
async function holders(namespace: string, replicas: readonly ChildProcess[]): Promise<(number | undefined)[]> {
  return Promise.all(
    Array.from({ length: shards }, async (_, i) => {
      const lease = await leases.readNamespacedLease({ namespace, name: `caravan-controller-shard-${i}-of-${shards}` }).catch(() => undefined);
      const holder = lease?.spec?.holderIdentity ?? '';
      return replicas.find((r) => holder.includes(`-${r.pid}-`))?.pid;
    }),
  );
}

async function shardsOwnedGauge(port: number): Promise<number | undefined> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('caravan_controller_shards_owned '));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** Live allocations per job and index: each must be exactly one Pod (no shard reconciled twice). */
async function allocations(namespace: string): Promise<Map<string, number>> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'caravan.dev/job' })).items.filter((p: V1Pod) => !p.metadata?.deletionTimestamp);
  const perIndex = new Map<string, number>();
  for (const p of pods) {
    const key = `${p.metadata?.labels?.['caravan.dev/job']}[${p.metadata?.labels?.['caravan.dev/alloc-index']}]`;
    perIndex.set(key, (perIndex.get(key) ?? 0) + 1);
  }
  return perIndex;
}

/** Every job reports `count` running, and has one live Pod for each of its indexes 0 … count-1. */
async function allRunning(namespace: string, count: number): Promise<true | undefined> {
  const jobs = (await custom.listNamespacedCustomObject({ ...nj, namespace })) as { items: (NomadJob & { status?: Record<string, any> })[] };
  if (jobs.items.length !== jobNames.length || jobs.items.some((j) => j.status?.running !== count)) return undefined;
  const perIndex = await allocations(namespace);
  const expected = jobNames.flatMap((job) => Array.from({ length: count }, (_, i) => `${job}[${i}]`)).sort();
  return [...perIndex.keys()].sort().join() === expected.join() && [...perIndex.values()].every((n) => n === 1) ? true : undefined;
}

describe('replicas that share the work (--shards, issue 15 §5)', () => {
  it('two replicas split four shards; the survivor of a kill -9 takes them all over, shares them with a newcomer, and hands them back on SIGTERM', async () => {
    const namespace = await freshNamespace(core, 'sharding');
    const ports = [await freePort(), await freePort()];
    const replicas = ports.map((port) => startController(namespace, 4, port, ['--shards', String(shards)]));
    try {
      for (const name of jobNames) {
        await custom.createNamespacedCustomObject({
          ...nj,
          namespace,
          body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec: spec(2) },
        });
      }

      const split = await waitFor(
        'each replica to hold two of the four shards',
        async () => {
          const held = await holders(namespace, replicas);
          return replicas.every((r) => held.filter((pid) => pid === r.pid).length === 2) ? held : undefined;
        },
        90_000,
        500,
      );
      expect(split.every((pid) => pid !== undefined)).toBe(true);
      await waitFor('every job running its two allocations, once each', () => allRunning(namespace, 2), 120_000, 1000);
      await waitFor('each replica reporting two shards owned', async () => {
        const gauges = await Promise.all(ports.map(shardsOwnedGauge));
        return gauges.every((g) => g === 2) ? true : undefined;
      });

      const [victim, survivor] = replicas as [ChildProcess, ChildProcess];
      victim.kill('SIGKILL');
      await waitFor(
        "the survivor to take the dead replica's shards once their Leases expire",
        async () => ((await holders(namespace, [survivor])).every((pid) => pid === survivor.pid) ? true : undefined),
        60_000,
        250,
      );
      await waitFor('the survivor reporting four shards owned', async () => ((await shardsOwnedGauge(ports[1]!)) === 4 ? true : undefined));

      // Every job changes: only a replica reconciling every shard brings them all to three.
      for (const name of jobNames) {
        await custom.patchNamespacedCustomObject({ ...nj, namespace, name, body: [{ op: 'replace', path: '/spec', value: spec(3) }] });
      }
      await waitFor('every job running its three allocations, once each', () => allRunning(namespace, 3), 120_000, 1000);
      for (const [alloc, n] of await allocations(namespace)) expect(n, alloc).toBe(1);

      // A replica joins: the survivor hands two shards back (after their reconciles finish).
      const joiner = startController(namespace, 4, 0, ['--shards', String(shards)]);
      replicas.push(joiner);
      await waitFor(
        'the survivor and the newcomer to hold two shards each',
        async () => {
          const held = await holders(namespace, [survivor, joiner]);
          return [survivor, joiner].every((r) => held.filter((pid) => pid === r.pid).length === 2) ? true : undefined;
        },
        60_000,
        500,
      );
      for (const name of jobNames) {
        await custom.patchNamespacedCustomObject({ ...nj, namespace, name, body: [{ op: 'replace', path: '/spec', value: spec(2) }] });
      }
      await waitFor('every job back to two allocations, once each', () => allRunning(namespace, 2), 120_000, 1000);

      // SIGTERM: the survivor hands its shards back and exits; the newcomer takes them at once.
      survivor.kill('SIGTERM');
      const [code] = (await once(survivor, 'exit')) as [number | null];
      expect(code).toBe(0);
      await waitFor(
        'the newcomer to hold every shard',
        async () => ((await holders(namespace, [joiner])).every((pid) => pid === joiner.pid) ? true : undefined),
        30_000,
        250,
      );
      for (const [alloc, n] of await allocations(namespace)) expect(n, alloc).toBe(1);
    } finally {
      for (const r of replicas) r.kill('SIGKILL');
    }
  }, 400_000);
});
