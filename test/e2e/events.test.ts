import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubernetesWriter } from '../../src/controller/cluster-writer.ts';
import type { TransitionEvent } from '../../src/controller/event-recorder.ts';
import { clusterClients, freshNamespace } from './kube.ts';

// Issue 16: the controller's Events on the real API server: events.k8s.io/v1 with reporting
// fields, a repeat as a series, and visible to core/v1 readers (kubectl describe, older tools).
const { kc, core } = clusterClients();

describe('transition Events', () => {
  it('are events.k8s.io Events with reportingController and reportingInstance; a repeat is a series', async () => {
    const namespace = await freshNamespace(core, 'events');
    const writer = kubernetesWriter(kc);
    const event: TransitionEvent = {
      regarding: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadDeployment', name: 'web-v1', namespace },
      type: 'Warning',
      reason: 'IntentRefused',
      note: `1 error occurred: * Task group "frontend" has 0/1 healthy allocations ${'x'.repeat(2000)}`,
    };
    const t0 = Date.now();
    await writer.createEvent(namespace, event, t0);
    await writer.createEvent(namespace, event, t0 + 1000);
    await writer.createEvent(namespace, event, t0 + 2000);
    await writer.flushEvents();
    const { items } = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
    expect(items).toHaveLength(1);
    const [written] = items;
    expect(written).toMatchObject({ reportingController: 'caravan.dev/controller', reason: 'IntentRefused', action: 'IntentRefused', type: 'Warning' });
    expect(written!.reportingInstance).toMatch(/.+/);
    expect(written!.series?.count).toBe(3);
    expect(Buffer.byteLength(written!.note!)).toBeLessThanOrEqual(1024);
    const legacy = (await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace })).items;
    expect(legacy.map((e) => [e.involvedObject.name, e.reason, e.series?.count, e.reportingComponent])).toEqual([
      ['web-v1', 'IntentRefused', 3, 'caravan.dev/controller'],
    ]);
  });
});
