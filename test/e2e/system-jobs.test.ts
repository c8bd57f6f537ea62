import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeNode, fakeNodeName } from '../../src/cluster/fake-nodes.ts';
import { runController, type RunningController } from '../../src/controller/controller.ts';
import { apiErrorCode } from '../../src/kube/client.ts';
import { fromProjectRoot } from '../../src/project.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { startApi, tokenFor, type ApiUnderTest } from './nomad-api/api-harness.ts';
import { clusterClients, freshNamespace, isPodReady, waitFor } from './kube.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);
const nj = { group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs' };
/** A node this file adds and deletes (the cluster starts with kwok-node-0 … kwok-node-9). */
const joining = fakeNodeName(10);
const cordoned = fakeNodeName(3);
/** A dc1 node that joins after the sysbatch job ran. */
const late = fakeNodeName(12);

function agent(image: string): NomadJobSpec {
  return {
    type: 'system',
    datacenters: ['*'],
    update: { maxParallel: 3, minHealthyTime: '1s', healthyDeadline: '30s', progressDeadline: '2m' },
    taskGroups: [{ name: 'agent', tasks: [{ name: 'agent', driver: 'docker', config: { image } }] }],
  };
}

function sweep(image: string): NomadJobSpec {
  return {
    type: 'sysbatch',
    datacenters: ['dc1'],
    taskGroups: [
      {
        name: 'sweep',
        tasks: [{ name: 'sweep', driver: 'docker', config: { image } }],
        kubernetes: { annotations: { 'sim.caravan.dev/behavior': 'complete', 'sim.caravan.dev/delay': '1s' } },
      },
    ],
  };
}

const readyNodes = async () =>
  (await core.listNode()).items
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !n.spec?.unschedulable)
    .map((n) => n.metadata!.name!)
    .sort();

