import type { V1ControllerRevision, V1Node, V1Pod } from '@kubernetes/client-node';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClusterView } from '../../../src/api/cluster-view.ts';
import type { NomadAllocationListStub, NomadApiDeployment, NomadApiJob, NomadJobListStub } from '../../../src/api/nomad/types.ts';
import { versionRevision } from '../../../src/resources/job-version.ts';
import { annotations, labels, versionAnnotations } from '../../../src/resources/labels.ts';
import type { NomadDeployment } from '../../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';
import { addSettledJob, fixtureNode, populateCluster, serviceSpec } from './cluster-fixture.ts';
import { get, routeContext } from './list-routes.ts';
import { MemoryCluster } from './memory-cluster.ts';

/**
 * The Nomad API's lists and lookups over the view's indexes, orders and per-object memos (issue
 * 15): what they answer after each kind of change is what a view that never saw the objects
 * before answers, and pages walked with next_token are the full list cut in pieces.
 */
let cluster: MemoryCluster;
let rv: number;
const next = () => String(++rv);

beforeEach(() => {
  cluster = new MemoryCluster();
  rv = populateCluster(cluster, { jobs: 12, podsPerJob: 3, namespaces: 3, nodes: 4 });
});

const jobKey = (name: string, namespace = 'default') => `${namespace}/${name}`;
const jobs = async (ctx: ReturnType<typeof routeContext>, query = 'namespace=*') => (await get(ctx, `/v1/jobs?${query}`)).body as NomadJobListStub[];
const deployments = async (ctx: ReturnType<typeof routeContext>, query = 'namespace=*') =>
  (await get(ctx, `/v1/deployments?${query}`)).body as NomadApiDeployment[];
const allocations = async (ctx: ReturnType<typeof routeContext>, query = 'namespace=*') =>
  (await get(ctx, `/v1/allocations?${query}`)).body as NomadAllocationListStub[];

function updateJob(name: string, change: (j: NomadJob) => NomadJob, namespace = 'default'): NomadJob {
  const j = cluster.jobs.get(jobKey(name, namespace))!;
  return cluster.apply('jobs', { ...change(j), metadata: { ...change(j).metadata, resourceVersion: next() } });
}

