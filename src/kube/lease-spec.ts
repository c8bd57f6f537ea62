import { V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';

/**
 * The Lease specs client-go's leader election writes, shared by the leader Lease
 * (leader-election.ts) and the shard Leases (shard-leases.ts): one place for the rules of
 * acquiring, renewing and releasing.
 */

/** A Lease created by its first holder. */
export function createdLeaseSpec(identity: string, leaseDurationSeconds: number, now: V1MicroTime): V1LeaseSpec {
  return { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
}

/** The holder renews: only renewTime (and the duration) change. */
export function renewedLeaseSpec(lease: V1Lease, leaseDurationSeconds: number, now: V1MicroTime): V1LeaseSpec {
  // Times read back are plain Dates (3 fractional digits); MicroTime needs 6, so re-wrap them.
  const acquireTime = lease.spec?.acquireTime ? new V1MicroTime(lease.spec.acquireTime) : now;
  return { ...lease.spec, acquireTime, renewTime: now, leaseDurationSeconds };
}

/** A new holder takes an expired or released Lease: one more transition. */
export function takenLeaseSpec(lease: V1Lease, identity: string, leaseDurationSeconds: number, now: V1MicroTime): V1LeaseSpec {
  return {
    ...lease.spec,
    holderIdentity: identity,
    acquireTime: now,
    renewTime: now,
    leaseDurationSeconds,
    leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1,
  };
}

/** client-go's release: no holder and a 1 s duration, so a candidate takes it at once. */
export function releasedLeaseSpec(lease: V1Lease, now: V1MicroTime): V1LeaseSpec {
  return { ...lease.spec, holderIdentity: '', renewTime: now, leaseDurationSeconds: 1 };
}
