import type { V1ContainerStatus, V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import { jobIndexes } from '../../../../src/api/nomad/indexes.ts';
import type { JobAtVersion } from '../../../../src/api/nomad/job.ts';
import { canonicalJob } from '../../../../src/model/defaults.ts';
import type { JobVersion } from '../../../../src/model/job-versions.ts';
import type { NomadJobSpec } from '../../../../src/model/nomad-job-spec.ts';
import { renderAllocationPod } from '../../../../src/resources/allocation-pod.ts';
import { versionRevision } from '../../../../src/resources/job-version.ts';
import type { NomadDeployment } from '../../../../src/resources/nomad-deployment.ts';
import type { NomadJob, NomadJobStatus } from '../../../../src/resources/nomad-job.ts';

/** A shop's web front end, as in examples/web-canary.yaml: v0 stable on nginx 1.26, v1 canarying nginx 1.27. */
export const t0 = Date.parse('2026-03-01T10:00:00Z');
export const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
/** Unix nanoseconds of `at(seconds)`. */
export const ns = (seconds: number) => (t0 + seconds * 1000) * 1e6;

export const jobUid = '5f0c2a34-1b7e-4c1a-9a57-0d7e7f0c1a01';
export const deploymentUid = 'd1d1d1d1-2b3c-4d5e-8f60-718293a4b5c6';

export function webSpec(image: string, canary = 0): NomadJobSpec {
  return {
    datacenters: ['*'],
    meta: { team: 'storefront' },
    update: { maxParallel: 2, canary, autoPromote: canary > 0, autoRevert: true, minHealthyTime: '15s', healthyDeadline: '2m', progressDeadline: '5m' },
    taskGroups: [
      {
        name: 'frontend',
        count: 4,
        networks: [{ ports: [{ label: 'http', to: 8080 }] }],
        services: [{ name: 'web', port: 'http', tags: ['public'], checks: [{ type: 'http', path: '/healthz', interval: '5s', timeout: '1s' }] }],
        spreads: [{ attribute: '${node.datacenter}', weight: 100 }],
        tasks: [{ name: 'nginx', driver: 'docker', config: { image, ports: ['http'] }, env: { LISTEN_PORT: '8080' }, resources: { cpu: 250, memoryMB: 128 } }],
        kubernetes: { labels: { tier: 'frontend' } },
      },
    ],
  };
}

export const v0: JobVersion = { version: 0, spec: webSpec('nginx:1.26'), submitTime: at(0), stable: true };
export const v1: JobVersion = { version: 1, spec: webSpec('nginx:1.27', 1), submitTime: at(600), stable: false };

export function webJob(status: Partial<NomadJobStatus> = {}): NomadJob & { apiVersion: 'caravan.dev/v1alpha1'; kind: 'NomadJob' } {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadJob',
    metadata: { name: 'web', namespace: 'shop', uid: jobUid, resourceVersion: '1450' },
    spec: v1.spec,
    status: {
      observedGeneration: 2,
      status: 'running',
      version: 1,
      runningVersion: 1,
      stableVersion: 0,
      desired: 4,
      running: 5,
      summary: { frontend: { queued: 0, starting: 0, running: 5, failed: 0, complete: 0, lost: 0 } },
      conditions: [],
      ...status,
    },
  };
}

/** The version ControllerRevisions, as the API server returns them (with resourceVersions). */
export const revisions: V1ControllerRevision[] = [
  {
    ...versionRevision({ name: 'web', namespace: 'shop', uid: jobUid }, v0),
    metadata: { ...versionRevision({ name: 'web', namespace: 'shop', uid: jobUid }, v0).metadata, uid: 'rev-0', resourceVersion: '1210' },
  },
  {
    ...versionRevision({ name: 'web', namespace: 'shop', uid: jobUid }, v1),
    metadata: { ...versionRevision({ name: 'web', namespace: 'shop', uid: jobUid }, v1).metadata, uid: 'rev-1', resourceVersion: '1402' },
  },
];