function updatePod(pod: V1Pod, change: (p: V1Pod) => V1Pod): V1Pod {
  const p = cluster.pods.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`)!;
  const changed = change(p);
  return cluster.apply('pods', { ...changed, metadata: { ...changed.metadata, resourceVersion: next() } });
}

describe('what the lists show follows every change (per-object memos)', () => {
  it('a job updated: the list and the job show its new status and ModifyIndex', async () => {
    const ctx = routeContext(cluster);
    const before = (await jobs(ctx)).find((j) => j.ID === 'web-00000')!;
    expect(before.Status).toBe('running');
    const updated = updateJob('web-00000', (j) => ({ ...j, status: { ...j.status!, status: 'dead', statusDescription: 'stopped' } }));
    const after = (await jobs(ctx)).find((j) => j.ID === 'web-00000')!;
    expect([after.Status, after.StatusDescription, after.ModifyIndex]).toEqual(['dead', 'stopped', Number(updated.metadata.resourceVersion)]);
    expect(((await get(ctx, '/v1/job/web-00000')).body as NomadApiJob).Status).toBe('dead');
  });

  it('a version recorded: the job shows it, its versions list it, its stub moves its JobModifyIndex', async () => {
    const ctx = routeContext(cluster);
    expect(((await get(ctx, '/v1/job/web-00000')).body as NomadApiJob).Version).toBe(1);
    const spec = serviceSpec('nginx:1.28', 3);
    updateJob('web-00000', (j) => ({ ...j, spec, metadata: { ...j.metadata, generation: 3 } }));
    // Registered, not yet recorded: the pending version the controller will record.
    const pending = (await get(ctx, '/v1/job/web-00000')).body as NomadApiJob;
    expect([pending.Version, pending.TaskGroups[0]!.Tasks[0]!.Config?.['image']]).toEqual([2, 'nginx:1.28']);
    const job = cluster.jobs.get(jobKey('web-00000'))!;
    const r = versionRevision(
      { name: 'web-00000', namespace: 'default', uid: job.metadata.uid! },
      { version: 2, spec, submitTime: new Date().toISOString(), stable: false },
    );
    const recorded = cluster.apply<V1ControllerRevision>('revisions', { ...r, metadata: { ...r.metadata, uid: 'rev-web-0-v2', resourceVersion: next() } });
    const shown = (await get(ctx, '/v1/job/web-00000')).body as NomadApiJob;
    expect([shown.Version, shown.JobModifyIndex]).toEqual([2, Number(recorded.metadata?.resourceVersion)]);
    const versions = (await get(ctx, '/v1/job/web-00000/versions')).body as { Versions: NomadApiJob[] };
    expect(versions.Versions.map((v) => v.Version)).toEqual([2, 1, 0]);
    expect((await jobs(ctx)).find((j) => j.ID === 'web-00000')!.JobModifyIndex).toBe(Number(recorded.metadata?.resourceVersion));
  });

  it('a version marked stable, then pruned: Stable and the versions follow', async () => {
    const ctx = routeContext(cluster);
    const v0 = cluster.revisionCache.get('default/web-00000-v0')!;
    cluster.apply<V1ControllerRevision>('revisions', {
      ...v0,
      metadata: {
        ...v0.metadata,
        resourceVersion: next(),
        annotations: { ...v0.metadata?.annotations, [versionAnnotations.stable]: 'false', [versionAnnotations.recordedIndex]: v0.metadata!.resourceVersion! },
      },
    });
    let versions = ((await get(ctx, '/v1/job/web-00000/versions')).body as { Versions: NomadApiJob[] }).Versions;
    expect(versions.map((v) => [v.Version, v.Stable])).toEqual([
      [1, true],
      [0, false],
    ]);
    cluster.delete('revisions', v0);
    versions = ((await get(ctx, '/v1/job/web-00000/versions')).body as { Versions: NomadApiJob[] }).Versions;
    expect(versions.map((v) => v.Version)).toEqual([1]);
  });

  it("a deployment's status written: the deployment list and the deployment show it", async () => {
    const ctx = routeContext(cluster);
    const d = cluster.deployments.get('default/web-00000-v1')!;
    expect((await deployments(ctx)).find((x) => x.ID === d.metadata.uid)!.Status).toBe('successful');
    cluster.apply<NomadDeployment>('deployments', { ...d, metadata: { ...d.metadata, resourceVersion: next() }, status: { ...d.status!, status: 'failed' } });
    expect((await deployments(ctx)).find((x) => x.ID === d.metadata.uid)!.Status).toBe('failed');
    expect(((await get(ctx, `/v1/deployment/${d.metadata.uid}`)).body as NomadApiDeployment).Status).toBe('failed');
  });

  it("a deployment's job gets a new version: its JobCreateIndex and EvalPriority follow the job", async () => {
    const ctx = routeContext(cluster);
    const d = cluster.deployments.get('default/web-00000-v1')!;
    expect((await deployments(ctx)).find((x) => x.ID === d.metadata.uid)!.EvalPriority).toBe(50);
    const v1 = cluster.revisionCache.get('default/web-00000-v1')!;
    const spec = { ...serviceSpec('nginx:1.27', 3), priority: 70 };
    cluster.apply<V1ControllerRevision>('revisions', { ...v1, metadata: { ...v1.metadata, resourceVersion: next() }, data: { spec } });
    expect((await deployments(ctx)).find((x) => x.ID === d.metadata.uid)!.EvalPriority).toBe(70);
  });

  it("a Pod's status changed: its allocation's ClientStatus follows", async () => {
    const ctx = routeContext(cluster);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    const id = pod.metadata!.uid!;
    expect((await allocations(ctx)).find((a) => a.ID === id)!.ClientStatus).toBe('running');
    updatePod(pod, (p) => ({ ...p, status: { ...p.status!, phase: 'Failed' } }));
    expect((await allocations(ctx)).find((a) => a.ID === id)!.ClientStatus).toBe('failed');
  });

  it("a Pod's node goes NotReady: its allocation is lost, though the Pod did not change", async () => {
    const ctx = routeContext(cluster);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    expect((await allocations(ctx)).find((a) => a.ID === pod.metadata!.uid)!.ClientStatus).toBe('running');
    const node = cluster.nodes.get(pod.spec!.nodeName!)!;
    cluster.apply<V1Node>('nodes', {
      ...node,
      metadata: { ...node.metadata, resourceVersion: next() },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect((await allocations(ctx)).find((a) => a.ID === pod.metadata!.uid)!.ClientStatus).toBe('lost');
  });

  it("a replacement placed: the replaced allocation's NextAllocation names it", async () => {
    const ctx = routeContext(cluster);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    expect((await allocations(ctx)).find((a) => a.ID === pod.metadata!.uid)!.NextAllocation).toBe('');
    const replacement = cluster.apply<V1Pod>('pods', {
      ...pod,
      metadata: { ...pod.metadata, name: `${pod.metadata!.name}-r1`, uid: 'a0a0a0a0-0000-4000-8000-00000000r001', resourceVersion: next() },
    });
    const listed = await allocations(ctx);
    expect(listed.find((a) => a.ID === pod.metadata!.uid)!.NextAllocation).toBe(replacement.metadata!.uid);
    expect(listed.at(-1)!.ID).toBe(replacement.metadata!.uid);
  });

  it('a Pod of the same allocation name in another namespace is no replacement of it', async () => {
    const ctx = routeContext(cluster);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    const elsewhere = cluster.apply<V1Pod>('pods', {
      ...pod,
      // A replacement there: one chain per namespace, this namespace's allocation is not its previous.
      metadata: {
        ...pod.metadata,
        name: `${pod.metadata!.name}-r1`,
        namespace: 'team-elsewhere',
        uid: 'a0a0a0a0-0000-4000-8000-00000000e001',
        resourceVersion: next(),
      },
    });
    const listed = await allocations(ctx);
    expect(listed.find((a) => a.ID === pod.metadata!.uid)!.NextAllocation).toBe('');
    expect(listed.find((a) => a.ID === elsewhere.metadata!.uid)!.NextAllocation).toBe('');
    const replacement = cluster.apply<V1Pod>('pods', {
      ...pod,
      metadata: { ...pod.metadata, name: `${pod.metadata!.name}-r1`, uid: 'a0a0a0a0-0000-4000-8000-00000000r002', resourceVersion: next() },
    });
    const after = await allocations(ctx);
    expect(after.find((a) => a.ID === pod.metadata!.uid)!.NextAllocation).toBe(replacement.metadata!.uid);
    expect(after.find((a) => a.ID === elsewhere.metadata!.uid)!.NextAllocation).toBe('');
  });

  it("a deployment's health recorded on a Pod: the allocation's DeploymentStatus follows", async () => {
    const ctx = routeContext(cluster);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    updatePod(pod, (p) => ({
      ...p,
      metadata: { ...p.metadata, annotations: { ...p.metadata!.annotations, [annotations.deploymentHealth]: 'unhealthy@2026-11-01T09:00:00.000Z' } },
    }));
    expect((await allocations(ctx)).find((a) => a.ID === pod.metadata!.uid)!.DeploymentStatus?.Healthy).toBe(false);
  });

  it("a deployment's health recorded in its status: the allocation's DeploymentStatus follows, over the Pod's", async () => {
    const ctx = routeContext(cluster);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    const name = pod.metadata!.annotations![annotations.deployment]!;
    const group = pod.metadata!.labels![labels.taskGroup]!;
    const deployment = cluster.deployments.get(`default/${name}`)!;
    const before = (await allocations(ctx)).find((a) => a.ID === pod.metadata!.uid)!;
    expect(before.DeploymentStatus?.Healthy).toBe(true);
    const taskGroups = deployment.status!.taskGroups!;
    cluster.apply<NomadDeployment>('deployments', {
      ...deployment,
      metadata: { ...deployment.metadata, resourceVersion: next() },
      status: {
        ...deployment.status,
        taskGroups: { ...taskGroups, [group]: { ...taskGroups[group]!, allocationHealth: { [pod.metadata!.name!]: 'unhealthy@2026-11-01T09:00:00.000Z' } } },
      },
    });
    const after = (await allocations(ctx)).find((a) => a.ID === pod.metadata!.uid)!;
    expect(after.DeploymentStatus).toMatchObject({ Healthy: false, Timestamp: '2026-11-01T09:00:00Z' });
  });
});

describe('a view that has answered before answers as one that never did', () => {
  it('after jobs, versions, deployments, Pods and nodes changed, were added and went away', async () => {
    const warm = routeContext(cluster);
    const cold = routeContext(cluster, new ClusterView(cluster));
    const read = async (ctx: ReturnType<typeof routeContext>) => ({
      jobs: await jobs(ctx, 'namespace=*&meta=true'),
      deployments: await deployments(ctx),
      allocations: await allocations(ctx),
      job: (await get(ctx, '/v1/job/web-00003?namespace=default')).body,
      versions: (await get(ctx, '/v1/job/web-00003/versions?namespace=default')).body,
    });
    await read(warm);
    updateJob('web-00003', (j) => ({ ...j, spec: serviceSpec('nginx:1.30', 3), metadata: { ...j.metadata, generation: 3 } }));
    updateJob('web-00001', (j) => ({ ...j, status: { ...j.status!, status: 'pending' } }), 'team-1');
    const gone = cluster.jobs.get(jobKey('web-00006'))!;
    cluster.delete('jobs', gone);
    for (const d of cluster.deployments.byIndex('job', jobKey('web-00006'))) cluster.delete('deployments', d);
    for (const p of cluster.pods.byIndex('job', jobKey('web-00006'))) cluster.delete('pods', p);
    addSettledJob(cluster, { name: 'api', namespace: 'team-2', n: 500, podsPerJob: 2, nodes: 4, next });
    cluster.apply('nodes', fixtureNode(7, next()));
    const pod = cluster.pods.byIndex('job', jobKey('web-00009'))[1]!;
    updatePod(pod, (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-11-01T09:00:00Z' as unknown as Date } }));
    // The pending version's SubmitTime is when each view first saw the spec: compare the rest.
    const withoutSubmitTime = (value: unknown) => JSON.parse(JSON.stringify(value, (k, v) => (k === 'SubmitTime' ? 0 : v)));
    expect(withoutSubmitTime(await read(warm))).toEqual(withoutSubmitTime(await read(cold)));
  });
});

describe('pages walked with next_token are the full list cut in pieces (Nomad §3.1)', () => {
  const walk = async (ctx: ReturnType<typeof routeContext>, path: string, query: string) => {
    const ids: string[] = [];
    let token = '';
    for (let pages = 0; pages < 100; pages++) {
      const response = await get(ctx, `${path}?${query}&per_page=3${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
      ids.push(...(response.body as { ID: string }[]).map((x) => x.ID));
      if (!response.nextToken) return ids;
      token = response.nextToken;
    }
    throw new Error('no last page');
  };

  it.each([
    ['/v1/jobs', 'namespace=*'],
    ['/v1/jobs', 'namespace=*&reverse=true'],
    ['/v1/jobs', 'namespace=team-1'],
    ['/v1/jobs', 'namespace=*&prefix=web-000'],
    ['/v1/jobs', `namespace=*&filter=${encodeURIComponent('Namespace != "team-2"')}`],
    ['/v1/deployments', 'namespace=*'],
    ['/v1/deployments', 'namespace=*&reverse=true'],
    ['/v1/deployments', 'namespace=team-2'],
    ['/v1/deployments', 'namespace=*&prefix=0000'],
    ['/v1/allocations', 'namespace=*'],
    ['/v1/allocations', 'namespace=*&reverse=true'],
    ['/v1/allocations', 'namespace=default&task_states=false'],
    ['/v1/allocations', `namespace=*&filter=${encodeURIComponent('TaskGroup == "frontend" and Job.Meta.tier == "web"')}`],
  ])('%s?%s', async (path, query) => {
    const ctx = routeContext(cluster);
    const all = ((await get(ctx, `${path}?${query}`)).body as { ID: string }[]).map((x) => x.ID);
    expect(all.length).toBeGreaterThan(3);
    expect(await walk(ctx, path, query)).toEqual(all);
  });

  it('in order: jobs by namespace and ID, the others by CreateIndex; a new object joins in its place', async () => {
    const ctx = routeContext(cluster);
    addSettledJob(cluster, { name: 'aaa', namespace: 'default', n: 900, podsPerJob: 1, nodes: 4, next });
    const listed = await jobs(ctx);
    expect(listed.map((j) => `${j.Namespace}.${j.ID}`)).toEqual(listed.map((j) => `${j.Namespace}.${j.ID}`).sort());
    expect(listed[0]!.ID).toBe('aaa');
    const allocs = await allocations(ctx);
    expect(allocs.map((a) => a.CreateIndex)).toEqual(allocs.map((a) => a.CreateIndex).sort((a, b) => a - b));
    expect(allocs.at(-1)!.JobID).toBe('aaa');
  });
});

