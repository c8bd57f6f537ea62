/**
 * A cluster of settled service jobs, rendered with Caravan's own code (the controller's Pods,
 * version ControllerRevisions and NomadDeployments) and given the statuses the controller and the
 * kubelet would have written, for tests of the API's lists and for bench/api-lists.ts.
 *
 * Each job has two versions (v0, stable, and v1, stable once its deployment succeeded), the
 * successful deployment of v1, and `podsPerJob` running, healthy allocations of v1 on `nodes`
 * kwok nodes. Pods are cached as the Pod informer's transform keeps them (cachedPod).
 */
import type { V1ControllerRevision, V1Node, V1Pod } from '@kubernetes/client-node';
import { canonicalJob } from '../../../src/model/defaults.ts';
import type { JobVersion } from '../../../src/model/job-versions.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import { cachedPod, renderAllocationPod } from '../../../src/resources/allocation-pod.ts';
import { formatRecordedHealth } from '../../../src/resources/recorded-health.ts';
import { versionRevision } from '../../../src/resources/job-version.ts';
import { annotations } from '../../../src/resources/labels.ts';
import { deploymentObject, deploymentStatusBody, type NomadDeployment } from '../../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';
import type { MemoryCluster } from './memory-cluster.ts';

export interface FixtureSize {
  readonly jobs: number;
  readonly podsPerJob: number;
  readonly namespaces: number;
  readonly nodes: number;
  /** What the Pod cache keeps of each Pod: the informer's transform by default. */
  readonly cache?: (pod: V1Pod) => V1Pod;
}

/** Where the fixture's clock starts. */
export const fixtureStart = Date.parse('2026-11-01T08:00:00Z');

