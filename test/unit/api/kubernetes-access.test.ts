import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesAccess, subjectAccessReviewSpec, type Access, type Caller } from '../../../src/api/kubernetes-access.ts';

const readJob: Access = { verb: 'get', group: 'caravan.dev', resource: 'nomadjobs', namespace: 'shop', name: 'web' };
const credentialId = 'authentication.kubernetes.io/credential-id';
const podName = 'authentication.kubernetes.io/pod-name';
const podUid = 'authentication.kubernetes.io/pod-uid';
const scopes = 'scopes.example.com';

/** The deployer ServiceAccount of the shop namespace, as a TokenReview of its token says. */
const deployer = (extra?: Record<string, string[]>, more: Partial<Caller> = {}): Caller => ({
  username: 'system:serviceaccount:shop:deployer',
  uid: '8d0f6e3a-5c1b-4f7e-9a2d-3b4c5d6e7f80',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
  ...(extra ? { extra } : {}),
  ...more,
});

const decisionKey = (caller: Caller) => JSON.stringify(subjectAccessReviewSpec(caller, readJob));

describe('the SubjectAccessReview, which is also the decision cache key (issue 11 §5)', () => {
  it('carries the caller: user, uid, groups and extra', () => {
    expect(subjectAccessReviewSpec(deployer({ [credentialId]: ['JTI=a1'] }), readJob)).toEqual({
      user: 'system:serviceaccount:shop:deployer',
      uid: '8d0f6e3a-5c1b-4f7e-9a2d-3b4c5d6e7f80',
      groups: ['system:authenticated', 'system:serviceaccounts', 'system:serviceaccounts:shop'],
      extra: { [credentialId]: ['JTI=a1'] },
      resourceAttributes: { verb: 'get', group: 'caravan.dev', resource: 'nomadjobs', namespace: 'shop', name: 'web' },
    });
  });

  it.each([
    ['two tokens of one ServiceAccount (credential IDs)', deployer({ [credentialId]: ['JTI=a1'] }), deployer({ [credentialId]: ['JTI=b2'] })],
    [
      'tokens bound to two pods',
      deployer({ [podName]: ['web-0'], [podUid]: ['11111111-1111-4111-8111-111111111111'] }),
      deployer({ [podName]: ['web-1'], [podUid]: ['22222222-2222-4222-8222-222222222222'] }),
    ],
    ['a scoped token and an unscoped one', deployer({ [scopes]: ['read'] }), deployer()],
    ['two scopes', deployer({ [scopes]: ['read'] }), deployer({ [scopes]: ['read', 'write'] })],
    ['an extra value moved to another key', deployer({ a: ['x'], b: [] }), deployer({ a: [], b: ['x'] })],
    ['two uids of one username (a ServiceAccount deleted and made again)', deployer(), deployer(undefined, { uid: '00000000-0000-4000-8000-000000000000' })],
    ['two group sets', deployer(), deployer(undefined, { groups: ['system:authenticated'] })],
  ])('keeps apart %s', (_what, one, other) => {
    expect(decisionKey(one)).not.toBe(decisionKey(other));
  });

  it.each([
    ['extra keys in another order', deployer({ [credentialId]: ['JTI=a1'], [scopes]: ['read'] }), deployer({ [scopes]: ['read'], [credentialId]: ['JTI=a1'] })],
    ['extra values in another order', deployer({ [scopes]: ['write', 'read'] }), deployer({ [scopes]: ['read', 'write'] })],
    ['groups in another order', deployer(), deployer(undefined, { groups: ['system:authenticated', 'system:serviceaccounts:shop', 'system:serviceaccounts'] })],
    ['no extra and an empty one', deployer(), deployer({})],
  ])('shares a decision between %s', (_what, one, other) => {
    expect(decisionKey(one)).toBe(decisionKey(other));
  });
});

describe('KubernetesAccess.allowed against an API server', () => {
  const reviews: { spec: Record<string, unknown> }[] = [];
  let server: Server;
  let access: KubernetesAccess;
  beforeAll(async () => {
    // An API server that allows every SubjectAccessReview and remembers what it was asked.
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const review = JSON.parse(body) as { spec: Record<string, unknown> };
        reviews.push(review);
        response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ...review, status: { allowed: true } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'caravan', token: 'caravan-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'caravan' }],
      currentContext: 'fake',
    });
    access = new KubernetesAccess(kc, () => 0);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks once per distinct extra, sends that extra, and answers a repeat from the cache', async () => {
    const first = deployer({ [credentialId]: ['JTI=a1'] });
    const second = deployer({ [credentialId]: ['JTI=b2'] });
    expect(await access.allowed(first, readJob)).toBe(true);
    expect(await access.allowed(second, readJob)).toBe(true);
    expect(await access.allowed(first, readJob)).toBe(true);
    expect(await access.allowed(deployer({ [credentialId]: ['JTI=b2'] }), readJob)).toBe(true);
    expect(reviews.map((r) => r.spec['extra'])).toEqual([{ [credentialId]: ['JTI=a1'] }, { [credentialId]: ['JTI=b2'] }]);
  });
});
