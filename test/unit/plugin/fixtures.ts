import type { V1Pod } from '@kubernetes/client-node';
import type { JobVersion } from '../../../src/model/job-versions.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import type { JobSnapshot, NodeInfo } from '../../../src/plugin/objects.ts';
import type { NomadDeployment } from '../../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';

/** The shapes below are what the API server returns for Caravan's objects (times as strings). */

export const t0 = Date.parse('2026-03-01T10:00:00Z');
export const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

export function webSpec(image: string, canary = 0): NomadJobSpec {
  return {
    update: { maxParallel: 1, canary, minHealthyTime: '2s', healthyDeadline: '30s', progressDeadline: '2m', autoRevert: true },
    taskGroups: [{ name: 'frontend', count: 3, tasks: [{ name: 'nginx', driver: 'docker', config: { image } }] }],
  };
}

export const versions: JobVersion[] = [
  { version: 0, spec: webSpec('nginx:1'), submitTime: at(0), stable: true },
  { version: 1, spec: webSpec('nginx:2', 1), submitTime: at(60), stable: false },
];

/** NomadJob web at version 1, its canary waiting for promotion (resources/nomad-job.ts's NomadJobStatus). */
export function webJob(overrides: Partial<NomadJob['status']> = {}): NomadJob {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadJob',
    metadata: { name: 'web', namespace: 'shop', uid: 'job-uid', generation: 2, resourceVersion: '900' },
    spec: webSpec('nginx:2', 1),
    status: {
      observedGeneration: 2,
      status: 'running',
      version: 1,
      runningVersion: 1,
      stableVersion: 0,
      desired: 3,
      running: 4,
      summary: { frontend: { queued: 0, starting: 0, running: 4, failed: 0, complete: 0, lost: 0 } },
      latestDeployment: {
        name: 'web-v1',
        id: 'd1d1d1d1-0000-4000-8000-000000000001',
        jobVersion: 1,
        status: 'running',
        statusDescription: 'Deployment is running but requires manual promotion',
      },
      conditions: [],
      ...overrides,
    },
  };
}

/** NomadDeployment web-v1 (resources/nomad-deployment.ts): one healthy canary, not promoted. */
export function webV1(
  overrides: { spec?: Partial<NomadDeployment['spec']>; status?: Partial<NonNullable<NomadDeployment['status']>>; generation?: number } = {},
): NomadDeployment {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadDeployment',
    metadata: {
      name: 'web-v1',
      namespace: 'shop',
      uid: 'd1d1d1d1-0000-4000-8000-000000000001',
      generation: overrides.generation ?? 1,
      labels: { 'caravan.dev/job': 'web' },
    },
    spec: { job: 'web', jobVersion: 1, ...overrides.spec },
    status: {
      observedGeneration: overrides.generation ?? 1,
      id: 'd1d1d1d1-0000-4000-8000-000000000001',
      status: 'running',
      statusDescription: 'Deployment is running but requires manual promotion',
      createTime: at(61),
      modifyTime: at(70),
      taskGroups: {
        frontend: {
          autoRevert: true,
          autoPromote: false,
          progressDeadline: '2m0s',
          requireProgressBy: at(190),
          promoted: false,
          placedCanaries: ['c0c0c0c0-0000-4000-8000-00000000000c'],
          desiredCanaries: 1,
          desiredTotal: 3,
          placedAllocs: 1,
          healthyAllocs: 1,
          unhealthyAllocs: 0,
        },
      },
      conditions: [{ type: 'IntentHonoured', status: 'True', reason: 'Honoured', message: '', observedGeneration: overrides.generation ?? 1 }],
      ...overrides.status,
    },
  };
}

export function allocPod(o: {
  name: string;
  uid: string;
  index: number;
  version: number;
  canary?: boolean;
  node?: string;
  phase?: string;
  created: number;
  deployment?: string;
  health?: string;
  manual?: string;
  deleting?: boolean;
}): V1Pod {
  return {
    metadata: {
      name: o.name,
      namespace: 'shop',
      uid: o.uid,
      creationTimestamp: at(o.created) as unknown as Date,
      ...(o.deleting ? { deletionTimestamp: at(o.created + 100) as unknown as Date } : {}),
      labels: {
        'caravan.dev/job': 'web',
        'caravan.dev/task-group': 'frontend',
        'caravan.dev/job-version': String(o.version),
        'caravan.dev/alloc-index': String(o.index),
        'caravan.dev/canary': String(o.canary ?? false),
      },
      annotations: {
        'caravan.dev/alloc-name': `web.frontend[${o.index}]`,
        ...(o.deployment ? { 'caravan.dev/deployment': o.deployment } : {}),
        ...(o.health ? { 'caravan.dev/deployment-health': o.health } : {}),
        ...(o.manual ? { 'caravan.dev/health': o.manual } : {}),
      },
    },
    spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      startTime: at(o.created + 1) as unknown as Date,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at(o.created + 3) as unknown as Date }],
    },
  };
}

export const pods: V1Pod[] = [
  allocPod({
    name: 'web-frontend-0-v0',
    uid: 'a0a0a0a0-0000-4000-8000-000000000000',
    index: 0,
    version: 0,
    node: 'kwok-node-0',
    created: 1,
    deployment: 'web-v0',
    health: `healthy@${at(6)}`,
  }),
  allocPod({
    name: 'web-frontend-1-v0',
    uid: 'a1a1a1a1-0000-4000-8000-000000000001',
    index: 1,
    version: 0,
    node: 'kwok-node-1',
    created: 1,
    deployment: 'web-v0',
    health: `healthy@${at(6)}`,
  }),
  allocPod({
    name: 'web-frontend-2-v0',
    uid: 'a2a2a2a2-0000-4000-8000-000000000002',
    index: 2,
    version: 0,
    node: 'kwok-node-2',
    created: 1,
    deployment: 'web-v0',
    health: `healthy@${at(6)}`,
  }),
  allocPod({
    name: 'web-frontend-0-v1',
    uid: 'c0c0c0c0-0000-4000-8000-00000000000c',
    index: 0,
    version: 1,
    canary: true,
    node: 'kwok-node-3',
    created: 62,
    deployment: 'web-v1',
    health: `healthy@${at(67)}`,
  }),
];

export const nodes = new Map<string, NodeInfo>(
  ['kwok-node-0', 'kwok-node-1', 'kwok-node-2', 'kwok-node-3'].map((name, i) => [
    name,
    { name, uid: `${i}${i}${i}${i}eeee-0000-4000-8000-00000000000${i}`, ready: true },
  ]),
);

export function snapshot(over: Partial<JobSnapshot> = {}): JobSnapshot {
  return { job: webJob(), versions, deployments: [webV1()], pods, nodes, ...over };
}
