import type { V1Node } from '@kubernetes/client-node';
import { datacenterLabel, zoneLabel } from '../model/node-labels.ts';

/** Marks the nodes a local cluster made, so it can count and prune them. */
export const fakeNodeLabel = 'caravan.dev/fake-node';

export interface FakeNodeOptions {
  readonly count: number;
  readonly zones: readonly string[];
  readonly datacenters: readonly string[];
  readonly cpu: string;
  readonly memory: string;
  readonly pods: string;
}

export const defaultFakeNodeOptions: FakeNodeOptions = {
  count: 10,
  zones: ['zone-a', 'zone-b', 'zone-c'],
  datacenters: ['dc1', 'dc2'],
  cpu: '32',
  memory: '128Gi',
  pods: '500',
};

export function fakeNodeName(index: number): string {
  return `kwok-node-${index}`;
}

/**
 * The Node object for fake node `index`. Zones and datacenters are dealt round-robin, so every
 * zone and every datacenter has nodes once there are as many nodes as either list is long.
 */
export function fakeNode(index: number, opts: FakeNodeOptions = defaultFakeNodeOptions): V1Node {
  const name = fakeNodeName(index);
  const resources = { cpu: opts.cpu, memory: opts.memory, pods: opts.pods };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'kwok',
        'topology.kubernetes.io/region': 'local',
        [zoneLabel]: opts.zones[index % opts.zones.length]!,
        [datacenterLabel]: opts.datacenters[index % opts.datacenters.length]!,
        [fakeNodeLabel]: 'true',
        type: 'kwok',
      },
      annotations: { 'kwok.x-k8s.io/node': 'fake' },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}
