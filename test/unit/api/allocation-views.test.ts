import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AllocationViews } from '../../../src/api/allocation-views.ts';
import { CreateIndexBook } from '../../../src/api/nomad/indexes.ts';
import { populateCluster } from './cluster-fixture.ts';
import { MemoryCluster } from './memory-cluster.ts';

/** The list stubs' memo (issue 15): kept per Pod object, at most `stubMemoLimit` of them, whatever is listed. */
function views(stubMemoLimit?: number) {
  const cluster = new MemoryCluster();
  populateCluster(cluster, { jobs: 12, podsPerJob: 3, namespaces: 3, nodes: 4 });
  const created = new CreateIndexBook();
  const pods = [...cluster.pods.values()];
  for (const pod of pods) created.observeObject(pod);
  const allocations = new AllocationViews({
    caches: cluster.caches,
    podsNamed: () => [],
    created: created.lookup,
    ...(stubMemoLimit !== undefined ? { stubMemoLimit } : {}),
  });
  return { pods, allocations };
}

const stubsOf = (allocations: AllocationViews, pods: readonly V1Pod[]) => pods.map((p) => allocations.stub(p));

describe('AllocationViews: the list stubs memo', () => {
  it('hands out the same stub for a Pod object until the Pod changes', () => {
    const { pods, allocations } = views();
    const first = stubsOf(allocations, pods);
    const again = stubsOf(allocations, pods);
    expect(again.every((s, i) => s !== undefined && s === first[i])).toBe(true);
  });

  it('keeps no more than its limit: the oldest lose theirs, and are made again the same when listed', () => {
    const { pods, allocations } = views(5);
    expect(pods.length).toBeGreaterThan(5);
    const first = stubsOf(allocations, pods);
    const last = pods.length - 5;
    // The five listed last are still memoized; every earlier one was forgotten.
    expect(pods.slice(last).every((p, i) => allocations.stub(p) === first[last + i])).toBe(true);
    const remade = stubsOf(allocations, pods.slice(0, last));
    expect(remade.every((s, i) => s !== first[i])).toBe(true);
    expect(remade).toEqual(first.slice(0, last));
  });

  it('counts a Pod once however often it is listed, so a hot list stays memoized beside a long one', () => {
    const { pods, allocations } = views(5);
    const hot = pods.slice(0, 3);
    const hotStubs = stubsOf(allocations, hot);
    for (let i = 0; i < 10; i++) stubsOf(allocations, hot);
    // Two more Pods fill the memo to its limit: nothing of the hot list is forgotten.
    stubsOf(allocations, pods.slice(3, 5));
    expect(stubsOf(allocations, hot).every((s, i) => s === hotStubs[i])).toBe(true);
  });
});
