import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { apiErrorCode } from './client.ts';
import { createdLeaseSpec, releasedLeaseSpec, renewedLeaseSpec, takenLeaseSpec } from './lease-spec.ts';

/** The Lease of one active replica (`--shards 1`, src/kube/leader-election.ts). */
export const singleLeaseName = 'caravan-controller';
/** Who takes part in sharding, and with how many shards (an annotation on this Lease). */
export const membersLeaseName = 'caravan-controller-members';
/** The count is in the name, so replicas started with different counts never share a Lease. */
export const shardLeaseName = (shard: number, shards: number): string => `caravan-controller-shard-${shard}-of-${shards}`;
const membersAnnotation = 'caravan.dev/members';

/**
 * A Lease as this replica last saw it. `since` is when this replica first saw its current holder
 * and renewTime, by its own clock: client-go never compares clocks across machines, so a lease has
 * expired when its renewTime has not changed for its whole duration, watched from here.
 */
export interface ObservedLease {
  /** '' when no one holds it (handed back). */
  readonly holder: string;
  readonly since: number;
  readonly durationMs: number;
}

/** A replica in the members Lease; `since` as for ObservedLease (when its stamp last changed, seen from here). */
export interface ObservedMember {
  readonly identity: string;
  readonly shards: number;
  readonly since: number;
}

/** One look at every Lease sharding decides on. */
export interface ShardLeaseObservation {
  /** By shard; undefined where the Lease does not exist (yet). */
  readonly shards: readonly (ObservedLease | undefined)[];
  readonly members: readonly ObservedMember[];
  /** The single-replica Lease: held by a `--shards 1` replica (an older release, or a change of --shards under way). */
  readonly single: ObservedLease | undefined;
}

/** What the shard coordinator does with Leases; the Kubernetes one is ShardLeases, tests inject their own. */
export interface ShardLeaseStore {
  /** Renews this replica's membership, then reads every shard Lease; undefined when a read failed. */
  observe(): Promise<ShardLeaseObservation | undefined>;
  /** Renews a shard this replica holds, as last observed: 'lost' when another holds it now. */
  renew(shard: number): Promise<'renewed' | 'failed' | 'lost'>;
  /** Takes a free shard (absent, handed back, or seen expired), guarded by the resourceVersion observed. */
  take(shard: number): Promise<boolean>;
  /** Clears the holder of a shard this replica holds, so that another takes it at once. */
  handBack(shard: number): Promise<void>;
  /** Leaves the members Lease (on shutdown). */
  leave(): Promise<void>;
}

export interface ShardLeasesOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly identity: string;
  readonly shards: number;
  readonly leaseDurationSeconds: number;
}

interface Seen {
  readonly stamp: string;
  readonly at: number;
}

type Members = Record<string, { readonly shards: number; readonly renewed: string }>;

/**
 * The shard Leases on coordination.k8s.io, by client-go's rules as leader-election.ts follows
 * them: MicroTime timestamps, every replace guarded by the resourceVersion read, leaseTransitions
 * counted, and expiry judged only by watching a renewTime stay unchanged on this replica's clock.
 * Membership is one shared Lease whose annotation maps each replica to its shard count and a stamp
 * it rewrites every retry period; one fixed name keeps RBAC to named Leases.
 */
export class ShardLeases implements ShardLeaseStore {
  private readonly api: CoordinationV1Api;
  private readonly leases = new Map<string, V1Lease | undefined>();
  private readonly seen = new Map<string, Seen>();
  private readonly membersSeen = new Map<string, Seen>();
  private readonly opts: ShardLeasesOptions;

  constructor(opts: ShardLeasesOptions) {
    this.opts = opts;
    this.api = opts.kc.makeApiClient(CoordinationV1Api);
  }

  async observe(): Promise<ShardLeaseObservation | undefined> {
    const members = await this.renewMembership();
    const names = [singleLeaseName, ...Array.from({ length: this.opts.shards }, (_, i) => shardLeaseName(i, this.opts.shards))];
    const read = await Promise.all(names.map((name) => this.read(name)));
    if (members === undefined || read.some((r) => r === 'failed')) return undefined;
    const [single, ...shards] = names.map((name) => this.observed(name));
    return { shards, members, single };
  }

  async renew(shard: number): Promise<'renewed' | 'failed' | 'lost'> {
    const name = shardLeaseName(shard, this.opts.shards);
    const lease = this.leases.get(name);
    if (!lease) return 'failed';
    if (lease.spec?.holderIdentity !== this.opts.identity) return 'lost';
    const spec = renewedLeaseSpec(lease, this.opts.leaseDurationSeconds, new V1MicroTime());
    return (await this.replace(name, lease, spec)) ? 'renewed' : 'failed';
  }

