import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NomadJobSpec, UpdateSpec } from '../../../src/model/nomad-job-spec.ts';
import type { ObservedNode } from '../../../src/planner/node-feasibility.ts';
import { systemCanaries } from '../../../src/planner/system-reconcile.ts';
import { World, type Behavior } from './world.ts';

const runs = Number(process.env.PROPERTY_RUNS ?? 40);

function agent(image: string, update: UpdateSpec = {}, extra: Partial<NomadJobSpec> = {}): NomadJobSpec {
  return {
    type: 'system',
    datacenters: ['*'],
    update: { maxParallel: 1, minHealthyTime: '1s', healthyDeadline: '1m', progressDeadline: '5m', ...update },
    taskGroups: [{ name: 'agent', tasks: [{ name: 'agent', driver: 'docker', config: { image } }] }],
    ...extra,
  };
}

function sweep(image: string, extra: Partial<NomadJobSpec> = {}): NomadJobSpec {
  return { type: 'sysbatch', datacenters: ['*'], taskGroups: [{ name: 'sweep', tasks: [{ name: 'sweep', driver: 'docker', config: { image } }] }], ...extra };
}

const node = (i: number, extra: Partial<ObservedNode> = {}): ObservedNode => ({
  name: `kwok-node-${i}`,
  labels: { 'caravan.dev/datacenter': i % 2 === 0 ? 'dc1' : 'dc2' },
  ready: true,
  unschedulable: false,
  createdAt: 0,
  ...extra,
});

function world(nodes: number, name = 'agent'): World {
  const w = new World(name);
  w.now = 1_000;
  w.nodes = Array.from({ length: nodes }, (_, i) => node(i));
  return w;
}

/** The live allocations as `node:image`, sorted by node. */
function byNode(w: World): string[] {
  return w
    .live()
    .map((a) => `${a.node}:${w.job(a.version).taskGroups[0]!.tasks[0]!.config.image}${a.phase === 'Succeeded' ? '(done)' : ''}`)
    .sort();
}

/** Lets simulated Pods run for a while (a sysbatch Pod completes 5 s after it starts), reconciling every second. */
function run(w: World, ms: number): void {
  for (let t = 0; t < ms; t += 1000) {
    w.now += 1000;
    w.step();
  }
}

const setNode = (w: World, name: string, change: Partial<ObservedNode>) => {
  w.nodes = w.nodes.map((n) => (n.name === name ? { ...n, ...change } : n));
};