export function webAt(version: JobVersion, job = webJob()): JobAtVersion {
  return { job, version, indexes: jobIndexes(job, revisions, version.version) };
}

/** NomadDeployment web-v1: the canary healthy, waiting for its automatic promotion. */
export function webV1Deployment(status: Partial<NonNullable<NomadDeployment['status']>> = {}): NomadDeployment {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadDeployment',
    metadata: {
      name: 'web-v1',
      namespace: 'shop',
      uid: deploymentUid,
      generation: 1,
      creationTimestamp: at(601),
      resourceVersion: '1466',
      labels: { 'caravan.dev/job': 'web' },
    },
    spec: { job: 'web', jobVersion: 1 },
    status: {
      observedGeneration: 1,
      id: deploymentUid,
      status: 'running',
      statusDescription: 'Deployment is running pending automatic promotion',
      createTime: at(601),
      modifyTime: at(640),
      taskGroups: {
        frontend: {
          autoRevert: true,
          autoPromote: true,
          progressDeadline: '5m0s',
          requireProgressBy: at(925),
          promoted: false,
          placedCanaries: ['c0c0c0c0-0000-4000-8000-00000000000c'],
          desiredCanaries: 1,
          desiredTotal: 4,
          placedAllocs: 1,
          healthyAllocs: 1,
          unhealthyAllocs: 0,
        },
      },
      conditions: [{ type: 'IntentHonoured', status: 'True', reason: 'Honoured', message: '', observedGeneration: 1 }],
      ...status,
    },
  };
}

export const nodeName = 'kwok-node-3';
export const nodeUid = 'a1b2c3d4-0000-4000-8000-000000000003';
export const nodes = new Map([[nodeName, { uid: nodeUid, ready: true }]]);
export const deploymentIds = new Map([['web-v1', deploymentUid]]);

/** A container running since `since` seconds, ready. */
export function running(since: number, restartCount = 0, extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus {
  return {
    name: 'nginx',
    image: 'nginx:1.27',
    imageID: '',
    ready: true,
    restartCount,
    started: true,
    state: { running: { startedAt: new Date(at(since)) } },
    ...extra,
  };
}

export interface PodOptions {
  readonly uid: string;
  readonly version?: JobVersion;
  readonly index?: number;
  readonly canary?: boolean;
  readonly deployment?: string;
  readonly replacement?: number;
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  readonly scheduled?: boolean;
  readonly containers?: V1ContainerStatus[];
  readonly annotations?: Record<string, string>;
  readonly resourceVersion?: string;
  readonly createdAt?: number;
}

/** An allocation Pod as the controller renders it, then as the API server and kubelet fill it in. */
export function allocationPod(o: PodOptions): V1Pod {
  const version = o.version ?? v1;
  const job = canonicalJob('web', 'shop', version.spec);
  const pod = renderAllocationPod({
    job,
    jobUid,
    version: version.version,
    group: 'frontend',
    index: o.index ?? 0,
    canary: o.canary ?? false,
    ...(o.deployment ? { deployment: o.deployment } : {}),
    ...(o.replacement ? { replacement: o.replacement } : {}),
  });
  const created = o.createdAt ?? 610;
  const scheduled = o.scheduled ?? true;
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      uid: o.uid,
      resourceVersion: o.resourceVersion ?? '1460',
      creationTimestamp: new Date(at(created)),
      annotations: { ...pod.metadata!.annotations, ...o.annotations },
    },
    spec: { ...pod.spec!, ...(scheduled ? { nodeName } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      ...(scheduled ? { startTime: new Date(at(created + 1)), podIP: '10.244.3.17' } : {}),
      conditions: scheduled
        ? [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(at(created)) },
            { type: 'Ready', status: o.phase === 'Pending' ? 'False' : 'True', lastTransitionTime: new Date(at(created + 6)) },
          ]
        : [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: new Date(at(created)) }],
      ...(o.containers ? { containerStatuses: o.containers } : scheduled ? { containerStatuses: [running(created + 5)] } : {}),
    },
  };
}
