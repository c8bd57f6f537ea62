import { describe, expect, it } from 'vitest';
import type { NomadJobSpec, UpdateSpec } from '../../../src/model/nomad-job-spec.ts';
import { World } from './world.ts';

const s = 1000;
const m = 60 * s;

function web(image: string, count: number, update: UpdateSpec = {}): NomadJobSpec {
  return {
    update: { maxParallel: 1, minHealthyTime: '10s', healthyDeadline: '5m', progressDeadline: '10m', ...update },
    taskGroups: [
      {
        name: 'frontend',
        count,
        networks: [{ ports: [{ label: 'http', to: 80 }] }],
        services: [{ name: 'web', port: 'http', checks: [{ type: 'http', path: '/healthz' }] }],
        tasks: [{ name: 'nginx', driver: 'docker', config: { image, ports: ['http'] } }],
      },
    ],
  };
}

/** The images of the live allocations, by index. */
function images(w: World): string[] {
  return w
    .live()
    .sort((a, b) => a.index - b.index || a.version - b.version)
    .map((a) => `${a.index}:${w.job(a.version).taskGroups[0]!.tasks[0]!.config.image}${a.canary ? '(canary)' : ''}`);
}

describe('story: first registration', () => {
  it('places every allocation at once, without canaries, then succeeds and marks version 0 stable (§4 case 9)', () => {
    const w = new World();
    w.submit(web('nginx:1', 3, { canary: 2 }));
    const first = w.step();
    expect(first.place.map((p) => [p.index, p.canary])).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);
    expect(first.deployment).toMatchObject({
      name: 'web-v0',
      status: 'running',
      statusDescription: 'Deployment is running',
      groups: { frontend: { desiredTotal: 3, desiredCanaries: 0 } },
    });
    const last = w.settle();
    expect(w.deployment).toMatchObject({ status: 'successful', statusDescription: 'Deployment completed successfully' });
    expect(w.versions[0]!.stable).toBe(true);
    expect(last.place).toEqual([]);
  });
});

describe('story: canary, promote, rolling update, success (§2.5)', () => {
  it('runs one canary beside the old allocations, waits for promotion, then rolls two at a time', () => {
    const w = new World();
    w.submit(web('nginx:1', 4, { maxParallel: 2, canary: 1 }));
    w.settle();
    expect(w.versions[0]!.stable).toBe(true);

    w.submit(web('nginx:2', 4, { maxParallel: 2, canary: 1 }));
    const canaryPass = w.step();
    expect(canaryPass.place).toMatchObject([{ index: 0, version: 1, canary: true, deployment: 'web-v1' }]);
    expect(canaryPass.stop).toEqual([]);
    expect(w.deployment).toMatchObject({
      name: 'web-v1',
      statusDescription: 'Deployment is running but requires manual promotion',
      groups: { frontend: { desiredTotal: 4, desiredCanaries: 1 } },
    });

    // The canary turns healthy; nothing else moves until someone promotes.
    w.settle();
    expect(images(w)).toEqual(['0:nginx:1', '0:nginx:2(canary)', '1:nginx:1', '2:nginx:1', '3:nginx:1']);
    expect(w.deployment?.status).toBe('running');

    w.intend({ promote: { all: true } });
    const promoted = w.step();
    // The promoted canary stays placed-as-canary (the label is never cleared; Nomad's API flag is
    // derived from the promotion); the old allocation sharing its name stops.
    expect(promoted.stop).toContainEqual({ podName: 'web-frontend-0-v0', reason: 'alloc not needed due to job update' });
    expect(
      w
        .live()
        .filter((a) => a.canary)
        .map((a) => a.podName),
    ).toEqual(['web-frontend-0-v1']);
    expect(promoted.place.filter((p) => p.reason === 'destructive update').map((p) => p.index)).toEqual([1, 2]);
    expect(w.deployment?.statusDescription).toBe('Deployment is running');

    w.settle();
    expect(images(w)).toEqual(['0:nginx:2(canary)', '1:nginx:2', '2:nginx:2', '3:nginx:2']);
    expect(w.deployment).toMatchObject({ status: 'successful', statusDescription: 'Deployment completed successfully' });
    expect(w.versions.map((v) => v.stable)).toEqual([true, true]);
  });

  it("refuses to promote unhealthy canaries with Nomad's error, and promotes once they are healthy (§4 case 13)", () => {
    const w = new World();
    w.submit(web('nginx:1', 3, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 3, { canary: 1 }));
    w.step();
    w.intend({ promote: { all: true } });
    expect(w.step().intentError).toBe('1 error occurred:\n\t* Task group "frontend" has 0/1 healthy allocations\n\n');
    w.settle();
    expect(w.deployment).toMatchObject({ status: 'successful' });
  });

  it('auto-promotes once every canary is healthy', () => {
    const w = new World();
    w.submit(web('nginx:1', 2, { canary: 1, autoPromote: true }));
    w.settle();
    w.submit(web('nginx:2', 2, { canary: 1, autoPromote: true }));
    w.step();
    expect(w.deployment?.statusDescription).toBe('Deployment is running pending automatic promotion');
    w.settle();
    expect(w.deployment?.status).toBe('successful');
    expect(images(w)).toEqual(['0:nginx:2(canary)', '1:nginx:2']);
  });
});

