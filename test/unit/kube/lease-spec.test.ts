import { V1MicroTime } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createdLeaseSpec, releasedLeaseSpec, renewedLeaseSpec, takenLeaseSpec } from '../../../src/kube/lease-spec.ts';

const t0 = new V1MicroTime('2026-12-07T01:00:00.000Z');
const t1 = new V1MicroTime('2026-12-07T01:00:05.000Z');
const held = { metadata: { name: 'caravan-controller' }, spec: createdLeaseSpec('a', 15, t0) };

describe('Lease specs, as client-go writes them', () => {
  it('a first holder starts with no transition', () => {
    expect(held.spec).toEqual({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: t0, renewTime: t0, leaseTransitions: 0 });
  });

  it('renewing moves renewTime only, keeping the acquire time as a MicroTime', () => {
    const renewed = renewedLeaseSpec({ ...held, spec: { ...held.spec, acquireTime: new Date(t0) as V1MicroTime } }, 15, t1);
    expect(renewed).toMatchObject({ holderIdentity: 'a', renewTime: t1, leaseTransitions: 0 });
    expect(renewed.acquireTime).toBeInstanceOf(V1MicroTime);
    expect(renewed.acquireTime?.getTime()).toBe(t0.getTime());
  });

  it('taking counts a transition and starts a new tenure', () => {
    expect(takenLeaseSpec(held, 'b', 15, t1)).toEqual({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: t1, renewTime: t1, leaseTransitions: 1 });
  });

  it('releasing leaves no holder and a 1 s duration', () => {
    expect(releasedLeaseSpec(held, t1)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: t1, leaseTransitions: 0 });
  });
});
