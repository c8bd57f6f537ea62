import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { allocationChains, clientStatus, toAllocListStub, toNomadAllocation, type AllocationContext } from '../../../../src/api/nomad/allocation.ts';
import { placementEvaluationId } from '../../../../src/api/nomad/evaluation.ts';
import { toNomadJob } from '../../../../src/api/nomad/job.ts';
import { goProblems } from './go-conformance.ts';
import { allocationPod, at, deploymentIds, deploymentUid, jobUid, nodeName, nodes, nodeUid, ns, running, v0, v1, webAt, type PodOptions } from './fixtures.ts';

const canaryUid = 'c0c0c0c0-0000-4000-8000-00000000000c';
const ctx: AllocationContext = { nodes, deploymentIds };
const job = toNomadJob(webAt(v1));
const canary = (o: Partial<PodOptions> = {}) =>
  allocationPod({ uid: canaryUid, canary: true, deployment: 'web-v1', annotations: { 'caravan.dev/deployment-health': `healthy@${at(636)}` }, ...o });

describe('toNomadAllocation: an allocation Pod as api.Allocation', () => {
  const alloc = toNomadAllocation(canary(), job, ctx)!;

  it('takes identity from the Pod and its labels, the deployment ID from the NomadDeployment', () => {
    expect(alloc).toMatchObject({
      ID: canaryUid,
      EvalID: placementEvaluationId(jobUid, 1),
      Name: 'web.frontend[0]',
      Namespace: 'shop',
      NodeID: nodeUid,
      NodeName: nodeName,
      JobID: 'web',
      TaskGroup: 'frontend',
      DesiredStatus: 'run',
      DesiredDescription: '',
      ClientStatus: 'running',
      ClientDescription: 'Tasks are running',
      DeploymentID: deploymentUid,
      DeploymentStatus: { Healthy: true, Timestamp: '2026-03-01T10:10:36Z', Canary: true, ModifyIndex: 1460 },
      CreateIndex: 1460,
      ModifyIndex: 1460,
      AllocModifyIndex: 1460,
      CreateTime: ns(610),
      ModifyTime: ns(636),
      PreviousAllocation: '',
      NextAllocation: '',
      RescheduleTracker: null,
    });
    expect(alloc.Job).toBe(job);
  });

  it('shows what the allocation was given, ports at the Pod IP', () => {
    expect(alloc.AllocatedResources).toEqual({
      Tasks: { nginx: { Cpu: { CpuShares: 250, ReservedCores: null }, Memory: { MemoryMB: 128, MemoryMaxMB: 0 }, Networks: null, Devices: null } },
      Shared: { DiskMB: 300, Networks: null, Ports: [{ Label: 'http', Value: 8080, To: 8080, HostIP: '10.244.3.17' }] },
    });
  });

  it('shows a running task with its events', () => {
    expect(alloc.TaskStates).toEqual({
      nginx: {
        State: 'running',
        Failed: false,
        Restarts: 0,
        LastRestart: '0001-01-01T00:00:00Z',
        StartedAt: '2026-03-01T10:10:15Z',
        FinishedAt: '0001-01-01T00:00:00Z',
        Events: [
          expect.objectContaining({ Type: 'Received', Time: ns(610), DisplayMessage: 'Task received by client' }),
          expect.objectContaining({ Type: 'Started', Time: ns(615), DisplayMessage: 'Task started by client' }),
        ],
      },
    });
  });

  it.each<[string, Partial<PodOptions>, Partial<AllocationContext>, Record<string, unknown>]>([
    [
      'health not decided yet',
      { annotations: {} },
      {},
      { DeploymentStatus: { Healthy: null, Timestamp: '0001-01-01T00:00:00Z', Canary: true, ModifyIndex: 1460 } },
    ],
    [
      'recorded unhealthy',
      { annotations: { 'caravan.dev/deployment-health': `unhealthy@${at(700)}` } },
      {},
      { DeploymentStatus: expect.objectContaining({ Healthy: false, Timestamp: '2026-03-01T10:11:40Z' }) },
    ],
    ['a promoted canary is no longer a canary', { canary: false }, {}, { DeploymentStatus: expect.objectContaining({ Canary: false }) }],
    ['not in a deployment', { deployment: undefined as never, canary: false, annotations: {} }, {}, { DeploymentID: '', DeploymentStatus: null }],
    ['its deployment not (yet) in the cache', {}, { deploymentIds: new Map() }, { DeploymentID: '' }],
    [
      'not yet on a node',
      { scheduled: false, phase: 'Pending', annotations: {} },
      {},
      { NodeID: '', NodeName: '', ClientStatus: 'pending', ClientDescription: 'No tasks have started', TaskStates: null },
    ],
    [
      'on a node that is not Ready: lost',
      {},
      { nodes: new Map([[nodeName, { uid: nodeUid, ready: false }]]) },
      { ClientStatus: 'lost', DesiredStatus: 'stop', DesiredDescription: 'alloc is lost since its node is down' },
    ],
    ['on a node that is gone: lost', {}, { nodes: new Map() }, { ClientStatus: 'lost', NodeID: '', NodeName: nodeName }],
    ['replaced and replacing', {}, { previousAllocation: 'p', nextAllocation: 'n' }, { PreviousAllocation: 'p', NextAllocation: 'n' }],
  ])('%s', (_what, pod, context, expected) => {
    expect(toNomadAllocation(canary(pod), job, { ...ctx, ...context })).toMatchObject(expected);
  });

  it('a Pod being deleted is stopping: desired stop, and its running tasks are being killed', () => {
    const pod = canary();
    pod.metadata!.deletionTimestamp = new Date(at(905));
    pod.metadata!.deletionGracePeriodSeconds = 5;
    const stopping = toNomadAllocation(pod, job, ctx)!;
    expect(stopping.DesiredStatus).toBe('stop');
    expect(stopping.ModifyTime).toBe(ns(905));
    expect(stopping.TaskStates!['nginx']!.Events.at(-1)).toMatchObject({
      Type: 'Killing',
      Time: ns(900),
      DisplayMessage: 'Sent interrupt. Waiting 5s before force killing',
    });
  });

  it('carries the reschedule history the controller recorded', () => {
    const pod = canary({ replacement: 1, annotations: { 'caravan.dev/reschedule-events': JSON.stringify([{ at: t(650), delay: 30_000 }]) } });
    expect(toNomadAllocation(pod, job, ctx)!.RescheduleTracker).toEqual({
      Events: [{ RescheduleTime: ns(650), PrevAllocID: '', PrevNodeID: '' }],
      LastReschedule: '',
    });
  });

  it('is undefined for a Pod that is not an allocation', () => {
    expect(toNomadAllocation({ metadata: { name: 'x', uid: 'u' } }, job, ctx)).toBeUndefined();
  });

  it('decodes into api.Allocation', () => {
    expect(goProblems(toNomadAllocation(canary(), job, ctx), 'Allocation')).toEqual([]);
  });
});