describe('story: failure and auto-revert (§2.9)', () => {
  it('fails at the progress deadline, runs the stable version again without a canary phase, and stops', () => {
    const w = new World();
    const update: UpdateSpec = { canary: 1, autoPromote: true, autoRevert: true, healthyDeadline: '1m', progressDeadline: '2m' };
    w.submit(web('nginx:1', 3, update));
    w.settle();
    w.behave('nginx:broken', 'never-ready');
    w.submit(web('nginx:broken', 3, update));
    w.settle();
    const failed = w.deployments.find((d) => d.name === 'web-v1')!;
    expect(failed).toMatchObject({ status: 'failed', statusDescription: 'Failed due to progress deadline - rolling back to job version 0' });
    // Version 2 runs version 0's spec; it was proven stable, so no canary this time.
    expect(w.versions.map((v) => [v.version, v.stable])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
    expect(w.deployment).toMatchObject({ name: 'web-v2', status: 'successful', groups: { frontend: { desiredCanaries: 0 } } });
    expect(images(w)).toEqual(['0:nginx:1', '1:nginx:1', '2:nginx:1']);
    expect(w.plans.some((p) => p.place.some((x) => x.version === 2 && x.canary))).toBe(false);
  });

  it('without a stable version there is nothing to go back to (§4 case 34)', () => {
    const w = new World();
    w.behave('nginx:broken', 'never-ready');
    w.submit(web('nginx:broken', 2, { autoRevert: true, healthyDeadline: '1m', progressDeadline: '2m' }));
    w.settle();
    expect(w.deployment).toMatchObject({ status: 'failed', statusDescription: 'Failed due to progress deadline - no stable job version to auto revert to' });
    expect(w.versions).toHaveLength(1);
  });

  it('progress_deadline 0: the first unhealthy allocation fails the deployment (§4 case 29)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.behave('nginx:crash', 'crash');
    w.submit(web('nginx:crash', 2, { progressDeadline: '0' }));
    w.settle();
    expect(w.deployments.at(-1)).toMatchObject({ status: 'failed', statusDescription: 'Failed due to unhealthy allocations' });
    // The roll-out halted at the first replacement: one old allocation still runs.
    expect(images(w).filter((i) => i.endsWith('nginx:1'))).toHaveLength(1);
  });
});