describe('system jobs: one allocation per eligible node (§3.1, §3.2)', () => {
  it('places one allocation on every ready node, named job.group[0], pinned by node, through a deployment of version 0', () => {
    const w = world(3);
    w.submit(agent('agent:1'));
    const first = w.step();
    expect(first.place.map((p) => [p.node, p.index, p.reason])).toEqual([
      ['kwok-node-0', 0, 'new'],
      ['kwok-node-1', 0, 'new'],
      ['kwok-node-2', 0, 'new'],
    ]);
    expect(w.live().map((a) => a.podName)).toEqual(['agent-agent-kwok-node-0-v0', 'agent-agent-kwok-node-1-v0', 'agent-agent-kwok-node-2-v0']);
    expect(first.deployment).toMatchObject({ name: 'agent-v0', groups: { agent: { desiredTotal: 3, desiredCanaries: 0 } } });
    w.settle();
    expect(w.deployment?.status).toBe('successful');
    expect(first.jobStatus).toBe('running');
  });

  it.each([
    ['a NotReady node', { ready: false }],
    ['a cordoned node', { unschedulable: true }],
    ['a node outside the datacenters', { labels: { 'caravan.dev/datacenter': 'dc9' } }],
  ])('gets nothing: %s', (_, change) => {
    const w = world(3);
    setNode(w, 'kwok-node-1', change);
    w.submit(agent('agent:1', {}, { datacenters: ['dc1', 'dc2'] }));
    w.settle();
    expect(byNode(w)).toEqual(['kwok-node-0:agent:1', 'kwok-node-2:agent:1']);
  });

  it('skips nodes that fail a constraint, silently', () => {
    const w = world(4);
    w.submit(agent('agent:1', {}, { constraints: [{ attribute: '${node.datacenter}', value: 'dc1' }] }));
    w.settle();
    expect(byNode(w)).toEqual(['kwok-node-0:agent:1', 'kwok-node-2:agent:1']);
  });

  it('a node that joins gets an allocation, without a new deployment (node churn at an unchanged version)', () => {
    const w = world(2);
    w.submit(agent('agent:1'));
    w.settle();
    w.nodes.push(node(2));
    const joined = w.step();
    expect(joined.place).toMatchObject([{ node: 'kwok-node-2', reason: 'new' }]);
    expect(joined.place[0]!.deployment).toBeUndefined();
    w.settle();
    expect(w.deployments).toHaveLength(1);
    expect(byNode(w)).toHaveLength(3);
  });

  it.each([
    ['deleted', (w: World) => (w.nodes = w.nodes.filter((n) => n.name !== 'kwok-node-1'))],
    ['NotReady', (w: World) => setNode(w, 'kwok-node-1', { ready: false })],
  ])('a node %s: its allocation is lost and placed nowhere else (§8.1 case 15)', (_, change) => {
    const w = world(3);
    w.submit(agent('agent:1'));
    w.settle();
    change(w);
    const lost = w.step();
    expect(lost.stop).toEqual([{ podName: 'agent-agent-kwok-node-1-v0', reason: 'alloc is lost since its node is down' }]);
    expect(lost.place).toEqual([]);
    w.settle();
    expect(byNode(w)).toEqual(['kwok-node-0:agent:1', 'kwok-node-2:agent:1']);
  });

  it('a node back from NotReady gets a new allocation there', () => {
    const w = world(2);
    w.submit(agent('agent:1'));
    w.settle();
    setNode(w, 'kwok-node-1', { ready: false });
    w.settle();
    setNode(w, 'kwok-node-1', { ready: true });
    w.settle();
    expect(byNode(w)).toEqual(['kwok-node-0:agent:1', 'kwok-node-1:agent:1']);
  });

  it('a cordoned node keeps its allocation while the job is unchanged; the next version stops it unreplaced (§8.1 case 13)', () => {
    const w = world(3);
    w.submit(agent('agent:1'));
    w.settle();
    setNode(w, 'kwok-node-1', { unschedulable: true });
    expect(w.step().stop).toEqual([]);
    expect(byNode(w)).toHaveLength(3);
    w.submit(agent('agent:2'));
    w.settle();
    expect(byNode(w)).toEqual(['kwok-node-0:agent:2', 'kwok-node-2:agent:2']);
    expect(w.deployment).toMatchObject({ status: 'successful', groups: { agent: { desiredTotal: 2 } } });
    // Uncordoned: it gets the current version.
    setNode(w, 'kwok-node-1', { unschedulable: false });
    w.settle();
    expect(byNode(w)).toEqual(['kwok-node-0:agent:2', 'kwok-node-1:agent:2', 'kwok-node-2:agent:2']);
  });

  it('a failed allocation is placed again on its own node (§3.4)', () => {
    const w = world(2);
    w.submit(agent('agent:1', { maxParallel: 0 }));
    w.settle();
    w.allocs = w.allocs.map((a) => (a.node === 'kwok-node-1' ? { ...a, phase: 'Failed' } : a));
    const again = w.step();
    expect(again.stop).toEqual([{ podName: 'agent-agent-kwok-node-1-v0', reason: 'alloc was rescheduled because it failed' }]);
    expect(again.place).toMatchObject([{ node: 'kwok-node-1', replacement: 1, reason: 'reschedule' }]);
  });

  it('count 0 stops the group on every node; stopping the job stops everything', () => {
    const w = world(2);
    w.submit(agent('agent:1'));
    w.settle();
    const zero = agent('agent:1');
    w.submit({ ...zero, taskGroups: [{ ...zero.taskGroups![0]!, count: 0 }] });
    w.settle();
    expect(w.live()).toEqual([]);
  });
});