function t(seconds: number): number {
  return Date.parse(at(seconds));
}

describe('clientStatus: Pod phase as ClientStatus (nomad-semantics §1.7)', () => {
  it.each([
    ['Pending', true, 'pending'],
    ['Running', true, 'running'],
    ['Succeeded', true, 'complete'],
    ['Failed', true, 'failed'],
    ['Unknown', true, 'unknown'],
    ['Running', false, 'lost'],
  ] as const)('%s on a Ready node %s → %s', (phase, ready, status) => {
    expect(clientStatus(allocationPod({ uid: 'u', phase }), new Map([[nodeName, { uid: nodeUid, ready }]]))).toBe(status);
  });
});

describe('toAllocListStub', () => {
  const pod = canary();

  it('is the list row: JobType and JobVersion instead of the embedded job', () => {
    const stub = toAllocListStub(pod, ctx, { jobType: 'service' })!;
    expect(stub).toMatchObject({
      ID: canaryUid,
      Name: 'web.frontend[0]',
      JobType: 'service',
      JobVersion: 1,
      ClientStatus: 'running',
      DeploymentStatus: { Healthy: true, Canary: true },
    });
    expect(stub).not.toHaveProperty('Job');
    expect(stub).not.toHaveProperty('AllocatedResources');
    expect(stub.TaskStates).not.toBeNull();
  });

  it('leaves TaskStates out with task_states=false and adds resources with resources=true', () => {
    const stub = toAllocListStub(pod, ctx, { jobType: 'service', taskStates: false, resourcesOf: job })!;
    expect(stub.TaskStates).toBeNull();
    expect(stub.AllocatedResources?.Tasks['nginx']?.Cpu.CpuShares).toBe(250);
  });

  it('decodes into api.AllocationListStub', () => {
    expect(goProblems(toAllocListStub(pod, ctx, { jobType: 'service', resourcesOf: job }), 'AllocationListStub')).toEqual([]);
  });
});

describe('allocationChains: replacements link to what they replace', () => {
  it('orders Pods of one allocation name by version, then replacement', () => {
    const pods: V1Pod[] = [
      allocationPod({ uid: 'new', index: 1, version: v1, createdAt: 700 }),
      allocationPod({ uid: 'old', index: 1, version: v0, createdAt: 10 }),
      allocationPod({ uid: 'new-r1', index: 1, version: v1, replacement: 1, createdAt: 800 }),
      allocationPod({ uid: 'other', index: 2, version: v1 }),
    ];
    const chains = allocationChains(pods);
    expect(chains.get('old')).toEqual({ nextAllocation: 'new' });
    expect(chains.get('new')).toEqual({ previousAllocation: 'old', nextAllocation: 'new-r1' });
    expect(chains.get('new-r1')).toEqual({ previousAllocation: 'new' });
    expect(chains.get('other')).toEqual({});
  });
});

describe('decoding a running Pod whose container restarted', () => {
  it('counts restarts and keeps ClientStatus from the Pod phase', () => {
    const pod = canary({
      containers: [
        running(700, 2, { lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: new Date(at(615)), finishedAt: new Date(at(690)) } } }),
      ],
    });
    const alloc = toNomadAllocation(pod, job, ctx)!;
    expect(alloc.ClientStatus).toBe('running');
    expect(alloc.TaskStates!['nginx']).toMatchObject({ State: 'running', Restarts: 2, LastRestart: '2026-03-01T10:11:30Z', StartedAt: '2026-03-01T10:11:40Z' });
  });
});