describe('story: changes during a deployment', () => {
  it('a newer version cancels the running deployment and stops its canaries (§2.14)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 2, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:3', 2, { canary: 1 }));
    const pass = w.step();
    expect(pass.cancelled).toMatchObject({ name: 'web-v1', status: 'cancelled', statusDescription: 'Cancelled due to newer version of job' });
    expect(pass.stop).toContainEqual({ podName: 'web-frontend-0-v1', reason: 'alloc not needed due to job update' });
    expect(pass.place).toMatchObject([{ version: 2, canary: true }]);
  });

  it('a count change is an in-place update: no Pod replaced, new ones placed (§4 case 3)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.submit(web('nginx:1', 4));
    const pass = w.step();
    expect(pass.inPlace.map((u) => u.podName)).toEqual(['web-frontend-0-v0', 'web-frontend-1-v0']);
    expect(pass.stop).toEqual([]);
    expect(pass.place.map((p) => p.index)).toEqual([2, 3]);
    w.settle();
    expect(w.deployment).toMatchObject({ name: 'web-v1', status: 'successful', groups: { frontend: { desiredTotal: 4 } } });
  });

  it('pausing holds the roll-out; resuming continues it (§2.11)', () => {
    const w = new World();
    w.submit(web('nginx:1', 3));
    w.settle();
    w.submit(web('nginx:2', 3));
    w.step();
    w.intend({ paused: true });
    w.settle();
    expect(w.deployment).toMatchObject({ status: 'paused', statusDescription: 'Deployment is paused' });
    const beforeResume = images(w);
    w.intend({ paused: false });
    w.settle();
    expect(beforeResume.filter((i) => i.endsWith('nginx:2')).length).toBeLessThan(3);
    expect(w.deployment?.status).toBe('successful');
    expect(images(w)).toEqual(['0:nginx:2', '1:nginx:2', '2:nginx:2']);
  });

  it('a batch job whose allocations all complete is dead, and nothing is placed again', () => {
    const w = new World('report');
    w.behave('report:1', 'complete');
    w.submit({ type: 'batch', taskGroups: [{ name: 'run', count: 2, tasks: [{ name: 'run', driver: 'docker', config: { image: 'report:1' } }] }] });
    expect(w.step().jobStatus).toBe('running');
    w.now += 10_000; // the Pods run for 5 s and complete
    const last = w.settle();
    expect(w.allocs.map((a) => a.phase)).toEqual(['Succeeded', 'Succeeded']);
    expect(last.place).toEqual([]);
    expect(last.jobStatus).toBe('dead');
    expect(last.summary['run']).toMatchObject({ complete: 2, running: 0 });
  });

  it('stopping the job stops everything and cancels the deployment', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.submit(web('nginx:2', 2));
    w.step();
    w.submit({ ...web('nginx:2', 2), stop: true });
    const pass = w.step();
    expect(pass.cancelled).toMatchObject({ statusDescription: 'Cancelled because job is stopped' });
    expect(w.live()).toEqual([]);
    expect(pass.jobStatus).toBe('dead');
  });
});

describe('the plan is idempotent', () => {
  it('planning again on the state a settled plan left asks for nothing', () => {
    const w = new World();
    w.submit(web('nginx:1', 3, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 3, { canary: 1, autoPromote: true }));
    w.settle();
    const again = w.step();
    expect([again.place, again.stop, again.inPlace, again.health]).toEqual([[], [], [], []]);
    expect(again.markStable).toBeUndefined();
  });
});

describe('story: operators and failures', () => {
  it('an operator fail rolls back when a group auto-reverts (§2.12, §4 case 37)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2, { autoRevert: true }));
    w.settle();
    w.submit(web('nginx:2', 2, { autoRevert: true }));
    w.step();
    w.intend({ failed: true });
    const failed = w.step();
    expect(failed.deployment).toMatchObject({ status: 'failed', statusDescription: 'Deployment marked as failed - rolling back to job version 0' });
    expect(failed.revertTo?.version).toBe(0);
  });

  it('marking an allocation unhealthy by hand fails the deployment at once (§2.13 rule 4)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.behave('nginx:slow', 'never-ready');
    w.submit(web('nginx:2', 2));
    w.step(); // records version 1 (a pass sees only the spec at hand)
    w.submit(web('nginx:slow', 2));
    w.step();
    w.now += 5000;
    w.step();
    const newPod = w.live().find((a) => a.version === 2)!;
    w.markHealth(newPod.podName, 'unhealthy');
    expect(w.step().deployment).toMatchObject({ status: 'failed', statusDescription: 'Failed due to unhealthy allocations' });
  });

  it('a failed allocation is rescheduled after the policy delay, with its history (§2.1 step 4.4)', () => {
    const w = new World();
    w.behave('nginx:dies', 'fail');
    w.submit({ ...web('nginx:dies', 1), update: { maxParallel: 0 } });
    w.step();
    w.now = 10_000;
    const early = w.step();
    expect(early.place).toEqual([]);
    expect(early.requeueAt).toBe(36_000);
    w.now = 36_000;
    const replaced = w.step();
    expect(replaced.stop).toEqual([{ podName: 'web-frontend-0-v0', reason: 'alloc was rescheduled because it failed' }]);
    expect(replaced.place).toMatchObject([{ index: 0, version: 0, replacement: 1, reason: 'reschedule', rescheduleEvents: [{ at: 36_000, delay: 30_000 }] }]);
  });

  it('a count decrease stops the highest indexes (§4 case 24)', () => {
    const w = new World();
    w.submit(web('nginx:1', 5));
    w.settle();
    w.submit(web('nginx:1', 3));
    expect(w.step().stop.map((s) => s.podName)).toEqual(['web-frontend-4-v0', 'web-frontend-3-v0']);
  });
});

