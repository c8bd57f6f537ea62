import { describe, expect, it } from 'vitest';
import { defaultFakeNodeOptions, fakeNode } from '../../src/cluster/fake-nodes.ts';

describe('fake nodes', () => {
  it.each([
    { index: 0, zone: 'zone-a', dc: 'dc1' },
    { index: 1, zone: 'zone-b', dc: 'dc2' },
    { index: 2, zone: 'zone-c', dc: 'dc1' },
    { index: 3, zone: 'zone-a', dc: 'dc2' },
  ])('kwok-node-$index is in $zone and datacenter $dc', ({ index, zone, dc }) => {
    const node = fakeNode(index);
    expect(node.metadata?.name).toBe(`kwok-node-${index}`);
    expect(node.metadata?.labels).toMatchObject({
      'topology.kubernetes.io/zone': zone,
      'caravan.dev/datacenter': dc,
      'kubernetes.io/hostname': `kwok-node-${index}`,
    });
  });

  it('declares allocatable cpu, memory and pods, and carries no taint (every node here is fake)', () => {
    const node = fakeNode(0, { ...defaultFakeNodeOptions, cpu: '8', memory: '16Gi', pods: '110' });
    expect(node.status?.allocatable).toEqual({ cpu: '8', memory: '16Gi', pods: '110' });
    expect(node.spec?.taints).toBeUndefined();
  });
});
