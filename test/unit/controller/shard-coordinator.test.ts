import { describe, expect, it, vi } from 'vitest';
import { ShardCoordinator } from '../../../src/controller/shard-coordinator.ts';
import type { ObservedLease, ShardLeaseObservation, ShardLeaseStore } from '../../../src/kube/shard-leases.ts';

const duration = 10_000;

/** Leases in memory, as the replica 'a' sees them; every call is written down. */
class FakeStore implements ShardLeaseStore {
  calls: string[] = [];
  shards: (ObservedLease | undefined)[] = [undefined, undefined, undefined, undefined];
  members = [{ identity: 'a', shards: 4, since: 0 }];
  renewal: 'renewed' | 'failed' | 'lost' = 'renewed';
  reachable = true;
  private readonly clock: { now: number };
  constructor(clock: { now: number }) {
    this.clock = clock;
  }
  async observe(): Promise<ShardLeaseObservation | undefined> {
    return this.reachable ? { shards: [...this.shards], members: [...this.members], single: undefined } : undefined;
  }
  async renew(shard: number) {
    this.calls.push(`renew ${shard}`);
    if (this.renewal === 'renewed') this.shards[shard] = { holder: 'a', since: this.clock.now, durationMs: duration };
    return this.renewal;
  }
  async take(shard: number) {
    this.calls.push(`take ${shard}`);
    this.shards[shard] = { holder: 'a', since: this.clock.now, durationMs: duration };
    return true;
  }
  async handBack(shard: number) {
    this.calls.push(`hand back ${shard}`);
    this.shards[shard] = { holder: '', since: this.clock.now, durationMs: 1000 };
  }
  async leave() {
    this.calls.push('leave');
  }
}

/** The controller's side: which shards it reconciles, with hand-backs held open until finished. */
function fakeController() {
  const owned = new Set<number>();
  const draining = new Map<number, () => void>();
  return {
    owned,
    draining,
    takeShard: (shard: number) => void owned.add(shard),
    handBackShard: (shard: number) =>
      new Promise<void>((resolve) => {
        owned.delete(shard);
        draining.set(shard, resolve);
      }),
  };
}

function setUp() {
  const clock = { now: 0 };
  const store = new FakeStore(clock);
  const controller = fakeController();
  const held: number[][] = [];
  const lost: string[] = [];
  const coordinator = new ShardCoordinator({
    store,
    controller,
    count: 4,
    identity: 'a',
    leaseDurationMs: duration,
    renewDeadlineMs: 6_500,
    retryPeriodMs: 1_300,
    onHeld: (shards) => held.push([...shards]),
    onLost: (shard, why) => lost.push(`${shard}: ${why}`),
    now: () => clock.now,
  });
  return { clock, store, controller, held, lost, coordinator };
}