describe('story: lost nodes', () => {
  it('an allocation on a lost node is replaced at once, at the target version', () => {
    const w = new World();
    w.submit(web('nginx:1', 3));
    w.settle();
    const victim = w.live()[1]!;
    w.lostNodes.add(victim.nodeName!);
    const pass = w.step();
    expect(pass.stop).toEqual([{ podName: victim.podName, reason: 'alloc is lost since its node is down' }]);
    expect(pass.place).toMatchObject([{ index: victim.index, version: 0, replacement: 1, reason: 'lost' }]);
  });

  it('while canarying, a lost old allocation is replaced with the old version (§4 case 20)', () => {
    const w = new World();
    w.submit(web('nginx:1', 3, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 3, { canary: 1 }));
    w.settle();
    const old = w.live().find((a) => a.version === 0 && a.index === 2)!;
    w.lostNodes.add(old.nodeName!);
    const pass = w.step();
    const replacement = pass.place.find((p) => p.reason === 'lost' && p.index === 2)!;
    expect(replacement.version).toBe(0);
    expect(w.deployment?.statusDescription).toBe('Deployment is running but requires manual promotion');
  });
});

describe('story: canary steps (beyond Nomad: its issue #11822)', () => {
  it('grows the canaries step by step, waits each pause, then auto-promotes and rolls', () => {
    const w = new World();
    const update: UpdateSpec = { maxParallel: 2, autoPromote: true, canarySteps: [{ count: 1, pause: '1m' }, { percent: 50 }] };
    w.submit(web('nginx:1', 4, update));
    w.settle();
    w.submit(web('nginx:2', 4, update));
    const t0 = w.now;
    const first = w.step();
    expect(first.place).toMatchObject([{ canary: true, index: 0 }]);
    expect(w.deployment?.groups['frontend']).toMatchObject({ desiredCanaries: 2, canaryStep: 1, stepCanaries: 1 });

    // The first canary starts after 1 s and is healthy 10 s later; the step then holds it a minute.
    w.now = t0 + 15_000;
    w.step();
    expect(w.deployment?.groups['frontend']?.canaryStep).toBe(1);
    w.now = t0 + 71_000;
    const advanced = w.step();
    expect(advanced.events.map((e) => e.message)).toContain('web-v1: group frontend moves to canary step 2 of 2 (2 canaries)');
    expect(advanced.place).toMatchObject([{ canary: true, index: 1 }]);

    w.settle();
    expect(w.deployment).toMatchObject({ status: 'successful' });
    expect(images(w)).toEqual(['0:nginx:2(canary)', '1:nginx:2(canary)', '2:nginx:2', '3:nginx:2']);
  });

  it('an approval gate waits for spec.approveCanaryStep, without failing at the progress deadline', () => {
    const w = new World();
    const update: UpdateSpec = { progressDeadline: '2m', healthyDeadline: '1m', canarySteps: [{ count: 1, approval: true }, { count: 2 }] };
    w.submit(web('nginx:1', 3, update));
    w.settle();
    w.submit(web('nginx:2', 3, update));
    w.settle();
    w.now += 10 * m;
    w.step();
    expect(w.deployment).toMatchObject({ status: 'running', groups: { frontend: { canaryStep: 1 } } });
    expect(w.live().filter((a) => a.canary)).toHaveLength(1);

    w.intend({ approveCanaryStep: 1 });
    w.settle();
    expect(w.deployment).toMatchObject({
      status: 'running',
      statusDescription: 'Deployment is running but requires manual promotion',
      groups: { frontend: { canaryStep: 2 } },
    });
    expect(w.live().filter((a) => a.canary)).toHaveLength(2);

    w.intend({ promote: { all: true } });
    w.settle();
    expect(w.deployment?.status).toBe('successful');
  });

  it('promoting early skips the remaining steps once the current one is healthy', () => {
    const w = new World();
    const update: UpdateSpec = { canarySteps: [{ count: 1, approval: true }, { count: 3 }] };
    w.submit(web('nginx:1', 3, update));
    w.settle();
    w.submit(web('nginx:2', 3, update));
    w.settle();
    w.intend({ promote: { all: true } });
    w.settle();
    expect(w.deployment?.status).toBe('successful');
    expect(w.plans.flatMap((p) => p.place).filter((p) => p.canary)).toHaveLength(1);
  });
});

