import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClients, freshNamespace } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from './api-harness.ts';

const { core } = clusterClients();

/** Every endpoint the API serves, as [method, path]; each must refuse callers without rights. */
const endpoints: [string, string][] = [
  ['GET', '/v1/status/leader'],
  ['GET', '/v1/regions'],
  ['GET', '/v1/agent/self'],
];

describe('the Nomad API: no anonymous access, Kubernetes RBAC decides', () => {
  let api: ApiUnderTest;
  let namespace: string;
  let reader: string;
  let nobody: string;
  beforeAll(async () => {
    api = await startApi();
    namespace = await freshNamespace(core, 'nomadapi');
    reader = await tokenFor(namespace, 'reader', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ]);
    nobody = await tokenFor(namespace, 'nobody');
  });
  afterAll(async () => {
    await api?.stop();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${api.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });

  it.each(endpoints)('%s %s without a token: 403 Permission denied', async (method, path) => {
    const res = await call(method, path);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Permission denied');
  });

  it.each(endpoints)('%s %s with a token the API server does not know: 403 ACL token not found', async (method, path) => {
    const res = await call(method, path, { 'X-Nomad-Token': 'not-a-token' });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('ACL token not found');
  });

  it('a valid token, as X-Nomad-Token or as a Bearer token, reads the status endpoints', async () => {
    const leader = await call('GET', '/v1/status/leader', { 'X-Nomad-Token': nobody });
    expect(leader.status).toBe(200);
    expect(await leader.json()).toMatch(/:\d+$/);
    const regions = await call('GET', '/v1/regions', { Authorization: `Bearer ${reader}` });
    expect(await regions.json()).toEqual(['global']);
  });

  it('refuses bodies over 4 MiB and JSON that would reach Object.prototype', async () => {
    const headers = { 'X-Nomad-Token': reader };
    const huge = await call(
      'POST',
      `/v1/jobs?namespace=${namespace}`,
      headers,
      JSON.stringify({ Job: { ID: 'x', Meta: { big: 'x'.repeat(5 * 1024 * 1024) } } }),
    );
    expect(huge.status).toBe(413);
    const poisoned = await call('POST', `/v1/jobs?namespace=${namespace}`, headers, '{"Job": {"ID": "x", "__proto__": {"polluted": true}}}');
    expect(poisoned.status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const malformed = await call('POST', `/v1/jobs?namespace=${namespace}`, headers, '{"Job": ');
    expect(malformed.status).toBe(400);
  });

  it('answers as Nomad does: 405 Invalid method, 404 for unknown paths, 400 for bad query options and bodies', async () => {
    const headers = { 'X-Nomad-Token': reader };
    const wrongMethod = await call('DELETE', '/v1/regions', headers);
    expect([wrongMethod.status, await wrongMethod.text()]).toEqual([405, 'Invalid method']);
    expect((await call('GET', '/v1/nothing-here', headers)).status).toBe(404);
    const badWait = await call('GET', '/v1/regions?index=1&wait=soon', headers);
    expect([badWait.status, await badWait.text()]).toEqual([400, 'Invalid wait time']);
    const badIndex = await call('GET', '/v1/regions?index=-1', headers);
    expect([badIndex.status, await badIndex.text()]).toEqual([400, 'Invalid index']);
    const badStale = await call('GET', '/v1/regions?stale=maybe', headers);
    expect([badStale.status, await badStale.text()]).toEqual([400, 'Expect `true` or `false` for `stale` query string parameter']);
  });
});
