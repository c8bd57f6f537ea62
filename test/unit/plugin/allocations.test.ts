import { describe, expect, it } from 'vitest';
import { allocationRow, allocationRows, clientStatus } from '../../../src/plugin/allocations.ts';
import { allocPod, at, nodes, pods } from './fixtures.ts';

describe('allocations read off Pods', () => {
  it('shows a Pod as Nomad shows an allocation: ID = Pod UID, Node ID = Node UID, name job.group[index]', () => {
    expect(allocationRow(pods[3]!, nodes)).toEqual({
      id: 'c0c0c0c0-0000-4000-8000-00000000000c',
      name: 'web.frontend[0]',
      podName: 'web-frontend-0-v1',
      nodeId: '3333eeee-0000-4000-8000-000000000003',
      nodeName: 'kwok-node-3',
      taskGroup: 'frontend',
      version: 1,
      desired: 'run',
      status: 'running',
      canary: true,
      deployment: 'web-v1',
      healthy: true,
      createTime: at(62),
      modifyTime: at(67),
    });
  });

  it('falls back to the node name when Nodes cannot be read', () => {
    expect(allocationRow(pods[0]!, new Map([['kwok-node-0', { name: 'kwok-node-0', ready: true }]]))?.nodeId).toBe('kwok-node-0');
  });

  it.each([
    ['Pending', undefined, true, 'pending'],
    ['Running', 'kwok-node-0', true, 'running'],
    ['Succeeded', 'kwok-node-0', true, 'complete'],
    ['Failed', 'kwok-node-0', true, 'failed'],
    ['Unknown', 'kwok-node-0', true, 'unknown'],
    ['Running', 'kwok-node-0', false, 'lost'],
  ])('phase %s on node %s (Ready %s) is client status %s', (phase, node, ready, status) => {
    const pod = allocPod({ name: 'p', uid: 'u', index: 0, version: 0, phase, created: 0, ...(node ? { node } : {}) });
    expect(clientStatus(pod, node ? { name: node, ready } : undefined)).toBe(status);
  });

  it('a Pod being deleted is desired stop; manual health is shown', () => {
    const row = allocationRow(allocPod({ name: 'p', uid: 'u', index: 0, version: 0, created: 0, deleting: true, manual: 'unhealthy' }), new Map());
    expect(row).toMatchObject({ desired: 'stop', manualHealth: 'unhealthy', modifyTime: at(100) });
  });

  it('leaves out Pods that are not allocations, and lists the newest first', () => {
    const stranger = { metadata: { name: 'x', uid: 'x' } };
    expect(allocationRows([...pods, stranger], nodes).map((a) => a.podName)).toEqual([
      'web-frontend-0-v1',
      'web-frontend-0-v0',
      'web-frontend-1-v0',
      'web-frontend-2-v0',
    ]);
  });
});
