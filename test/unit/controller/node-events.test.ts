import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeEventAffectsAllocations } from '../../../src/controller/node-events.ts';

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
