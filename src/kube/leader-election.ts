import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorCode } from './client.ts';
import { createdLeaseSpec, releasedLeaseSpec, renewedLeaseSpec, takenLeaseSpec } from './lease-spec.ts';

export interface LeaderElectionOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  /** Leadership is lost when renewals fail for this long. */
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews every
 * retry period; another candidate takes over only after it has watched the lease go unrenewed
 * for its whole duration, judged by its own clock (never by comparing clocks across machines).
 * Timestamps are MicroTime (6 fractional digits), which the API requires.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly opts: Required<Omit<LeaderElectionOptions, 'log'>> & Pick<LeaderElectionOptions, 'log'>;
  private observed: { holder: string; renewTime: string; at: number } | undefined;
  private stopped = false;

  constructor(opts: LeaderElectionOptions) {
    this.api = opts.kc.makeApiClient(CoordinationV1Api);
    this.opts = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  /**
   * Waits to become leader, runs `lead` while leading, and resolves when leadership ends:
   * 'lost' (renewals failed: the caller should exit) or 'stopped' (stop() was called).
   */
  async run(lead: () => Promise<void>, onLost: () => void): Promise<'lost' | 'stopped'> {
    while (!this.stopped && !(await this.tryAcquireOrRenew())) await sleep(this.opts.retryPeriodMs);
    if (this.stopped) return 'stopped';
    this.opts.log?.(`${this.opts.identity} is the leader (lease ${this.opts.namespace}/${this.opts.name})`);
    await lead();
    let lastRenew = Date.now();
    while (!this.stopped) {
      await sleep(this.opts.retryPeriodMs);
      if (this.stopped) break;
      if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
      else if (Date.now() - lastRenew > this.opts.renewDeadlineMs) {
        this.opts.log?.(`${this.opts.identity} lost the lease`);
        onLost();
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** Whether some candidate held the lease when this one last looked (Nomad's KnownLeader). */
  get leaderKnown(): boolean {
    return this.observed !== undefined && this.observed.holder !== '' && Date.now() < this.observed.at + this.opts.leaseDurationSeconds * 1000 * 2;
  }

  /** Stops renewing and hands the lease back, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    try {
      const lease = await this.api.readNamespacedLease({ namespace: this.opts.namespace, name: this.opts.name });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.api.replaceNamespacedLease({
        namespace: this.opts.namespace,
        name: this.opts.name,
        body: { ...lease, spec: releasedLeaseSpec(lease, new V1MicroTime()) },
      });
    } catch {
      // the lease expires by itself
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.opts;
    const now = new V1MicroTime();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (apiErrorCode(error) !== 404) return false;
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: createdLeaseSpec(identity, leaseDurationSeconds, now),
          },
        });
        return true;
      } catch {
        return false;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const renewTime = lease.spec?.renewTime ? new Date(lease.spec.renewTime).toISOString() : '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) this.observed = { holder, renewTime, at: Date.now() };
    const duration = (lease.spec?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const heldByOther = holder !== '' && holder !== identity;
    if (heldByOther && Date.now() < this.observed.at + duration) return false;
    const spec = holder === identity ? renewedLeaseSpec(lease, leaseDurationSeconds, now) : takenLeaseSpec(lease, identity, leaseDurationSeconds, now);
    try {
      // Guarded by the resourceVersion we read: of two candidates only one can take it.
      await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec } });
      return true;
    } catch {
      return false;
    }
  }
}
