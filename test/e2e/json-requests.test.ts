import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiErrorCode, KubernetesError } from '../../src/kube/client.ts';
import { jsonRequests, objectPath, podResource } from '../../src/kube/json-requests.ts';
import { observeRequests } from '../../src/kube/request-metrics.ts';
import { clusterClients, freshNamespace } from './kube.ts';

const { kc, core } = clusterClients();

/** Bound to a node that does not exist: neither the scheduler nor kwok touches it between our writes. */
const idlePod = (name: string): V1Pod => ({
  metadata: { name },
  spec: { nodeName: 'no-such-node', containers: [{ name: 'app', image: 'registry.example/app:1' }] },
});

describe('plain JSON requests (the controller writes)', () => {
  it("creates, patches and deletes through the typed clients' pool, and fails as they do", async () => {
    const namespace = await freshNamespace(core, 'json-requests');
    const json = jsonRequests(kc);
    const seen: string[] = [];
    observeRequests(kc, (method, code) => seen.push(`${method} ${code}`));
    const pods = objectPath(podResource, namespace);
    const pod = (name: string) => objectPath(podResource, namespace, name);

    const created = await json.create<V1Pod>(pods, idlePod('one'));
    expect(created.metadata?.uid).toBeDefined();
    expect((await core.readNamespacedPod({ namespace, name: 'one' })).metadata?.uid).toBe(created.metadata?.uid);

    const merged = await json.patch<V1Pod>(pod('one'), { metadata: { annotations: { 'caravan.dev/probe': 'merge' } } }, 'merge');
    expect(merged.metadata?.annotations?.['caravan.dev/probe']).toBe('merge');
    const patched = await json.patch<V1Pod>(
      pod('one'),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: merged.metadata?.resourceVersion },
        { op: 'replace', path: '/metadata/annotations/caravan.dev~1probe', value: 'json' },
      ],
      'json',
    );
    expect(patched.metadata?.annotations?.['caravan.dev/probe']).toBe('json');

    // The API server's own answers, as the typed clients' errors become.
    const again = await json.create(pods, idlePod('one')).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(KubernetesError);
    expect(apiErrorCode(again)).toBe(409);
    expect((again as KubernetesError).status).toMatchObject({ reason: 'AlreadyExists', message: 'pods "one" already exists' });
    const stale = await json
      .patch(pod('one'), [{ op: 'test', path: '/metadata/resourceVersion', value: merged.metadata?.resourceVersion }], 'json')
      .catch((e: unknown) => e);
    expect(apiErrorCode(stale)).toBe(422);

    await json.delete(pod('one'), { gracePeriodSeconds: '0' });
    const gone = await json.delete(pod('one')).catch((e: unknown) => e);
    expect(apiErrorCode(gone)).toBe(404);
    expect((gone as KubernetesError).status.reason).toBe('NotFound');

    // Counted as the typed clients' requests are (rest_client_requests_total).
    expect(seen).toEqual(['POST 201', 'GET 200', 'PATCH 200', 'PATCH 200', 'POST 409', 'PATCH 422', 'DELETE 200', 'DELETE 404']);

    // Text answers, such as the API server's own metrics (bench:scale reads its request counter).
    expect(await json.getText('/metrics')).toContain('apiserver_request_total');
  });
});