describe('lookups by ID read an index, and follow deletes and new objects of the same name', () => {
  it('allocation, deployment and job of a name deleted and created again', async () => {
    const view = new ClusterView(cluster);
    const ctx = routeContext(cluster, view);
    const pod = cluster.pods.byIndex('job', jobKey('web-00000'))[0]!;
    expect(view.podByUid(pod.metadata!.uid!)).toBe(pod);
    cluster.delete('pods', pod);
    expect(view.podByUid(pod.metadata!.uid!)).toBeUndefined();
    const again = cluster.apply<V1Pod>('pods', { ...pod, metadata: { ...pod.metadata, uid: 'b0b0b0b0-0000-4000-8000-000000000001', resourceVersion: next() } });
    expect(view.podByUid('b0b0b0b0-0000-4000-8000-000000000001')).toBe(again);
    const d = cluster.deployments.get('default/web-00000-v1')!;
    expect(view.deploymentByUid(d.metadata.uid!)).toBe(d);
    const job = cluster.jobs.get(jobKey('web-00000'))!;
    expect(view.jobByUid(job.metadata.uid!)).toBe(job);
    cluster.delete('jobs', job);
    expect(view.jobByUid(job.metadata.uid!)).toBeUndefined();
    expect((await jobs(ctx)).some((j) => j.ID === 'web-00000')).toBe(false);
  });

  it('a job deleted and registered again under its name shows its own versions only', async () => {
    const ctx = routeContext(cluster);
    expect(((await get(ctx, '/v1/job/web-00000')).body as NomadApiJob).Version).toBe(1);
    const old = cluster.jobs.get(jobKey('web-00000'))!;
    cluster.delete('jobs', old);
    for (const r of cluster.revisionCache.byIndex('job', jobKey('web-00000'))) cluster.delete('revisions', r);
    const spec = serviceSpec('nginx:2', 1);
    const uid = 'd0d0d0d0-0000-4000-8000-000000000001';
    cluster.apply<NomadJob>('jobs', { ...old, metadata: { ...old.metadata, uid, resourceVersion: next() }, spec });
    const r = versionRevision({ name: 'web-00000', namespace: 'default', uid }, { version: 0, spec, submitTime: new Date().toISOString(), stable: false });
    cluster.apply<V1ControllerRevision>('revisions', { ...r, metadata: { ...r.metadata, uid: 'rev-again', resourceVersion: next() } });
    const again = (await get(ctx, '/v1/job/web-00000')).body as NomadApiJob;
    expect([again.Version, again.TaskGroups[0]!.Count]).toEqual([0, 1]);
    expect(((await get(ctx, '/v1/job/web-00000/versions')).body as { Versions: NomadApiJob[] }).Versions.map((v) => v.Version)).toEqual([0]);
  });

  it("a child job by its Nomad ID, and a parent's children counted", async () => {
    const view = new ClusterView(cluster);
    const ctx = routeContext(cluster, view);
    const parent = updateJob('web-00000', (j) => ({ ...j, spec: { ...j.spec, type: 'batch', periodic: { crons: ['0 * * * *'] } } }));
    const child = cluster.apply<NomadJob>('jobs', {
      apiVersion: 'caravan.dev/v1alpha1',
      kind: 'NomadJob',
      metadata: {
        name: 'web-00000-periodic-1793520000',
        namespace: 'default',
        uid: 'c1c1c1c1-0000-4000-8000-000000000001',
        resourceVersion: next(),
        labels: { 'caravan.dev/parent-job': 'web-00000' },
        annotations: { 'caravan.dev/nomad-id': 'web-00000/periodic-1793520000', 'caravan.dev/parent-id': 'web-00000' },
        ownerReferences: [{ apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', name: 'web-00000', uid: parent.metadata.uid!, controller: false }],
      },
      spec: serviceSpec('busybox', 1),
      status: { observedGeneration: 1, status: 'running', conditions: [] },
    });
    expect(view.job('default', 'web-00000/periodic-1793520000')).toBe(child);
    expect(((await get(ctx, `/v1/job/${encodeURIComponent('web-00000/periodic-1793520000')}`)).body as NomadApiJob).ParentID).toBe('web-00000');
    const stub = (await jobs(ctx, 'namespace=default')).find((j) => j.ID === 'web-00000')!;
    expect(stub.JobSummary.Children).toEqual({ Pending: 0, Running: 1, Dead: 0 });
  });
});

describe('an evaluation by ID: a version placement by the index of version IDs, a pending one by a look at every job', () => {
  it("a recorded version's, a pending version's, and none once the version is gone", async () => {
    const ctx = routeContext(cluster);
    const read = async (id: string) => {
      try {
        return ((await get(ctx, `/v1/evaluation/${id}?namespace=default`)).body as { ID: string; JobID: string }).JobID;
      } catch (error) {
        return (error as Error).message;
      }
    };
    const listed = (await get(ctx, '/v1/job/web-00003/evaluations?namespace=default')).body as { ID: string; JobModifyIndex: number }[];
    expect(listed).toHaveLength(2);
    for (const e of listed) expect([await read(e.ID), ctx.view.placementOwner(e.ID)?.job.metadata.name]).toEqual(['web-00003', 'web-00003']);
    updateJob('web-00003', (j) => ({ ...j, spec: serviceSpec('nginx:1.31', 3), metadata: { ...j.metadata, generation: 3 } }));
    const withPending = (await get(ctx, '/v1/job/web-00003/evaluations?namespace=default')).body as { ID: string }[];
    const pending = withPending.find((e) => !listed.some((l) => l.ID === e.ID))!;
    expect(await read(pending.ID)).toBe('web-00003');
    cluster.delete('revisions', cluster.revisionCache.get('default/web-00003-v0')!);
    const v0 = listed.find((e) => e.JobModifyIndex === Math.min(...listed.map((l) => l.JobModifyIndex)))!;
    expect(await read(v0.ID)).toBe('eval not found');
  });
});

describe("the Pod cache's transform keeps what the API reads (cachedPod)", () => {
  it('allocations, their full form (AllocatedResources at the Pod IP) and a job read are the same from whole Pods', async () => {
    const whole = new MemoryCluster();
    populateCluster(whole, { jobs: 6, podsPerJob: 2, namespaces: 2, nodes: 3, cache: (pod) => pod });
    const transformed = new MemoryCluster();
    populateCluster(transformed, { jobs: 6, podsPerJob: 2, namespaces: 2, nodes: 3 });
    const [fromWhole, fromTransformed] = [routeContext(whole), routeContext(transformed)];
    expect(await allocations(fromTransformed)).toEqual(await allocations(fromWhole));
    const full = (ctx: ReturnType<typeof routeContext>, c: MemoryCluster) =>
      [...c.pods.values()].map((p) => ctx.view.allocations.allocation(p, ctx.view.nomadJobAt(ctx.view.allocations.jobOf(p)!, 1)!));
    const transformedFull = full(fromTransformed, transformed);
    expect(transformedFull[0]?.AllocatedResources?.Shared.Ports?.[0]?.HostIP).toMatch(/^10\.244\./);
    expect(transformedFull).toEqual(full(fromWhole, whole));
  });
});
