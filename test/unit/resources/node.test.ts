import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isNodeReady, nodeFacts, observeNode } from '../../../src/resources/node.ts';

const node = (conditions: { type: string; status: string }[] | undefined): V1Node => ({
  metadata: { name: 'n1', uid: 'u1' },
  ...(conditions ? { status: { conditions } } : {}),
});

describe('isNodeReady: a node that keeps its allocations', () => {
  it.each<[string, V1Node | undefined, boolean]>([
    ['Ready True', node([{ type: 'Ready', status: 'True' }]), true],
    ['Ready False', node([{ type: 'Ready', status: 'False' }]), false],
    ['Ready Unknown (the node stopped reporting)', node([{ type: 'Ready', status: 'Unknown' }]), false],
    ['no Ready condition', node([{ type: 'MemoryPressure', status: 'False' }]), false],
    ['no status yet', node(undefined), false],
    ['gone from the cache', undefined, false],
  ])('%s', (_case, n, ready) => {
    expect(isNodeReady(n)).toBe(ready);
  });
});

describe('nodeFacts: what the Node cache keeps', () => {
  it('keeps identity, labels, cordoning and the Ready condition, nothing else', () => {
    const full: V1Node = {
      metadata: { name: 'n1', uid: 'u1', labels: { 'caravan.dev/datacenter': 'dc1' }, annotations: { big: 'x' } },
      spec: { podCIDR: '10.0.0.0/24', unschedulable: true },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        capacity: { cpu: '32' },
      },
    };
    expect(nodeFacts(full)).toEqual({
      metadata: { name: 'n1', uid: 'u1', labels: { 'caravan.dev/datacenter': 'dc1' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(observeNode(nodeFacts(full))).toEqual({ name: 'n1', labels: { 'caravan.dev/datacenter': 'dc1' }, ready: true, unschedulable: true, createdAt: 0 });
  });
});