/** Deterministic RFC 4122-shaped UIDs: a kind digit and a counter. */
export function fixtureUid(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A web service like examples/web-canary.yaml, `count` allocations, one HTTP check. */
export function serviceSpec(image: string, count: number): NomadJobSpec {
  return {
    datacenters: ['*'],
    meta: { team: 'storefront', tier: 'web' },
    update: { maxParallel: 2, autoRevert: true, minHealthyTime: '10s', healthyDeadline: '2m', progressDeadline: '5m' },
    taskGroups: [
      {
        name: 'frontend',
        count,
        networks: [{ ports: [{ label: 'http', to: 8080 }] }],
        services: [{ name: 'web', port: 'http', tags: ['public'], checks: [{ type: 'http', path: '/healthz', interval: '5s', timeout: '1s' }] }],
        tasks: [{ name: 'nginx', driver: 'docker', config: { image, ports: ['http'] }, env: { LISTEN_PORT: '8080' }, resources: { cpu: 250, memoryMB: 128 } }],
      },
    ],
  };
}

/** A Ready kwok node. */
export function fixtureNode(i: number, resourceVersion: string): V1Node {
  return {
    metadata: { name: `kwok-node-${i}`, uid: fixtureUid(9, i), resourceVersion, labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: { unschedulable: false },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  } as V1Node;
}

/** Fills `cluster` with `size` (objects get growing resourceVersions from `rv`); returns the last resourceVersion used. */
export function populateCluster(cluster: MemoryCluster, size: FixtureSize): number {
  let rv = 100;
  const next = () => String(++rv);
  for (let i = 0; i < size.nodes; i++) cluster.apply('nodes', fixtureNode(i, next()));
  for (let j = 0; j < size.jobs; j++) {
    const namespace = j % size.namespaces === 0 ? 'default' : `team-${j % size.namespaces}`;
    addSettledJob(cluster, {
      name: `web-${String(j).padStart(5, '0')}`,
      namespace,
      n: j,
      podsPerJob: size.podsPerJob,
      nodes: size.nodes,
      next,
      ...(size.cache ? { cache: size.cache } : {}),
    });
  }
  return rv;
}

/** One settled job with its versions, deployment and Pods. */
export function addSettledJob(
  cluster: MemoryCluster,
  o: { name: string; namespace: string; n: number; podsPerJob: number; nodes: number; next: () => string; cache?: (pod: V1Pod) => V1Pod },
): { job: NomadJob; revisions: V1ControllerRevision[]; deployment: NomadDeployment; pods: V1Pod[] } {
  const { name, namespace, n, next } = o;
  const t0 = fixtureStart + n * 1000;
  const uid = fixtureUid(1, n);
  const identity = { name, namespace, uid };
  const versions: JobVersion[] = [
    { version: 0, spec: serviceSpec('nginx:1.26', o.podsPerJob), submitTime: iso(t0), stable: true },
    { version: 1, spec: serviceSpec('nginx:1.27', o.podsPerJob), submitTime: iso(t0 + 600_000), stable: true },
  ];
  const job = cluster.apply<NomadJob>('jobs', {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadJob',
    metadata: { name, namespace, uid, generation: 2, resourceVersion: next(), creationTimestamp: iso(t0) },
    spec: versions[1]!.spec,
  });
  const revisions = versions.map((v, i) => {
    const r = versionRevision(identity, v);
    return cluster.apply<V1ControllerRevision>('revisions', { ...r, metadata: { ...r.metadata, uid: fixtureUid(2, n * 8 + i), resourceVersion: next() } });
  });
  const created = deploymentObject(identity, {
    name: `${name}-v1`,
    jobVersion: 1,
    status: 'running',
    statusDescription: '',
    groups: {},
    createdAt: t0 + 601_000,
  });
  const deploymentUid = fixtureUid(3, n);
  const pods: V1Pod[] = [];
  const canonical = canonicalJob(name, namespace, versions[1]!.spec);
  for (let index = 0; index < o.podsPerJob; index++) {
    const started = t0 + 605_000 + index * 1000;
    const rendered = renderAllocationPod({
      job: canonical,
      jobUid: uid,
      version: 1,
      group: 'frontend',
      index,
      canary: false,
      deployment: created.metadata.name,
    });
    const nodeName = `kwok-node-${(n * o.podsPerJob + index) % o.nodes}`;
    const pod: V1Pod = {
      ...rendered,
      metadata: {
        ...rendered.metadata,
        uid: fixtureUid(4, n * o.podsPerJob + index),
        resourceVersion: next(),
        creationTimestamp: iso(started) as unknown as Date,
        annotations: { ...rendered.metadata?.annotations, [annotations.deploymentHealth]: formatRecordedHealth('healthy', started + 20_000) },
      },
      spec: { ...rendered.spec!, nodeName },
      status: {
        phase: 'Running',
        podIP: `10.244.${index % 250}.${(n % 250) + 1}`,
        startTime: iso(started + 1000) as unknown as Date,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: iso(started) as unknown as Date },
          { type: 'Ready', status: 'True', lastTransitionTime: iso(started + 7000) as unknown as Date },
        ],
        containerStatuses: [
          {
            name: 'nginx',
            image: 'nginx:1.27',
            imageID: '',
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: iso(started + 5000) as unknown as Date } },
          },
        ],
      },
    };
    pods.push(cluster.apply('pods', (o.cache ?? cachedPod)(pod)));
  }
  const group = {
    autoRevert: true,
    autoPromote: false,
    progressDeadline: 300_000,
    promoted: false,
    placedCanaries: [],
    desiredCanaries: 0,
    desiredTotal: o.podsPerJob,
    placedAllocs: o.podsPerJob,
    healthyAllocs: o.podsPerJob,
    unhealthyAllocs: 0,
  };
  const settled = {
    name: created.metadata.name,
    id: deploymentUid,
    jobVersion: 1,
    status: 'successful' as const,
    statusDescription: 'Deployment completed successfully',
    groups: { frontend: group },
    createdAt: t0 + 601_000,
  };
  const deploymentMeta = { ...created.metadata, uid: deploymentUid, generation: 1, creationTimestamp: iso(t0 + 601_000) };
  const deployment = cluster.apply<NomadDeployment>('deployments', {
    ...created,
    metadata: { ...deploymentMeta, resourceVersion: next() },
    status: deploymentStatusBody(settled, { metadata: deploymentMeta }, t0 + 700_000),
  });
  const settledJob = cluster.apply<NomadJob>('jobs', {
    ...job,
    metadata: { ...job.metadata, resourceVersion: next() },
    status: {
      observedGeneration: 2,
      status: 'running',
      version: 1,
      runningVersion: 1,
      stableVersion: 1,
      desired: o.podsPerJob,
      running: o.podsPerJob,
      summary: { frontend: { queued: 0, starting: 0, running: o.podsPerJob, failed: 0, complete: 0, lost: 0 } },
      latestDeployment: { name: created.metadata.name, id: deploymentUid, jobVersion: 1, status: 'successful', statusDescription: settled.statusDescription },
      conditions: [],
    },
  });
  return { job: settledJob, revisions, deployment, pods };
}
