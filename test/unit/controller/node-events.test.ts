import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeEventAffectsAllocations, nodeEventAffectsPerNodeJobs } from '../../../src/controller/node-events.ts';

const node = (ready: boolean | undefined): V1Node => ({
  metadata: { name: 'n' },
  status: { conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('which Node events change its allocations', () => {
  it.each([
    ['deleted while Ready (the informer passes the last known node as both)', 'delete', node(true), node(true), true],
    ['deleted while NotReady', 'delete', node(false), node(false), true],
    ['turned NotReady', 'update', node(false), node(true), true],
    ['lost its Ready condition', 'update', node(undefined), node(true), true],
    ['turned Ready again', 'update', node(true), node(false), true],
    ['updated, still Ready', 'update', node(true), node(true), false],
    ['added', 'add', node(true), undefined, false],
  ] as const)('%s', (_, event, now, before, affects) => {
    expect(nodeEventAffectsAllocations(event, now, before)).toBe(affects);
  });
});

const withSpec = (n: V1Node, extra: { unschedulable?: boolean; labels?: Record<string, string> }): V1Node => ({
  ...n,
  metadata: { ...n.metadata, ...(extra.labels ? { labels: extra.labels } : {}) },
  spec: { unschedulable: extra.unschedulable ?? false },
});

describe('which Node events requeue system and sysbatch jobs (Nomad node-update evals, §3.3)', () => {
  it.each([
    ['a node joins', 'add', node(true), undefined, true],
    ['a node is deleted', 'delete', node(true), node(true), true],
    ['turned NotReady', 'update', node(false), node(true), true],
    ['turned Ready', 'update', node(true), node(false), true],
    ['cordoned', 'update', withSpec(node(true), { unschedulable: true }), withSpec(node(true), {}), true],
    ['uncordoned', 'update', withSpec(node(true), {}), withSpec(node(true), { unschedulable: true }), true],
    [
      'moved to another datacenter',
      'update',
      withSpec(node(true), { labels: { 'caravan.dev/datacenter': 'dc2' } }),
      withSpec(node(true), { labels: { 'caravan.dev/datacenter': 'dc1' } }),
      true,
    ],
    [
      'a heartbeat: nothing the schedulers read changed',
      'update',
      withSpec(node(true), { labels: { a: 'b' } }),
      withSpec(node(true), { labels: { a: 'b' } }),
      false,
    ],
  ] as const)('%s', (_, event, now, before, affects) => {
    expect(nodeEventAffectsPerNodeJobs(event, now, before)).toBe(affects);
  });
});