/** Set up, past the first look (which only joins the members). */
async function joined() {
  const t = setUp();
  await t.coordinator.tick();
  return t;
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('the shard coordinator', () => {
  it('takes nothing on its first look, which only joins the members', async () => {
    const { store, controller, coordinator } = setUp();
    await coordinator.tick();
    expect(store.calls).toEqual([]);
    expect(controller.owned.size).toBe(0);
  });

  it('alone, takes every shard and hands each to the controller', async () => {
    const { store, controller, held, coordinator } = await joined();
    await coordinator.tick();
    expect(store.calls).toEqual(['take 0', 'take 1', 'take 2', 'take 3']);
    expect([...controller.owned]).toEqual([0, 1, 2, 3]);
    expect(held.at(-1)).toEqual([0, 1, 2, 3]);
    store.calls = [];
    await coordinator.tick();
    expect(store.calls).toEqual(['renew 0', 'renew 1', 'renew 2', 'renew 3']);
  });

  it('hands a shard back only after its reconciles finished, renewing its Lease meanwhile', async () => {
    const { clock, store, controller, held, coordinator } = await joined();
    await coordinator.tick();
    store.members = [...store.members, { identity: 'b', shards: 4, since: 0 }];
    clock.now += 1300;
    await coordinator.tick();
    expect([...controller.owned]).toEqual([0, 1]);
    expect([...controller.draining.keys()]).toEqual([2, 3]);
    store.calls = [];
    clock.now += 1300;
    await coordinator.tick();
    expect(store.calls).toEqual(['renew 0', 'renew 1', 'renew 2', 'renew 3']);
    controller.draining.get(2)!();
    controller.draining.get(3)!();
    await flush();
    store.calls = [];
    clock.now += 1300;
    await coordinator.tick();
    expect(store.calls).toEqual(['renew 0', 'renew 1', 'hand back 2', 'hand back 3']);
    expect(coordinator.shards).toEqual([0, 1]);
    expect(held.at(-1)).toEqual([0, 1]);
  });

  it('once a shard is handed back, decides on the Leases as they are now, and keeps a shard it takes again', async () => {
    const { clock, store, controller, coordinator } = await joined();
    await coordinator.tick();
    store.members = [...store.members, { identity: 'b', shards: 4, since: 0 }];
    await coordinator.tick();
    for (const finish of controller.draining.values()) finish();
    await flush();
    await coordinator.tick();
    controller.draining.clear();
    store.calls = [];
    await coordinator.tick();
    expect(store.calls).toEqual(['renew 0', 'renew 1']);
    expect(controller.draining.size).toBe(0);
    store.members = [store.members[0]!];
    clock.now += 1300;
    store.calls = [];
    await coordinator.tick();
    expect(store.calls).toEqual(['renew 0', 'renew 1', 'take 2', 'take 3']);
    store.calls = [];
    await coordinator.tick();
    expect(store.calls).toEqual(['renew 0', 'renew 1', 'renew 2', 'renew 3']);
    expect([...controller.owned].sort()).toEqual([0, 1, 2, 3]);
  });

  it('gives a shard up as lost when its renewals fail past the renew deadline', async () => {
    const { clock, store, controller, lost, coordinator } = await joined();
    await coordinator.tick();
    store.reachable = false;
    store.renewal = 'failed';
    clock.now += 6_500;
    await coordinator.tick();
    expect(lost).toEqual([]);
    clock.now += 1;
    await coordinator.tick();
    expect(lost).toHaveLength(4);
    expect(lost[0]).toBe('0: its Lease was not renewed for 6500 ms');
    expect(controller.owned.size).toBe(0);
  });

  it('gives a shard up as lost at once when another replica holds its Lease', async () => {
    const { store, lost, coordinator } = await joined();
    await coordinator.tick();
    store.renewal = 'lost';
    await coordinator.tick();
    expect(lost[0]).toBe('0: another replica holds its Lease');
  });

  it('hands back, without acting on it, a shard Lease that names it but that it does not know it holds (a take whose answer was lost)', async () => {
    const { clock, store, controller, coordinator } = setUp();
    store.shards[1] = { holder: 'a', since: clock.now, durationMs: duration };
    await coordinator.tick();
    await coordinator.tick();
    expect(store.calls).toEqual(['hand back 1']);
    expect(controller.owned.size).toBe(0);
    await coordinator.tick();
    expect(store.calls).toEqual(['hand back 1', 'take 0', 'take 1', 'take 2', 'take 3']);
    expect([...controller.owned].sort()).toEqual([0, 1, 2, 3]);
  });

  it('loses its shards at the renew deadline even while a renewal hangs (a black-holed API server)', async () => {
    const store = new FakeStore({ now: 0 });
    const lost: number[] = [];
    const coordinator = new ShardCoordinator({
      store,
      controller: fakeController(),
      count: 4,
      identity: 'a',
      leaseDurationMs: 300,
      renewDeadlineMs: 100,
      retryPeriodMs: 20,
      onLost: (shard) => lost.push(shard),
    });
    coordinator.start();
    await vi.waitFor(() => expect(coordinator.shards).toEqual([0, 1, 2, 3]));
    store.renew = () => new Promise(() => {});
    await vi.waitFor(() => expect(lost.sort()).toEqual([0, 1, 2, 3]), { timeout: 2000 });
    expect(coordinator.shards).toEqual([]);
  });

  it('on stop, finishes every shard, hands the Leases back and leaves the members', async () => {
    const { store, controller, coordinator } = await joined();
    await coordinator.tick();
    store.calls = [];
    const stopped = coordinator.stop();
    await flush();
    for (let i = 0; i < 20 && controller.draining.size < 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(store.calls.filter((c) => c.startsWith('hand back'))).toEqual([]);
    for (const finish of controller.draining.values()) finish();
    await stopped;
    expect(store.calls.filter((c) => !c.startsWith('renew'))).toEqual(['hand back 0', 'hand back 1', 'hand back 2', 'hand back 3', 'leave']);
    expect(coordinator.shards).toEqual([]);
  });
});