describe('system and sysbatch jobs on the real cluster (issue 13 §4)', () => {
  let controller: RunningController;
  let api: ApiUnderTest;
  let token: string;
  let namespace: string;
  beforeAll(async () => {
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'sys');
    api = await startApi();
    token = await tokenFor(namespace, 'reader', [
      { apiGroups: ['caravan.dev', ''], resources: ['nomadjobs', 'nomaddeployments', 'pods'], verbs: ['get', 'list', 'watch'] },
    ]);
  });
  afterAll(async () => {
    await core.patchNode({ name: cordoned, body: [{ op: 'replace', path: '/spec/unschedulable', value: false }] }).catch(() => undefined);
    await core.deleteNode({ name: joining }).catch(() => undefined);
    await core.deleteNode({ name: late }).catch(() => undefined);
    await api?.stop();
    await controller?.stop();
  });

  const pods = async (job: string): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: `caravan.dev/job=${job}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const nodesOf = (list: V1Pod[]) => list.map((p) => p.spec?.nodeName ?? `unbound:${p.metadata?.name}`).sort();
  const job = (name: string) => custom.getNamespacedCustomObject({ ...nj, namespace, name }) as Promise<NomadJob & { status?: Record<string, any> }>;
  const apply = (name: string, spec: NomadJobSpec) =>
    custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec } });
  const nomad = async (path: string) => {
    const res = await fetch(`${api.url}${path}${path.includes('?') ? '&' : '?'}namespace=${namespace}`, { headers: { 'X-Nomad-Token': token } });
    expect(res.status).toBe(200);
    return res.json() as Promise<any>;
  };

  /** Waits until every eligible node runs one Ready allocation of the job at `version`, and nothing else runs. */
  const spreadOver = (name: string, nodes: () => Promise<string[]>, version: number) =>
    waitFor(
      `${name} v${version} on one Ready Pod per eligible node`,
      async () => {
        const want = await nodes();
        const list = await pods(name);
        const ok = list.every((p) => isPodReady(p) && p.metadata?.labels?.['caravan.dev/job-version'] === String(version));
        return ok && JSON.stringify(nodesOf(list)) === JSON.stringify(want) ? list : undefined;
      },
      120_000,
      500,
    );

  it('a system job spreads over every node: one Pod per node, pinned by a required node affinity on metadata.name', async () => {
    await apply('agent', agent('agent:1'));
    const list = await spreadOver('agent', readyNodes, 0);
    expect(list).toHaveLength(10);
    const pod = list.find((p) => p.spec?.nodeName === 'kwok-node-4')!;
    expect(pod.metadata?.name).toBe('agent-agent-kwok-node-4-v0');
    expect(pod.metadata?.annotations?.['caravan.dev/alloc-name']).toBe('agent.agent[0]');
    expect(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['kwok-node-4'] }] },
    ]);
    const ready = await waitFor(
      'agent to be Ready',
      async () => {
        const j = await job('agent');
        return j.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True' ? j : undefined;
      },
      60_000,
      500,
    );
    expect(ready.status).toMatchObject({ status: 'running', desired: 10, running: 10, latestDeployment: { name: 'agent-v0', status: 'successful' } });

    // The Nomad API agrees with the Pods: one allocation per node, each with its node's ID.
    const allocs = (await nomad('/v1/job/agent/allocations')) as { Name: string; NodeName: string; NodeID: string; ClientStatus: string }[];
    const nodes = new Map((await core.listNode()).items.map((n) => [n.metadata!.name!, n.metadata!.uid!]));
    expect(allocs.map((a) => a.NodeName).sort()).toEqual(await readyNodes());
    for (const a of allocs) {
      expect(a.Name).toBe('agent.agent[0]');
      expect(a.NodeID).toBe(nodes.get(a.NodeName));
      expect(a.ClientStatus).toBe('running');
    }
    const summary = await nomad('/v1/job/agent/summary');
    expect(summary.Summary.agent).toMatchObject({ Running: 10, Queued: 0, Lost: 0 });
  });

  it('a node that joins gets an allocation; when it is deleted, its allocation is gone and placed nowhere else', async () => {
    await core.createNode({ body: fakeNode(10) });
    // kwok marks a new node Ready a moment later: until then the ten old nodes already match.
    await waitFor('the joining node to be Ready', async () => ((await readyNodes()).includes(joining) ? true : undefined), 30_000, 200);
    const eleven = await spreadOver('agent', readyNodes, 0);
    expect(eleven).toHaveLength(11);
    expect(eleven.find((p) => p.spec?.nodeName === joining)?.metadata?.name).toBe(`agent-agent-${joining}-v0`);

    await core.deleteNode({ name: joining });
    await waitFor('the node to be gone', async () => {
      try {
        await core.readNode({ name: joining });
        return undefined;
      } catch (error) {
        return apiErrorCode(error) === 404 ? true : undefined;
      }
    });
    const ten = await spreadOver('agent', readyNodes, 0);
    expect(ten).toHaveLength(10);
    expect(nodesOf(ten)).not.toContain(joining);
    // Still ten a little later: nothing was placed elsewhere in its stead.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await pods('agent')).toHaveLength(10);
  });

  it('a cordoned node keeps its allocation; the next version stops it there and places nothing new on it', async () => {
    await core.patchNode({ name: cordoned, body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    await new Promise((r) => setTimeout(r, 2000));
    expect(nodesOf(await pods('agent'))).toContain(cordoned);

    await custom.patchNamespacedCustomObject({ ...nj, namespace, name: 'agent', body: [{ op: 'replace', path: '/spec', value: agent('agent:2') }] });
    const nine = await spreadOver('agent', readyNodes, 1);
    expect(nine).toHaveLength(9);
    expect(nodesOf(nine)).not.toContain(cordoned);
    const deployment = await waitFor(
      'agent-v1 to succeed',
      async () => {
        const d = (await custom.getNamespacedCustomObject({
          group: 'caravan.dev',
          version: 'v1alpha1',
          plural: 'nomaddeployments',
          namespace,
          name: 'agent-v1',
        })) as {
          status?: { status?: string; taskGroups?: Record<string, { desiredTotal: number; healthyAllocs: number }> };
        };
        return d.status?.status === 'successful' ? d : undefined;
      },
      120_000,
      500,
    );
    expect(deployment.status?.taskGroups?.['agent']).toMatchObject({ desiredTotal: 9, healthyAllocs: 9 });

    // Uncordoned: it gets the current version.
    await core.patchNode({ name: cordoned, body: [{ op: 'replace', path: '/spec/unschedulable', value: false }] });
    expect(await spreadOver('agent', readyNodes, 1)).toHaveLength(10);
  });

  it('a sysbatch job completes once on every node of its datacenter and is not run again', async () => {
    await apply('sweep', sweep('sweep:1'));
    const dc1 = async () =>
      (await core.listNode({ labelSelector: 'caravan.dev/datacenter=dc1' })).items
        .filter((n) => !n.spec?.unschedulable)
        .map((n) => n.metadata!.name!)
        .sort();
    const done = await waitFor(
      'sweep to complete on every dc1 node',
      async () => {
        const list = await pods('sweep');
        return list.length > 0 && list.every((p) => p.status?.phase === 'Succeeded') && JSON.stringify(nodesOf(list)) === JSON.stringify(await dc1())
          ? list
          : undefined;
      },
      120_000,
      500,
    );
    expect(done).toHaveLength(5);
    const dead = await waitFor('sweep to be dead', async () => ((await job('sweep')).status?.status === 'dead' ? await job('sweep') : undefined), 30_000, 500);
    expect(dead.status?.summary?.sweep).toMatchObject({ complete: 5 });
    // Nothing runs again: the same five Pods, a while later.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await pods('sweep')).map((p) => p.metadata?.uid).sort()).toEqual(done.map((p) => p.metadata?.uid).sort());
  });
  it('a dc1 node that joins after the sysbatch run gets nothing until the job is evaluated; then only it runs', async () => {
    const before = (await pods('sweep')).map((p) => p.metadata?.uid).sort();
    await core.createNode({ body: fakeNode(12) });
    await waitFor('the late node to be Ready', async () => ((await readyNodes()).includes(late) ? true : undefined), 30_000, 500);
    await new Promise((r) => setTimeout(r, 3000));
    expect(nodesOf(await pods('sweep'))).not.toContain(late);

    // What POST /v1/job/sweep/evaluate writes (nomad job eval).
    await custom.patchNamespacedCustomObject({
      ...nj,
      namespace,
      name: 'sweep',
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'caravan.dev/evaluate-requested': new Date().toISOString() } }],
    });
    const six = await waitFor(
      'sweep to complete on the late node',
      async () => {
        const list = await pods('sweep');
        return list.find((p) => p.spec?.nodeName === late)?.status?.phase === 'Succeeded' ? list : undefined;
      },
      60_000,
      500,
    );
    expect(six).toHaveLength(6);
    // The other five were not run again.
    expect(
      six
        .filter((p) => p.spec?.nodeName !== late)
        .map((p) => p.metadata?.uid)
        .sort(),
    ).toEqual(before);
    await core.deleteNode({ name: late });
  });

  it('examples/node-agent.yaml and examples/node-cleanup.yaml run as their comments say', async () => {
    const example = (file: string) => load(readFileSync(fromProjectRoot('examples', file), 'utf8')) as NomadJob;
    for (const file of ['node-agent.yaml', 'node-cleanup.yaml']) {
      const { metadata, spec, apiVersion, kind } = example(file);
      await custom.createNamespacedCustomObject({ ...nj, namespace, body: { apiVersion, kind, metadata: { name: metadata.name }, spec } });
    }
    const agents = await spreadOver('log-shipper', readyNodes, 0);
    expect(agents).toHaveLength(10);
    expect(agents.every((p) => p.metadata?.name === `log-shipper-agent-${p.spec?.nodeName}-v0`)).toBe(true);
    const cleaned = await waitFor(
      'node-cleanup to be dead',
      async () => {
        const j = await job('node-cleanup');
        return j.status?.status === 'dead' ? pods('node-cleanup') : undefined;
      },
      90_000,
      500,
    );
    expect(cleaned.map((p) => p.status?.phase)).toEqual(Array(5).fill('Succeeded'));
  });
});