describe('system updates: max_parallel, deployments, percentage canaries (§3.6)', () => {
  it('rolls node by node under max_parallel, each batch gated on health, then succeeds', () => {
    const w = world(5);
    w.submit(agent('agent:1', { maxParallel: 2 }));
    w.settle();
    w.submit(agent('agent:2', { maxParallel: 2 }));
    const first = w.step();
    expect(first.stop.map((s) => s.reason)).toEqual(['alloc is being updated due to job update', 'alloc is being updated due to job update']);
    expect(first.place.map((p) => [p.node, p.deployment])).toEqual([
      ['kwok-node-0', 'agent-v1'],
      ['kwok-node-1', 'agent-v1'],
    ]);
    // Not yet healthy: nothing more this pass.
    w.now += 500;
    expect(w.step().place).toEqual([]);
    w.settle();
    expect(byNode(w)).toEqual(['0', '1', '2', '3', '4'].map((i) => `kwok-node-${i}:agent:2`));
    expect(w.deployment).toMatchObject({ name: 'agent-v1', status: 'successful', groups: { agent: { desiredTotal: 5, healthyAllocs: 5 } } });
  });

  it('max_parallel 0: no deployment, every node replaced at once', () => {
    const w = world(4);
    w.submit(agent('agent:1', { maxParallel: 0 }));
    w.settle();
    w.submit(agent('agent:2', { maxParallel: 0 }));
    const all = w.step();
    expect(all.place).toHaveLength(4);
    expect(all.deployment).toBeUndefined();
  });

  it.each([
    // canary %, destructive updates, max_parallel, canaries
    [50, 10, 2, 2], // §8.1 case 17: ceil(5) capped at 2
    [50, 10, 10, 5],
    [10, 3, 1, 1], // ceil(0.3)
    [100, 4, 0, 4],
    [0, 10, 2, 0],
  ])('canary %i percent of %i destructive updates, max_parallel %i: %i canaries', (percent, destructive, maxParallel, expected) => {
    expect(systemCanaries(percent, destructive, maxParallel)).toBe(expected);
  });

  it('canary = 50 on 10 nodes with max_parallel 2: 2 canaries, a promotion wait, then the rest roll (§8.1 case 17)', () => {
    const w = world(10);
    w.submit(agent('agent:1', { maxParallel: 2, canary: 50 }));
    const v0 = w.step();
    expect(v0.place.filter((p) => p.canary)).toEqual([]); // never canaries on version 0
    w.settle();
    w.submit(agent('agent:2', { maxParallel: 2, canary: 50 }));
    const canaries = w.step();
    expect(canaries.place.map((p) => [p.node, p.canary])).toEqual([
      ['kwok-node-0', true],
      ['kwok-node-1', true],
    ]);
    expect(w.deployment).toMatchObject({
      name: 'agent-v1',
      statusDescription: 'Deployment is running but requires manual promotion',
      groups: { agent: { desiredCanaries: 2, desiredTotal: 10 } },
    });
    w.settle();
    expect(byNode(w).filter((x) => x.endsWith('agent:2'))).toHaveLength(2);
    w.intend({ promote: { all: true } });
    w.settle();
    expect(byNode(w).every((x) => x.endsWith('agent:2'))).toBe(true);
    expect(w.deployment).toMatchObject({ status: 'successful', groups: { agent: { promoted: true, healthyAllocs: 10 } } });
  });

  it('an in-place change relabels every node at once, no Pod replaced', () => {
    const w = world(3);
    w.submit(agent('agent:1'));
    w.settle();
    w.submit({ ...agent('agent:1'), priority: 70 });
    const p = w.step();
    expect(p.place).toEqual([]);
    expect(p.inPlace).toHaveLength(3);
  });
});

describe('sysbatch: once per node per version (§4)', () => {
  it('runs to completion on every eligible node once; a completed node is not run again', () => {
    const w = world(3, 'sweep');
    w.behave('sweep:1', 'complete');
    w.submit(sweep('sweep:1'));
    const first = w.step();
    expect(first.place).toHaveLength(3);
    expect(first.deployment).toBeUndefined();
    run(w, 10_000);
    expect(byNode(w)).toEqual(['kwok-node-0:sweep:1(done)', 'kwok-node-1:sweep:1(done)', 'kwok-node-2:sweep:1(done)']);
    expect(w.plans.at(-1)!.jobStatus).toBe('dead');
    expect(w.step().place).toEqual([]);
  });

  it('a node that joins later gets nothing until the job is evaluated; then only it runs (§8.1 case 18)', () => {
    const w = world(3, 'sweep');
    w.behave('sweep:1', 'complete');
    w.submit(sweep('sweep:1'));
    run(w, 10_000);
    w.now += 60_000;
    w.nodes.push(node(3, { createdAt: w.now }));
    expect(w.step().place).toEqual([]);
    w.now += 1000;
    w.evaluatedAt = w.now;
    const forced = w.step();
    expect(forced.place).toMatchObject([{ node: 'kwok-node-3' }]);
    w.settle();
    expect(byNode(w)).toHaveLength(4);
  });

  it('a spec change runs every node again; an unchanged re-submit runs nothing', () => {
    const w = world(2, 'sweep');
    w.behave('sweep:1', 'complete');
    w.behave('sweep:2', 'complete');
    w.submit(sweep('sweep:1'));
    run(w, 10_000);
    w.submit(sweep('sweep:1'));
    expect(w.step().place).toEqual([]);
    w.submit(sweep('sweep:2'));
    expect(w.step().place).toHaveLength(2);
    run(w, 10_000);
    expect(byNode(w)).toEqual(['kwok-node-0:sweep:2(done)', 'kwok-node-1:sweep:2(done)']);
  });

  it('a failed node instance stays failed (§4 rule 7); completed work is never lost when its node goes (rule 3)', () => {
    const w = world(2, 'sweep');
    w.behave('sweep:1', 'complete');
    w.submit(sweep('sweep:1'));
    run(w, 10_000);
    w.allocs = w.allocs.map((a) => (a.node === 'kwok-node-1' ? { ...a, phase: 'Failed' } : a));
    expect(w.step().place).toEqual([]);
    setNode(w, 'kwok-node-0', { ready: false });
    expect(w.step().stop).toEqual([]);
  });
});

