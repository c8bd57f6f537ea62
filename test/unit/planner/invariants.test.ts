import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NomadJobSpec, UpdateSpec } from '../../../src/model/nomad-job-spec.ts';
import { isTerminal } from '../../../src/planner/deployment.ts';
import { World, type Behavior } from './world.ts';

function job(image: string, count: number, update: UpdateSpec): NomadJobSpec {
  return {
    update: { minHealthyTime: '10s', healthyDeadline: '1m', progressDeadline: '3m', ...update },
    taskGroups: [
      {
        name: 'app',
        count,
        networks: [{ ports: [{ label: 'http', to: 80 }] }],
        services: [{ name: 'app', port: 'http', checks: [{ type: 'http', path: '/' }] }],
        tasks: [{ name: 'app', driver: 'docker', config: { image, ports: ['http'] } }],
      },
    ],
  };
}

const scenario = fc.record({
  count: fc.integer({ min: 1, max: 8 }),
  maxParallel: fc.integer({ min: 1, max: 4 }),
  canary: fc.integer({ min: 0, max: 3 }),
  autoPromote: fc.boolean(),
  autoRevert: fc.boolean(),
  behavior: fc.constantFrom<Behavior>('ready', 'never-ready', 'crash'),
  promoteAfter: fc.integer({ min: 0, max: 40 }),
  /** Canary steps instead of one canary phase: a first step of 1, then a percentage. */
  stepPercent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  approveAfter: fc.integer({ min: 0, max: 40 }),
});

describe('planner invariants over random jobs, strategies and Pod behaviour', () => {
  it('hold at every pass of a destructive update', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const steps =
          sc.stepPercent !== undefined
            ? [
                { count: 1, approval: true },
                { percent: sc.stepPercent, pause: '30s' },
              ]
            : undefined;
        const maxCanaries = steps ? Math.max(1, Math.ceil((sc.count * sc.stepPercent!) / 100)) : sc.canary;
        const update: UpdateSpec = {
          maxParallel: sc.maxParallel,
          ...(steps ? { canary: 0, canarySteps: steps } : { canary: sc.canary }),
          autoPromote: sc.autoPromote && maxCanaries > 0,
          autoRevert: sc.autoRevert,
        };
        const w = new World();
        w.submit(job('app:1', sc.count, update));
        w.settle();
        expect(w.deployment?.status).toBe('successful');

        w.behave('app:2', sc.behavior);
        w.submit(job('app:2', sc.count, update));
        const terminal = new Map<string, string>();
        for (let pass = 0; pass < 120; pass++) {
          if (pass === sc.promoteAfter && w.deployment && !isTerminal(w.deployment.status)) w.intend({ promote: { all: true } });
          if (pass === sc.approveAfter && w.deployment && !isTerminal(w.deployment.status)) w.intend({ approveCanaryStep: 1 });
          const p = w.step();
          const newVersion = w.live().filter((a) => a.version === 1);
          const healthy = (a: (typeof newVersion)[number]) => a.recordedHealth?.health === 'healthy';

          // Canaries never exceed the desired number.
          expect(w.live().filter((a) => a.canary).length).toBeLessThanOrEqual(maxCanaries);
          // Without canaries, at most max_parallel new allocations are in flight (not yet healthy),
          // so at least count - max_parallel allocations stay available (their Pod Ready).
          if (maxCanaries === 0) {
            expect(newVersion.filter((a) => !healthy(a)).length).toBeLessThanOrEqual(sc.maxParallel);
            const available = w.live().filter((a) => a.readySince !== undefined).length;
            expect(available).toBeGreaterThanOrEqual(sc.count - sc.maxParallel);
          }
          // A deployment ends in exactly one terminal status and never leaves it.
          for (const d of w.deployments) {
            const was = terminal.get(d.name);
            if (was) expect(d.status).toBe(was);
            else if (isTerminal(d.status)) terminal.set(d.name, d.status);
          }
          // A version is marked stable only by a successful deployment of it.
          if (p.markStable !== undefined) expect(p.deployment).toMatchObject({ status: 'successful', jobVersion: p.markStable });
          w.now += p.requeueAt !== undefined ? Math.max(1000, p.requeueAt - w.now) : 1000;
        }

        // Planning again on a settled state asks for nothing new.
        const settled = w.settle();
        const again = w.step();
        expect([again.place, again.stop, again.inPlace, again.health]).toEqual([[], [], [], []]);
        expect(settled.place).toEqual([]);
      }),
      { numRuns: Number(process.env['PROPERTY_RUNS'] ?? 150) },
    );
  }, 600_000);
});