describe("story: more of Nomad's edge cases (§4)", () => {
  it('max_parallel 0: no deployment, every allocation replaced at once (case 10)', () => {
    const w = new World();
    w.submit(web('nginx:1', 4, { maxParallel: 0 }));
    w.settle();
    w.submit(web('nginx:2', 4, { maxParallel: 0 }));
    const pass = w.step();
    expect(pass.stop).toHaveLength(4);
    expect(pass.place).toHaveLength(4);
    expect(pass.deployment).toBeUndefined();
    expect(w.deployments).toEqual([]);
  });

  // The spec's case 11 says the deployment holds only the changed group. Nomad's scheduler does
  // otherwise: the unchanged group's allocations are updated in place to the new version, and
  // in-place updates count as work (createDeployment's updatingSpec), so that group joins the
  // deployment too. Caravan follows what Nomad does; no Pod of the unchanged group is replaced.
  it('two groups, one changed: the other is updated in place, none of its Pods replaced (case 11, as Nomad does it)', () => {
    const w = new World();
    const two = (image: string): NomadJobSpec => ({
      ...web(image, 2),
      taskGroups: [...web(image, 2).taskGroups, { ...web('redis:7', 1).taskGroups[0]!, name: 'cache' }],
    });
    w.submit(two('nginx:1'));
    w.settle();
    w.submit(two('nginx:2'));
    const pass = w.step();
    expect(pass.inPlace.map((u) => u.podName)).toEqual(['web-cache-0-v0']);
    expect(pass.stop.map((s) => s.podName)).toEqual(['web-frontend-0-v0']);
    expect(w.deployment!.groups).toMatchObject({ frontend: { desiredTotal: 2 }, cache: { desiredTotal: 1 } });
    w.settle();
    expect(w.deployment?.status).toBe('successful');
  });

  it('scale-up with a destructive change under max_parallel 1: new placements use the budget first (case 23)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.submit(web('nginx:2', 3));
    const pass = w.step();
    expect(pass.place.map((p) => p.reason)).toEqual(['new']);
    expect(pass.stop).toEqual([]);
  });

  it('canary 7 > count 3: at most count placed per pass, the rest as canaries turn healthy (case 15)', () => {
    const w = new World();
    w.submit(web('nginx:1', 3, { canary: 7, autoPromote: true }));
    w.settle();
    w.submit(web('nginx:2', 3, { canary: 7, autoPromote: true }));
    const first = w.step();
    expect(first.place.filter((p) => p.canary).map((p) => p.index)).toEqual([0, 1, 2]);
    expect(w.deployment?.groups['frontend']).toMatchObject({ desiredCanaries: 7, desiredTotal: 3 });
    w.settle();
    expect(w.deployment?.status).toBe('successful');
    expect(images(w)).toEqual(['0:nginx:2(canary)', '1:nginx:2(canary)', '2:nginx:2(canary)']);
  });

  it('after a failed deployment, planning again at that version creates nothing new (case 12)', () => {
    const w = new World();
    w.behave('nginx:broken', 'never-ready');
    w.submit(web('nginx:broken', 2, { healthyDeadline: '1m', progressDeadline: '2m' }));
    w.settle();
    expect(w.deployment?.status).toBe('failed');
    const again = w.step();
    expect([again.place, again.stop, again.deployment?.status]).toEqual([[], [], 'failed']);
  });
});

describe('story: failing for good', () => {
  it('a failed allocation with no reschedule left fails the deployment at once (§2.8 rule 4)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.behave('nginx:dies', 'fail');
    const dies = web('nginx:dies', 2);
    dies.taskGroups[0]!.reschedule = { attempts: 0, unlimited: false };
    w.submit(dies);
    w.step();
    w.now += 7000;
    expect(w.step().deployment).toMatchObject({ status: 'failed', statusDescription: 'Failed due to unhealthy allocations' });
  });

  it('a lost allocation replaced after success at the same version creates no new deployment (§2.2 rule 3)', () => {
    const w = new World();
    w.submit(web('nginx:1', 2));
    w.settle();
    w.lostNodes.add(w.live()[0]!.nodeName!);
    w.settle();
    expect(w.deployments.map((d) => [d.name, d.status])).toEqual([['web-v0', 'successful']]);
  });
});

