import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { internStrings, OwnerReferenceTable, StringTable } from '../../../src/kube/interned.ts';
import { cachedPod } from '../../../src/resources/allocation-pod.ts';

/** An allocation's Pod as the API server sends it, cut to what the cache keeps. */
function pod(job: string, index: number, jobUid: string): V1Pod {
  return cachedPod({
    metadata: {
      name: `${job}-app-${index}-v0`,
      namespace: 'shop',
      uid: `pod-uid-${job}-${index}`,
      resourceVersion: `${1000 + index}`,
      creationTimestamp: '2026-12-07T07:29:43Z' as unknown as Date,
      labels: { 'caravan.dev/job': job, 'caravan.dev/task-group': 'app', 'caravan.dev/alloc-index': String(index) },
      annotations: { 'caravan.dev/alloc-name': `${job}.app[${index}]`, 'caravan.dev/deployment': `${job}-v0` },
      ownerReferences: [{ apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', name: job, uid: jobUid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: 'kwok-node-1', restartPolicy: 'Always', containers: [{ name: 'app', image: 'app:1' }] },
    status: {
      phase: 'Running',
      podIP: `10.0.0.${index}`,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T07:29:49Z' as unknown as Date }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'app:1', imageID: '', containerID: `containerd://${index}` }],
    },
  });
}

describe('interned cache strings', () => {
  it('changes no value of the object', () => {
    const p = pod('web', 0, 'job-uid');
    const copy = structuredClone(p);
    expect(internStrings(p, new StringTable(), new OwnerReferenceTable())).toEqual(copy);
  });

  it('keeps one copy of repeated values and none of those unique to one object', () => {
    const table = new StringTable();
    internStrings(pod('web', 0, 'job-uid'), table);
    internStrings(pod('web', 1, 'job-uid'), table);
    for (const repeated of ['shop', 'web', 'app', 'Running', 'True', 'kwok-node-1', 'web-v0', 'job-uid', '2026-12-07T07:29:49Z'])
      expect(table.has(repeated)).toBe(true);
    for (const unique of ['web-app-0-v0', 'pod-uid-web-0', '1000', '10.0.0.0', 'containerd://0', 'web.app[0]']) expect(table.has(unique)).toBe(false);
  });

  it("shares one owner-reference list among a job's Pods", () => {
    const owners = new OwnerReferenceTable();
    const table = new StringTable();
    const [a, b, other] = [pod('web', 0, 'job-uid'), pod('web', 1, 'job-uid'), pod('api', 0, 'other-uid')].map((p) => internStrings(p, table, owners));
    expect(a!.metadata!.ownerReferences).toBe(b!.metadata!.ownerReferences);
    expect(other!.metadata!.ownerReferences).not.toBe(a!.metadata!.ownerReferences);
    expect(other!.metadata!.ownerReferences).toMatchObject([{ name: 'api', uid: 'other-uid' }]);
  });

  it('starts over when full, so the table stays bounded', () => {
    const table = new StringTable(3);
    for (const s of ['a1', 'a2', 'a3', 'a4']) table.intern(s);
    expect(table.size).toBe(1);
    expect(table.has('a4')).toBe(true);
  });
});