  async take(shard: number): Promise<boolean> {
    const name = shardLeaseName(shard, this.opts.shards);
    const { identity, leaseDurationSeconds, namespace } = this.opts;
    const now = new V1MicroTime();
    const lease = this.leases.get(name);
    if (!lease) {
      try {
        const body = {
          metadata: { name, namespace },
          spec: createdLeaseSpec(identity, leaseDurationSeconds, now),
        };
        this.remember(name, await this.api.createNamespacedLease({ namespace, body }));
        return true;
      } catch {
        return false; // another replica created it first
      }
    }
    return this.replace(name, lease, takenLeaseSpec(lease, identity, leaseDurationSeconds, now));
  }

  async handBack(shard: number): Promise<void> {
    const name = shardLeaseName(shard, this.opts.shards);
    const lease = this.leases.get(name);
    if (lease?.spec?.holderIdentity !== this.opts.identity) return;
    // A guarded replace, or the lease expires by itself.
    await this.replace(name, lease, releasedLeaseSpec(lease, new V1MicroTime()));
  }

  async leave(): Promise<void> {
    await this.updateMembers((members) => {
      const { [this.opts.identity]: _, ...others } = members;
      return others;
    });
  }

  /** Writes this replica's stamp, drops members seen unchanged for two lease durations, and reports the members. */
  private async renewMembership(): Promise<ObservedMember[] | undefined> {
    const { identity, shards } = this.opts;
    const staleMs = 2 * this.opts.leaseDurationSeconds * 1000;
    const written = await this.updateMembers((members) => {
      const now = Date.now();
      const kept = Object.entries(members).filter(([id, m]) => id !== identity && now < this.memberSeen(id, m.renewed).at + staleMs);
      return { ...Object.fromEntries(kept), [identity]: { shards, renewed: new Date(now).toISOString() } };
    });
    if (written === undefined) return undefined;
    return Object.entries(written).map(([id, m]) => ({ identity: id, shards: m.shards, since: this.memberSeen(id, m.renewed).at }));
  }

  /** Read, change, replace guarded by the resourceVersion read; a conflict is retried with a fresh read. */
  private async updateMembers(change: (members: Members) => Members): Promise<Members | undefined> {
    const { namespace } = this.opts;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.api.readNamespacedLease({ namespace, name: membersLeaseName }).catch((error: unknown) => {
          if (apiErrorCode(error) === 404) return undefined;
          throw error;
        });
        const members = change(parseMembers(lease?.metadata?.annotations?.[membersAnnotation]));
        const annotations = { ...lease?.metadata?.annotations, [membersAnnotation]: JSON.stringify(members) };
        if (lease)
          await this.api.replaceNamespacedLease({ namespace, name: membersLeaseName, body: { ...lease, metadata: { ...lease.metadata, annotations } } });
        else await this.api.createNamespacedLease({ namespace, body: { metadata: { name: membersLeaseName, namespace, annotations }, spec: {} } });
        return members;
      } catch (error) {
        const code = apiErrorCode(error);
        if (code !== 409) return undefined;
      }
    }
    return undefined;
  }

  private memberSeen(identity: string, stamp: string): Seen {
    const seen = this.membersSeen.get(identity);
    if (seen?.stamp === stamp) return seen;
    const fresh = { stamp, at: Date.now() };
    this.membersSeen.set(identity, fresh);
    return fresh;
  }

  private async read(name: string): Promise<'ok' | 'failed'> {
    try {
      this.remember(name, await this.api.readNamespacedLease({ namespace: this.opts.namespace, name }));
      return 'ok';
    } catch (error) {
      if (apiErrorCode(error) !== 404) return 'failed';
      this.remember(name, undefined);
      return 'ok';
    }
  }

  private async replace(name: string, lease: V1Lease, spec: V1LeaseSpec): Promise<boolean> {
    try {
      // Guarded by the resourceVersion read: of two replicas only one can take or renew it.
      this.remember(name, await this.api.replaceNamespacedLease({ namespace: this.opts.namespace, name, body: { ...lease, spec } }));
      return true;
    } catch {
      return false;
    }
  }

  private remember(name: string, lease: V1Lease | undefined): void {
    this.leases.set(name, lease);
    if (!lease) {
      this.seen.delete(name);
      return;
    }
    const renewTime = lease.spec?.renewTime ? new Date(lease.spec.renewTime).toISOString() : '';
    const stamp = `${lease.spec?.holderIdentity ?? ''} ${renewTime}`;
    if (this.seen.get(name)?.stamp !== stamp) this.seen.set(name, { stamp, at: Date.now() });
  }

  private observed(name: string): ObservedLease | undefined {
    const lease = this.leases.get(name);
    const seen = this.seen.get(name);
    if (!lease || !seen) return undefined;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.opts.leaseDurationSeconds) * 1000;
    return { holder: lease.spec?.holderIdentity ?? '', since: seen.at, durationMs };
  }
}

function parseMembers(text: string | undefined): Members {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const members: Members = {};
    for (const [id, m] of Object.entries(parsed as Record<string, { shards?: unknown; renewed?: unknown }>)) {
      if (typeof m?.shards === 'number' && typeof m.renewed === 'string') members[id] = { shards: m.shards, renewed: m.renewed };
    }
    return members;
  } catch {
    return {};
  }
}