describe('story: observations that disagree after a crash converge (issue 11)', () => {
  it('a promoted canary known only from placedCanaries still stops the old allocation of its name, and nothing is placed twice', () => {
    const w = new World();
    w.submit(web('nginx:1', 4, { maxParallel: 2, canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 4, { maxParallel: 2, canary: 1 }));
    w.settle();
    w.intend({ promote: { all: true } });
    w.step({ after: 1 }); // the promotion is recorded, then the process dies before any Pod write
    // An older Caravan cleared the label at promotion: only the deployment knows the canary now.
    w.allocs = w.allocs.map((a) => ({ ...a, canary: false }));
    const next = w.step();
    expect(next.stop).toContainEqual({ podName: 'web-frontend-0-v0', reason: 'alloc not needed due to job update' });
    expect(next.place.map((p) => p.index)).not.toContain(0);
    w.settle();
    expect(images(w)).toEqual(['0:nginx:2', '1:nginx:2', '2:nginx:2', '3:nginx:2']);
    expect(w.created.filter((n) => n.endsWith('-v1'))).toHaveLength(4);
  });

  it('two live allocations with one name: one stops first, the gap is not refilled, and no replacement loop follows', () => {
    const w = new World();
    w.submit(web('nginx:1', 4, { maxParallel: 2 }));
    w.settle();
    const one = w.allocs.find((a) => a.index === 1)!;
    w.allocs.push({ ...one, podName: 'web-frontend-1-v0-r1', uid: 'dup', replacement: 1, createdAt: w.now });
    const pass = w.step();
    expect(pass.stop).toEqual([{ podName: 'web-frontend-1-v0-r1', reason: 'alloc not needed due to job update' }]);
    expect(pass.place).toEqual([]);
    for (let i = 0; i < 20; i++) {
      w.now += 30_000;
      expect(w.step().place).toEqual([]);
    }
    expect(images(w)).toEqual(['0:nginx:1', '1:nginx:1', '2:nginx:1', '3:nginx:1']);
  });
});

describe('story: promoting a paused deployment (Nomad promotes any active deployment)', () => {
  it('promotes while paused, keeps the paused description, and places nothing until resumed', () => {
    const w = new World();
    w.submit(web('nginx:1', 3, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 3, { canary: 1 }));
    w.settle();
    w.intend({ paused: true });
    w.step();
    w.intend({ promote: { all: true } });
    const promoted = w.step();
    expect(promoted.intentError).toBeUndefined();
    expect(w.deployment).toMatchObject({ status: 'paused', statusDescription: 'Deployment is paused', groups: { frontend: { promoted: true } } });
    expect(promoted.place).toEqual([]);
    w.intend({ paused: false });
    w.settle();
    expect(w.deployment).toMatchObject({ status: 'successful' });
    expect(images(w)).toEqual(['0:nginx:2(canary)', '1:nginx:2', '2:nginx:2']);
  });
});

describe('story: health set by hand over recorded health (§2.13 rule 3)', () => {
  it('unhealthy over healthy moves the counters and fails the deployment at once', () => {
    const w = new World();
    w.submit(web('nginx:1', 2, { canary: 1 }));
    w.settle();
    w.submit(web('nginx:2', 2, { canary: 1 }));
    w.settle();
    expect(w.deployment?.groups['frontend']).toMatchObject({ healthyAllocs: 1, unhealthyAllocs: 0 });
    const canary = w.live().find((a) => a.canary)!;
    w.markHealth(canary.podName, 'unhealthy');
    const pass = w.step();
    expect(pass.health).toEqual([{ podName: canary.podName, health: 'unhealthy', at: w.now, reason: 'Marked unhealthy by hand' }]);
    expect(w.deployment).toMatchObject({
      status: 'failed',
      statusDescription: 'Failed due to unhealthy allocations',
      groups: { frontend: { healthyAllocs: 0, unhealthyAllocs: 1 } },
    });
  });

  it('healthy over unhealthy counts the allocation healthy and lets the rollout go on', () => {
    const w = new World();
    w.submit(web('nginx:1', 2, { canary: 1, autoPromote: true }));
    w.settle();
    w.behave('nginx:2', 'never-ready');
    w.submit(web('nginx:2', 2, { canary: 1, autoPromote: true, healthyDeadline: '20s', progressDeadline: '10m' }));
    for (let i = 0; i < 40 && !w.live().some((a) => a.recordedHealth?.health === 'unhealthy'); i++) {
      w.now += 1000;
      w.step();
    }
    const canary = w.live().find((a) => a.recordedHealth?.health === 'unhealthy')!;
    expect(w.deployment?.status).toBe('running');
    w.markHealth(canary.podName, 'healthy');
    w.step();
    expect(w.deployment?.groups['frontend']).toMatchObject({ healthyAllocs: 1, unhealthyAllocs: 0, promoted: true });
  });
});
