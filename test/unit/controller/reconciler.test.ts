import type { V1ControllerRevision, V1Node, V1Pod } from '@kubernetes/client-node';
import type { TransitionEvent } from '../../../src/controller/event-recorder.ts';
import { describe, expect, it } from 'vitest';
import type { ClusterWriter } from '../../../src/controller/cluster-writer.ts';
import { JobReconciler } from '../../../src/controller/reconciler.ts';
import { cacheIndexes, parentOfLabels, type Caches } from '../../../src/kube/cluster-caches.ts';
import type { CacheReader } from '../../../src/kube/informer.ts';
import type { JobIdentity } from '../../../src/model/job-versions.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import { versionObjectName, versionRevision } from '../../../src/resources/job-version.ts';
import { labels, versionAnnotations } from '../../../src/resources/labels.ts';
import { deploymentObject, type NomadDeployment, type NomadDeploymentStatus } from '../../../src/resources/nomad-deployment.ts';
import type { Deployment } from '../../../src/planner/deployment.ts';
import type { NomadJob, NomadJobStatus } from '../../../src/resources/nomad-job.ts';

/**
 * The reconciler's shell without a cluster: its caches are maps and its writes go to a writer
 * that records each call and keeps what was written, so a second pass sees the first one's
 * writes. These tests claim only the shell's own sequencing (what it writes, in which order,
 * what it tolerates); the writes' API behaviour is the e2e tests' (test/e2e/controller*.ts).
 */
class MapCache<T extends { metadata?: { namespace?: string; name?: string; labels?: Record<string, string> } }> implements CacheReader<T> {
  readonly items = new Map<string, T>();
  private readonly index: Record<string, (o: T) => string | undefined>;
  constructor(index: Record<string, (o: T) => string | undefined> = {}) {
    this.index = index;
  }
  /** Keyed as the informer keys: namespace/name, or the name of a cluster-scoped object. */
  put(o: T): void {
    this.items.set(o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? ''), o);
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  byIndex(name: string, value: string): T[] {
    return [...this.items.values()].filter((o) => this.index[name]?.(o) === value);
  }
  values(): IterableIterator<T> {
    return this.items.values();
  }
  entries(): IterableIterator<[string, T]> {
    return this.items.entries();
  }
  get size(): number {
    return this.items.size;
  }
}

const byJob = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => `${o.metadata?.namespace}/${o.metadata?.labels?.[labels.job]}`;

