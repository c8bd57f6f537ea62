import { describe, expect, it } from 'vitest';
import { allocHealthDecision, findAllocationPod } from '../../../src/plugin/alloc-health.ts';
import { allocPod, at, pods, webV1 } from './fixtures.ts';

describe('naming an allocation: a Pod name or an allocation ID prefix', () => {
  it.each([
    ['the Pod name', 'web-frontend-0-v1', 'web-frontend-0-v1'],
    ['a prefix of the Pod UID', 'c0c0', 'web-frontend-0-v1'],
    ['the whole UID, in capitals', 'C0C0C0C0-0000-4000-8000-00000000000C', 'web-frontend-0-v1'],
  ])('%s', (_case, ref, name) => {
    const found = findAllocationPod(pods, ref);
    expect(found.ok && found.pod.metadata?.name).toBe(name);
  });

  it.each([
    ['a prefix too short', 'a', 'give a Pod name or at least 2 characters'],
    ['nothing that matches', 'ffff', 'no allocation with Pod name or ID prefix "ffff"'],
  ])('refuses %s', (_case, ref, error) => {
    const found = findAllocationPod(pods, ref);
    expect(found.ok ? '' : found.error).toContain(error);
  });

  it('lists the matches of a prefix shared by several allocations', () => {
    const twins = [
      allocPod({ name: 'x-0', uid: 'abcd-1', index: 0, version: 0, created: 0 }),
      allocPod({ name: 'x-1', uid: 'abcd-2', index: 1, version: 0, created: 0 }),
    ];
    const found = findAllocationPod(twins, 'abc');
    expect(found).toEqual({ ok: false, error: 'allocation ID prefix "abc" matches 2 allocations; give more of it:\n  abcd-1  x-0\n  abcd-2  x-1' });
  });

  it('ignores Pods that are not allocations', () => {
    expect(findAllocationPod([{ metadata: { name: 'web-frontend-0-v1', uid: 'c0c0' } }], 'web-frontend-0-v1').ok).toBe(false);
  });
});

describe('setting health by hand (§2.13)', () => {
  const canary = pods[3]!;
  const fresh = allocPod({ name: 'web-frontend-0-v1', uid: 'c0', index: 0, version: 1, canary: true, created: 62, deployment: 'web-v1' });

  it.each([
    ['an allocation of a running deployment', fresh, webV1(), 'unhealthy', { ok: true, unchanged: false, warnings: [] }],
    [
      'already marked so',
      allocPod({ name: 'p', uid: 'u', index: 0, version: 1, created: 0, deployment: 'web-v1', manual: 'healthy' }),
      webV1(),
      'healthy',
      { ok: true, unchanged: true, warnings: [] },
    ],
    [
      'not part of a deployment',
      allocPod({ name: 'p', uid: 'u', index: 0, version: 1, created: 0 }),
      undefined,
      'healthy',
      { ok: false, error: 'allocation p is not part of a deployment' },
    ],
    [
      'its deployment is gone',
      fresh,
      undefined,
      'healthy',
      { ok: false, error: 'allocation web-frontend-0-v1 is part of deployment web-v1, which no longer exists' },
    ],
    [
      'its deployment has ended',
      fresh,
      webV1({ status: { status: 'successful' } }),
      'healthy',
      { ok: false, error: "can't set health of allocations for a terminal deployment" },
    ],
  ] as const)('%s', (_case, pod, deployment, health, decision) => {
    expect(allocHealthDecision(pod, deployment, health)).toEqual(decision);
  });

  it('says that the mark overwrites health recorded for the deployment, and what an unhealthy one does', () => {
    expect(allocHealthDecision(canary, webV1(), 'unhealthy')).toEqual({
      ok: true,
      unchanged: false,
      warnings: [`web-frontend-0-v1 was recorded healthy for web-v1 at ${at(67)}; this mark overwrites it; an unhealthy mark fails web-v1`],
    });
  });
});