describe('per-node invariants over random clusters, node churn and Pod behaviour', () => {
  const churn = fc.constantFrom('join', 'delete', 'notready', 'ready', 'cordon', 'uncordon', 'update', 'promote', 'pass');
  const scenario = fc.record({
    type: fc.constantFrom<'system' | 'sysbatch'>('system', 'sysbatch'),
    nodes: fc.integer({ min: 1, max: 8 }),
    maxParallel: fc.integer({ min: 0, max: 3 }),
    canary: fc.constantFrom(0, 0, 25, 50, 100),
    behavior: fc.constantFrom<Behavior>('ready', 'complete', 'never-ready'),
    events: fc.array(fc.tuple(churn, fc.nat(20)), { minLength: 1, maxLength: 12 }),
  });

  it('at most one live allocation per node per group; every eligible node gets one; a lost node is never replaced elsewhere', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const w = world(sc.nodes, 'job');
        let version = 1;
        const spec = () => (sc.type === 'system' ? agent(`img:${version}`, { maxParallel: sc.maxParallel, canary: sc.canary }) : sweep(`img:${version}`));
        w.behave(`img:1`, sc.behavior);
        w.submit(spec());
        let joined = sc.nodes;
        const lostEver = new Set<string>();
        for (const [kind, pick] of sc.events) {
          const target = w.nodes[pick % Math.max(1, w.nodes.length)];
          if (kind === 'join') w.nodes.push(node(joined++, { createdAt: w.now }));
          if (kind === 'delete' && target) w.nodes = w.nodes.filter((n) => n !== target);
          if (kind === 'notready' && target) setNode(w, target.name, { ready: false });
          if (kind === 'ready' && target) setNode(w, target.name, { ready: true });
          if (kind === 'cordon' && target) setNode(w, target.name, { unschedulable: true });
          if (kind === 'uncordon' && target) setNode(w, target.name, { unschedulable: false });
          if (kind === 'update') {
            version++;
            w.behave(`img:${version}`, sc.behavior);
            w.submit(spec());
          }
          if (kind === 'promote' && w.deployment) w.intend({ promote: { all: true } });
          for (let i = 0; i < 8; i++) {
            const before = new Set(w.live().map((a) => a.podName));
            const p = w.step();
            const ready = new Set(w.nodes.filter((n) => n.ready).map((n) => n.name));
            // A lost node's allocation is never moved: every placement is on a node that is there and Ready.
            for (const pl of p.place) {
              expect(pl.node).toBeDefined();
              expect(ready.has(pl.node!)).toBe(true);
              expect(w.nodes.find((n) => n.name === pl.node)!.unschedulable).toBe(false);
            }
            for (const s of p.stop) if (s.reason === 'alloc is lost since its node is down') lostEver.add(s.podName);
            // At most one live allocation per node per group after every pass.
            const perNode = new Map<string, number>();
            for (const a of w.live()) perNode.set(a.node!, (perNode.get(a.node!) ?? 0) + 1);
            for (const n of perNode.values()) expect(n).toBe(1);
            expect(before).toBeDefined();
            w.now += 3000;
          }
        }
        // Settled: every eligible (Ready, uncordoned) node has the group, unless a sysbatch version predates it.
        if (w.deployment) w.intend({ promote: { all: true } });
        w.settle(200);
        const live = new Set(w.live().map((a) => a.node));
        for (const n of w.nodes.filter((x) => x.ready && !x.unschedulable)) {
          const submitted = Date.parse(w.target.submitTime);
          if (sc.type === 'sysbatch' && n.createdAt > submitted) continue;
          if (sc.type === 'system' && w.deployment && ['failed', 'paused'].includes(w.deployment.status)) continue;
          expect(live.has(n.name)).toBe(true);
        }
        // Nothing runs on a node that is gone.
        const present = new Set(w.nodes.map((n) => n.name));
        for (const a of w.live().filter((x) => x.phase !== 'Succeeded')) expect(present.has(a.node!)).toBe(true);
      }),
      { numRuns: runs },
    );
  }, 600_000);
});