function cluster() {
  const jobs = new MapCache<NomadJob>({ [cacheIndexes.byParent]: parentOfLabels });
  const deployments = new MapCache<NomadDeployment>({ [cacheIndexes.byJob]: (d) => `${d.metadata.namespace}/${d.spec.job}` });
  const pods = new MapCache<V1Pod>({ [cacheIndexes.byJob]: byJob });
  const nodes = new MapCache<V1Node>();
  const revisions = new MapCache<V1ControllerRevision>({ [cacheIndexes.byJob]: byJob });
  nodes.put({ metadata: { name: 'node-a' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const calls: string[] = [];
  let rv = 1;
  const stamp = <T extends { metadata?: { resourceVersion?: string; uid?: string } }>(o: T): T => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: String(++rv), uid: o.metadata?.uid ?? `uid-${rv}` },
  });
  const failAt = { call: '' };
  const step = (call: string) => {
    calls.push(call);
    if (failAt.call !== '' && call.startsWith(failAt.call)) throw new Error(`${call}: connection reset`);
  };
  const writer: ClusterWriter = {
    recordVersion: async (job: JobIdentity, v, recordedIndex) => {
      step(`recordVersion v${v.version}`);
      const written = stamp(versionRevision(job, v, recordedIndex));
      revisions.put(written);
      return { version: v, resourceVersion: written.metadata!.resourceVersion! };
    },
    markStable: async (job, version) => {
      step(`markStable v${version}`);
      const current = revisions.get(`${job.namespace}/${versionObjectName(job.name, version)}`)!;
      const written = stamp({
        ...current,
        metadata: { ...current.metadata, annotations: { ...current.metadata?.annotations, [versionAnnotations.stable]: 'true' } },
      });
      revisions.put(written);
      return written.metadata.resourceVersion;
    },
    deleteVersion: async (job, version) => {
      step(`deleteVersion v${version}`);
      revisions.items.delete(`${job.namespace}/${versionObjectName(job.name, version)}`);
    },
    createDeployment: async (_ns, body) => {
      step(`createDeployment ${body.metadata.name}`);
      const d = stamp(body);
      deployments.put(d);
      return d;
    },
    writeDeploymentStatus: async (ns, name, status: NomadDeploymentStatus) => {
      step(`writeDeploymentStatus ${name} ${status.status}`);
      const d = stamp({ ...deployments.get(`${ns}/${name}`)!, status });
      deployments.put(d);
      return d;
    },
    patchPod: async (ns, name) => {
      step(`patchPod ${name}`);
      return pods.get(`${ns}/${name}`);
    },
    deletePod: async (ns, name) => {
      step(`deletePod ${name}`);
      pods.items.delete(`${ns}/${name}`);
    },
    createPod: async (_ns, pod) => {
      step(`createPod ${pod.metadata?.name}`);
      if (pods.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`)) return undefined;
      const created = stamp({ ...pod, spec: { ...pod.spec!, nodeName: 'node-a' }, status: { phase: 'Pending' } });
      pods.put(created);
      return created;
    },
    writeJobStatus: async (job, status: NomadJobStatus) => {
      step('writeJobStatus');
      const written = stamp({ ...job, status });
      jobs.put(written);
      return written;
    },
    createEvent: async (_ns, e: TransitionEvent) => void step(`event ${e.reason}`),
    createJob: async (ns, body) => {
      step(`createJob ${body.metadata.name}`);
      if (jobs.get(`${ns}/${body.metadata.name}`)) return undefined;
      const created = stamp({ ...body, metadata: { ...body.metadata, creationTimestamp: new Date(0).toISOString() } });
      jobs.put(created);
      return created;
    },
    deleteJob: async (ns, name) => {
      step(`deleteJob ${name}`);
      jobs.items.delete(`${ns}/${name}`);
    },
  };
  const caches: Caches = { jobs, deployments, pods, nodes, revisions };
  return { jobs, deployments, pods, revisions, calls, writer, caches, failAt };
}

const spec: NomadJobSpec = {
  update: { maxParallel: 2, canary: 1 },
  taskGroups: [{ name: 'app', count: 2, tasks: [{ name: 'app', driver: 'docker', config: { image: 'app:1' } }] }],
};
const job = (s: NomadJobSpec = spec): NomadJob => ({
  apiVersion: 'caravan.dev/v1alpha1',
  kind: 'NomadJob',
  metadata: { name: 'web', namespace: 'shop', uid: 'job-uid', generation: 1, resourceVersion: '1' },
  spec: s,
});

describe('JobReconciler with an injected writer', () => {
  it('registers a job in writes() order: the version, the deployment, then its status with the Pods, events; the next pass reports', async () => {
    const c = cluster();
    c.jobs.put(job());
    const reconciler = new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 });
    await reconciler.reconcile('shop/web');
    expect(c.calls.slice(0, 2)).toEqual(['recordVersion v0', 'createDeployment web-v0']);
    // One stage (stages()): the new deployment's first status goes out with its creates.
    expect(c.calls.slice(2, 5).sort()).toEqual(['createPod web-app-0-v0', 'createPod web-app-1-v0', 'writeDeploymentStatus web-v0 running']);
    // The job's status is left to the next pass, which the writes' watch events bring.
    expect(c.calls.slice(5)).toEqual(['event Created']);
    // The version keeps the index its spec was read at: Nomad's JobModifyIndex of the register.
    expect(c.revisions.get('shop/web-v0')?.metadata?.annotations?.[versionAnnotations.recordedIndex]).toBe('1');
    const pod = c.pods.get('shop/web-app-0-v0')!;
    expect(pod.metadata?.ownerReferences).toMatchObject([{ kind: 'NomadJob', uid: 'job-uid', controller: true }]);
    c.calls.length = 0;
    await reconciler.reconcile('shop/web');
    expect(c.calls).toEqual(['writeJobStatus']);
    expect(c.jobs.get('shop/web')?.status).toMatchObject({ observedGeneration: 1, version: 0, latestDeployment: { name: 'web-v0', status: 'running' } });
  });

  it('a job whose every pass writes still reports: at most 4 passes in a row, within 1 s of the first, leave its status to the next', async () => {
    const image = (tag: string): NomadJobSpec => ({
      ...spec,
      update: { maxParallel: 2 },
      taskGroups: [{ ...spec.taskGroups[0]!, tasks: [{ ...spec.taskGroups[0]!.tasks[0]!, config: { image: tag } }] }],
    });
    /** Passes `apart` ms apart, each on a changed spec, so each writes; which of them wrote the job's status. */
    const reports = async (apart: number) => {
      const c = cluster();
      let now = 1_000;
      const reconciler = new JobReconciler({ caches: c.caches, writer: c.writer, now: () => now });
      const reported: boolean[] = [];
      for (let pass = 0; pass < 6; pass++) {
        // The user's change, on the job as the cache last showed it (its status write included).
        c.jobs.put({ ...(c.jobs.get('shop/web') ?? job()), spec: image(`app:${pass}`) });
        c.calls.length = 0;
        await reconciler.reconcile('shop/web');
        reported.push(c.calls.includes('writeJobStatus'));
        now += apart;
      }
      return reported;
    };
    expect(await reports(100)).toEqual([false, false, false, false, true, false]);
    // Passes far apart (a long queue): the status waits for no more than the next one.
    expect(await reports(2_000)).toEqual([false, true, false, true, false, true]);
  });

  it('a write that fails ends the pass there: nothing after it in the order is attempted', async () => {
    const c = cluster();
    c.jobs.put(job());
    c.failAt.call = 'createDeployment';
    await expect(new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web')).rejects.toThrow('connection reset');
    expect(c.calls.some((x) => x.startsWith('createPod') || x.startsWith('writeDeploymentStatus'))).toBe(false);
    expect(c.calls.at(-1)).toBe('createDeployment web-v0');
    const d = cluster();
    d.jobs.put(job());
    d.failAt.call = 'writeDeploymentStatus';
    await expect(new JobReconciler({ caches: d.caches, writer: d.writer, now: () => 1_000 }).reconcile('shop/web')).rejects.toThrow('connection reset');
    expect(d.calls.some((x) => x.startsWith('event') || x.startsWith('writeJobStatus'))).toBe(false);
  });

  it('a fresh process after that failure finishes the pass, and a create that finds its Pod already there is harmless', async () => {
    const c = cluster();
    c.jobs.put(job());
    c.failAt.call = 'createPod web-app-1';
    await expect(new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web')).rejects.toThrow();
    c.failAt.call = '';
    c.calls.length = 0;
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 2_000 }).reconcile('shop/web');
    expect(c.calls).toContain('createPod web-app-1-v0');
    expect(c.calls).not.toContain('createPod web-app-0-v0');
    expect(c.calls).not.toContain('recordVersion v0');
    expect([...c.pods.values()].map((p) => p.metadata?.name).sort()).toEqual(['web-app-0-v0', 'web-app-1-v0']);
  });

  it('leaves out a deployment whose version never landed, and takes it on when a version of that number is recorded', async () => {
    const c = cluster();
    c.jobs.put(job());
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web');
    // A crashed pass left version 1's deployment (its first stage) but not version 1 itself.
    const image = (tag: string): NomadJobSpec => ({
      ...spec,
      taskGroups: [{ ...spec.taskGroups[0]!, tasks: [{ ...spec.taskGroups[0]!.tasks[0]!, config: { image: tag } }] }],
    });
    const orphan = deploymentObject({ name: 'web', namespace: 'shop', uid: 'job-uid' }, { name: 'web-v1', jobVersion: 1 } as Deployment);
    c.deployments.put({ ...orphan, metadata: { ...orphan.metadata, uid: 'dep-1', resourceVersion: '900' } });
    // The user's spec is still version 0's: the job stays there and the deployment ahead of it is not touched.
    c.calls.length = 0;
    c.jobs.put({ ...job(), status: c.jobs.get('shop/web')!.status! });
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 3_000 }).reconcile('shop/web');
    expect(c.calls.filter((x) => x.includes('web-v1') || x.startsWith('recordVersion'))).toEqual([]);
    expect(c.jobs.get('shop/web')!.status).toMatchObject({ version: 0 });
    // A new spec is version 1, and its deployment is the one already there.
    c.calls.length = 0;
    c.jobs.put({ ...job(image('app:3')), status: c.jobs.get('shop/web')!.status! });
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 4_000 }).reconcile('shop/web');
    expect(c.calls).toContain('recordVersion v1');
    expect(c.calls).not.toContain('createDeployment web-v1');
    expect(c.calls).toContain('writeDeploymentStatus web-v1 running');
  });

  it('reads versions from the cache, and waits for a version it recorded to show there before planning again', async () => {
    const c = cluster();
    c.jobs.put(job());
    const reconciler = new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 });
    await reconciler.reconcile('shop/web');
    // The watch has not brought the revision yet: the next pass neither plans nor records it again.
    const recorded = c.revisions.get('shop/web-v0')!;
    c.revisions.items.delete('shop/web-v0');
    c.calls.length = 0;
    expect(await reconciler.reconcile('shop/web')).toEqual({ requeueAfterMs: 200 });
    expect(c.calls).toEqual([]);
    c.revisions.put(recorded);
    await reconciler.reconcile('shop/web');
    expect(c.calls).not.toContain('recordVersion v0');
  });

  it('confirms a missed progress deadline against the Pods read from the API server: a cache behind it fails nothing', async () => {
    const deadlineSpec: NomadJobSpec = { ...spec, update: { maxParallel: 2, minHealthyTime: '1s', healthyDeadline: '1m', progressDeadline: '2m' } };
    // As the caches and the reader keep them: timestamps are strings, whatever client-node's types say.
    const iso = (ms: number) => new Date(ms).toISOString() as unknown as Date;
    // The API server's Pods: running since 5 s, healthy at 6 s; the cache still holds them Pending.
    const running = (p: V1Pod): V1Pod => ({
      ...p,
      metadata: { ...p.metadata, resourceVersion: `${p.metadata!.resourceVersion}0` },
      status: {
        phase: 'Running',
        startTime: iso(5_000),
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(5_000) }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'app:1', imageID: '', state: { running: { startedAt: iso(5_000) } } }],
      },
    });
    /** A pass past the deadline; the API server's Pods are `fresh` ones or the cache's own; `read` false: no reader. */
    const afterDeadline = async (server: 'ahead' | 'same', read = true) => {
      const c = cluster();
      c.jobs.put(job(deadlineSpec));
      await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web');
      const apiServer = server === 'ahead' ? [...c.pods.values()].map(running) : [...c.pods.values()];
      c.calls.length = 0;
      const reads: string[] = [];
      const readPods = async (j: JobIdentity) => {
        reads.push(j.name);
        return apiServer;
      };
      await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 + 121_000, ...(read ? { readPods } : {}) }).reconcile('shop/web');
      return { calls: c.calls, reads, deployment: c.deployments.get('shop/web-v0')!.status! };
    };
    const confirmed = await afterDeadline('ahead');
    expect(confirmed.reads).toEqual(['web']);
    expect(confirmed.calls).toContain('writeDeploymentStatus web-v0 successful');
    expect(confirmed.deployment.taskGroups?.['app']).toMatchObject({ healthyAllocs: 2 });
    // The API server agrees with the cache: the deadline is missed.
    const missed = await afterDeadline('same');
    expect(missed.reads).toEqual(['web']);
    expect(missed.calls).toContain('writeDeploymentStatus web-v0 failed');
    expect(missed.deployment.statusDescription).toBe('Failed due to progress deadline');
    // Without a reader the cache alone decides, wrongly here.
    expect((await afterDeadline('ahead', false)).calls).toContain('writeDeploymentStatus web-v0 failed');
  });

  it('writes nothing when there is nothing to do', async () => {
    const c = cluster();
    c.jobs.put(job());
    // The first pass places; the second reports the placed Pods in the status; then all is said.
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web');
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web');
    c.calls.length = 0;
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web');
    expect(c.calls).toEqual([]);
  });

  it("never takes an earlier job's Pods or deployment of the same name (awaiting garbage collection) for its own", async () => {
    const c = cluster();
    c.jobs.put(job());
    const earlier = [{ apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', name: 'web', uid: 'old-uid', controller: true }];
    c.pods.put({
      metadata: {
        name: 'web-app-0-v3',
        namespace: 'shop',
        uid: 'p-old',
        labels: { [labels.job]: 'web', [labels.taskGroup]: 'app', [labels.allocIndex]: '0', [labels.jobVersion]: '3', [labels.canary]: 'false' },
        ownerReferences: earlier,
      },
    });
    c.deployments.put({
      apiVersion: 'caravan.dev/v1alpha1',
      kind: 'NomadDeployment',
      metadata: { name: 'web-v0', namespace: 'shop', uid: 'd-old', ownerReferences: earlier },
      spec: { job: 'web', jobVersion: 0 },
    });
    await expect(new JobReconciler({ caches: c.caches, writer: c.writer, now: () => 1_000 }).reconcile('shop/web')).rejects.toThrow(
      'still belongs to an earlier job of that name',
    );
    expect(c.calls.filter((x) => x.startsWith('writeDeploymentStatus') || x.startsWith('deletePod'))).toEqual([]);
  });
});

describe('JobReconciler: periodic parents with a controlled clock (issue 13)', () => {
  const t0 = Date.parse('2026-01-01T00:00:30Z');
  const periodicSpec: NomadJobSpec = {
    type: 'batch',
    periodic: { crons: ['* * * * *'], prohibitOverlap: true },
    taskGroups: [{ name: 'app', count: 1, tasks: [{ name: 'app', driver: 'docker', config: { image: 'app:1' } }] }],
  };
  const children = (c: ReturnType<typeof cluster>) => [...c.jobs.values()].filter((j) => j.metadata.name !== 'web').map((j) => j.metadata.name);

  it('places no Pods, times the next launch, and requeues for it', async () => {
    const c = cluster();
    c.jobs.put(job(periodicSpec));
    const result = await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => t0 }).reconcile('shop/web');
    expect(c.calls.filter((x) => x.startsWith('createPod') || x.startsWith('createJob'))).toEqual([]);
    expect(c.jobs.get('shop/web')!.status?.periodic?.nextLaunch).toBe('2026-01-01T00:01:00.000Z');
    expect(c.jobs.get('shop/web')!.status?.status).toBe('running');
    expect(result).toEqual({ requeueAfterMs: 30_000 });
  });

  it('looks again within a day when the next launch is months away (timers past 2^31 ms fire at once)', async () => {
    const c = cluster();
    c.jobs.put(job({ ...periodicSpec, periodic: { crons: ['@yearly'] } }));
    const result = await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => t0 }).reconcile('shop/web');
    expect(result).toEqual({ requeueAfterMs: 24 * 3600_000 });
  });

  it('launches the child at the launch time; a retried launch is the same create (409), never a second child', async () => {
    const c = cluster();
    c.jobs.put(job(periodicSpec));
    let now = t0;
    const r = new JobReconciler({ caches: c.caches, writer: c.writer, now: () => now });
    await r.reconcile('shop/web');
    now = Date.parse('2026-01-01T00:01:00.300Z');
    await r.reconcile('shop/web');
    expect(children(c)).toEqual(['web-periodic-1767225660']);
    const child = c.jobs.get('shop/web-periodic-1767225660')!;
    expect(child.spec.periodic).toBeUndefined();
    expect(child.metadata.annotations?.['caravan.dev/nomad-id']).toBe('web/periodic-1767225660');
    expect(child.metadata.ownerReferences?.[0]?.uid).toBe('job-uid');
    // A pass that died before writing the parent's status: a new process sees the child as the launch record.
    const parent = c.jobs.get('shop/web')!;
    c.jobs.put({
      ...parent,
      status: { ...parent.status!, periodic: { lastLaunch: new Date(t0).toISOString(), nextLaunch: '2026-01-01T00:01:00.000Z', trackedVersion: 0 } },
    });
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => now + 1_000 }).reconcile('shop/web');
    expect(children(c)).toEqual(['web-periodic-1767225660']);
  });

  it('prohibit_overlap skips a launch while the child runs', async () => {
    const c = cluster();
    c.jobs.put(job(periodicSpec));
    let now = t0;
    const r = new JobReconciler({ caches: c.caches, writer: c.writer, now: () => now });
    await r.reconcile('shop/web');
    now = Date.parse('2026-01-01T00:01:00Z');
    await r.reconcile('shop/web');
    const child = c.jobs.get('shop/web-periodic-1767225660')!;
    c.jobs.put({ ...child, status: { observedGeneration: 1, status: 'running', conditions: [] } });
    now = Date.parse('2026-01-01T00:02:00Z');
    await r.reconcile('shop/web');
    expect(children(c)).toEqual(['web-periodic-1767225660']);
    expect(c.jobs.get('shop/web')!.status?.periodic?.nextLaunch).toBe('2026-01-01T00:03:00.000Z');
  });

  it('a controller restarted across launch times makes one catch-up launch, named after now', async () => {
    const c = cluster();
    c.jobs.put(job(periodicSpec));
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => t0 }).reconcile('shop/web');
    const later = Date.parse('2026-01-01T00:05:30Z');
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => later }).reconcile('shop/web');
    expect(children(c)).toEqual([`web-periodic-${later / 1000}`]);
  });

  it('a stopped parent launches nothing more and leaves its running child alone', async () => {
    const c = cluster();
    c.jobs.put(job(periodicSpec));
    let now = t0;
    const r = new JobReconciler({ caches: c.caches, writer: c.writer, now: () => now });
    await r.reconcile('shop/web');
    now = Date.parse('2026-01-01T00:01:00Z');
    await r.reconcile('shop/web');
    const parent = c.jobs.get('shop/web')!;
    c.jobs.put({ ...parent, metadata: { ...parent.metadata, generation: 2 }, spec: { ...parent.spec, stop: true } });
    c.calls.length = 0;
    now = Date.parse('2026-01-01T00:05:00Z');
    await r.reconcile('shop/web');
    expect(c.calls.filter((x) => x.startsWith('createJob') || x.startsWith('deleteJob'))).toEqual([]);
    expect(children(c)).toEqual(['web-periodic-1767225660']);
    expect(c.jobs.get('shop/web')!.status?.status).toBe('dead');
    expect(c.jobs.get('shop/web')!.status?.periodic?.nextLaunch).toBeUndefined();
  });

  it('garbage-collects a dead child past the job_gc_threshold', async () => {
    const c = cluster();
    c.jobs.put(job(periodicSpec));
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => t0 }).reconcile('shop/web');
    c.jobs.put({
      apiVersion: 'caravan.dev/v1alpha1',
      kind: 'NomadJob',
      metadata: {
        name: 'web-periodic-1',
        namespace: 'shop',
        creationTimestamp: new Date(t0 - 5 * 3600_000).toISOString(),
        labels: { 'caravan.dev/parent-job': 'web' },
        annotations: { 'caravan.dev/nomad-id': 'web/periodic-1' },
        ownerReferences: [{ apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', name: 'web', uid: 'job-uid' }],
      },
      spec: { type: 'batch', taskGroups: periodicSpec.taskGroups },
      status: { observedGeneration: 1, status: 'dead', conditions: [] },
    });
    await new JobReconciler({ caches: c.caches, writer: c.writer, now: () => t0 + 1_000 }).reconcile('shop/web');
    expect(c.calls).toContain('deleteJob web-periodic-1');
  });
});
