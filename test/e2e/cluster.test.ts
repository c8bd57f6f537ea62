import { type AuthenticationV1TokenRequest, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiErrorCode } from '../../src/kube/client.ts';
import { clusterClients, freshNamespace, isPodReady, simulatedPod, waitFor } from './kube.ts';

const { kc, core, apps } = clusterClients();

describe('the local control plane is a real cluster', () => {
  it('has 10 Ready kwok nodes spread over zones and datacenters, with allocatable resources', async () => {
    const nodes = (await core.listNode({ labelSelector: 'caravan.dev/fake-node=true' })).items;
    expect(nodes).toHaveLength(10);
    for (const node of nodes) {
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(node.status?.allocatable).toMatchObject({ cpu: '32', memory: '128Gi', pods: '500' });
    }
    const zones = new Set(nodes.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone']));
    const datacenters = new Set(nodes.map((n) => n.metadata?.labels?.['caravan.dev/datacenter']));
    expect([...zones].sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect([...datacenters].sort()).toEqual(['dc1', 'dc2']);
  });

  it('enforces RBAC: a ServiceAccount with no role cannot list pods', async () => {
    const namespace = await freshNamespace(core, 'rbac');
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'nobody' } } });
    const request: AuthenticationV1TokenRequest = { spec: { audiences: [], expirationSeconds: 600 } };
    const token = await core.createNamespacedServiceAccountToken({ name: 'nobody', namespace, body: request });
    const asNobody = new KubeConfig();
    asNobody.loadFromOptions({
      clusters: [kc.getCurrentCluster()!],
      users: [{ name: 'nobody', token: token.status!.token }],
      contexts: [{ name: 'nobody', cluster: kc.getCurrentCluster()!.name, user: 'nobody' }],
      currentContext: 'nobody',
    });
    const error = await asNobody
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(apiErrorCode(error)).toBe(403);
  });
});

describe('pods on kwok nodes', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await freshNamespace(core, 'pods');
  });

  const readPod = (name: string) => core.readNamespacedPod({ name, namespace });

  it('a plain pod is scheduled by kube-scheduler onto a kwok node and becomes Running and Ready', async () => {
    await core.createNamespacedPod({ namespace, body: simulatedPod('plain') });
    const pod = await waitFor('pod plain Ready', async () => {
      const p = await readPod('plain');
      return isPodReady(p) ? p : undefined;
    });
    expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toMatch(/^10\./);
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, restartCount: 0 });
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=plain' });
    expect(
      events.items.some((e) => e.reason === 'Scheduled' && (e.reportingComponent === 'default-scheduler' || e.source?.component === 'default-scheduler')),
    ).toBe(true);
  });

  it('a crash pod goes into CrashLoopBackOff with its restart count climbing', async () => {
    await core.createNamespacedPod({ namespace, body: simulatedPod('crasher', { 'sim.caravan.dev/behavior': 'crash' }) });
    const pod = await waitFor(
      'crasher to restart twice',
      async () => {
        const p = await readPod('crasher');
        return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
      },
      30_000,
    );
    const container = pod.status!.containerStatuses![0]!;
    expect(pod.status?.phase).toBe('Running');
    expect(isPodReady(pod)).toBe(false);
    expect(container.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(container.lastState?.terminated?.exitCode).toBe(1);
  });

  it('a never-ready pod runs but stays unready', async () => {
    await core.createNamespacedPod({ namespace, body: simulatedPod('unready', { 'sim.caravan.dev/behavior': 'never-ready' }) });
    await waitFor('unready to run', async () => ((await readPod('unready')).status?.phase === 'Running' ? true : undefined));
    await sleep(5_000);
    const pod = await readPod('unready');
    expect(pod.status?.phase).toBe('Running');
    expect(isPodReady(pod)).toBe(false);
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true, restartCount: 0 });
  });

  it.each([
    { behavior: 'fail', phase: 'Failed', exitCode: 1 },
    { behavior: 'complete', phase: 'Succeeded', exitCode: 0 },
  ])('a $behavior pod ends in phase $phase with exit code $exitCode', async ({ behavior, phase, exitCode }) => {
    await core.createNamespacedPod({ namespace, body: simulatedPod(behavior, { 'sim.caravan.dev/behavior': behavior }) });
    const pod = await waitFor(`${behavior} pod to reach ${phase}`, async () => {
      const p = await readPod(behavior);
      return p.status?.phase === phase ? p : undefined;
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(exitCode);
  });

  it('sim.caravan.dev/delay holds the transition back: a ready pod with a 4s delay is not Ready at first', async () => {
    const created = Date.now();
    await core.createNamespacedPod({ namespace, body: simulatedPod('slow', { 'sim.caravan.dev/delay': '4s' }) });
    await sleep(1_500);
    expect(isPodReady(await readPod('slow'))).toBe(false);
    await waitFor('slow to become Ready', async () => (isPodReady(await readPod('slow')) ? true : undefined), 30_000);
    expect(Date.now() - created).toBeGreaterThanOrEqual(4_000);
  });

  it('a fail pod with a delay runs Ready first, then fails after the delay', async () => {
    await core.createNamespacedPod({ namespace, body: simulatedPod('late-fail', { 'sim.caravan.dev/behavior': 'fail', 'sim.caravan.dev/delay': '3s' }) });
    const running = await waitFor('late-fail Ready', async () => {
      const p = await readPod('late-fail');
      return isPodReady(p) ? p : undefined;
    });
    expect(running.status?.phase).toBe('Running');
    await waitFor('late-fail Failed', async () => ((await readPod('late-fail')).status?.phase === 'Failed' ? true : undefined), 30_000);
  });

  it('a deleted pod goes away (kwok finishes graceful deletion)', async () => {
    await core.createNamespacedPod({ namespace, body: simulatedPod('short-lived') });
    await waitFor('short-lived Ready', async () => (isPodReady(await readPod('short-lived')) ? true : undefined));
    await core.deleteNamespacedPod({ name: 'short-lived', namespace });
    await waitFor('short-lived gone', async () =>
      readPod('short-lived').then(
        () => undefined,
        (e: unknown) => (apiErrorCode(e) === 404 ? true : undefined),
      ),
    );
  });
});

describe('kube-controller-manager', () => {
  it('rolls out an apps/v1 Deployment, rolls it forward to a new template, and garbage-collects its pods when it is deleted', async () => {
    const namespace = await freshNamespace(core, 'deploy');
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
        },
      },
    });
    const rolledOut = async (generation: number) => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
      const s = d.status;
      return (s?.observedGeneration ?? 0) >= generation && s?.updatedReplicas === 3 && s.availableReplicas === 3 && s.replicas === 3 ? d : undefined;
    };
    await waitFor('web v1 rolled out', () => rolledOut(1));

    await apps.patchNamespacedDeployment({ name: 'web', namespace, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'web:2' }] });
    await waitFor('web v2 rolled out', () => rolledOut(2));
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace })).items;
    expect(replicaSets).toHaveLength(2);
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.filter((p: V1Pod) => !p.metadata?.deletionTimestamp);
    expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(['web:2', 'web:2', 'web:2']);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace, propagationPolicy: 'Background' });
    await waitFor('the garbage collector to delete the ReplicaSets and pods', async () => {
      const [rs, po] = await Promise.all([apps.listNamespacedReplicaSet({ namespace }), core.listNamespacedPod({ namespace })]);
      return rs.items.length === 0 && po.items.length === 0 ? true : undefined;
    });
  });
});
