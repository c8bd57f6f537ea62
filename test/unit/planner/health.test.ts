import { describe, expect, it } from 'vitest';
import { allocationHealth, type HealthRules, type HealthVerdict } from '../../../src/planner/health.ts';
import type { ObservedAllocation, ObservedContainer } from '../../../src/planner/observed-allocation.ts';

const s = 1000;
const checks: HealthRules = { healthCheck: 'checks', minHealthyTime: 10 * s, healthyDeadline: 300 * s, checkedServices: ['web'] };
const taskStates: HealthRules = { ...checks, healthCheck: 'task_states' };
const manual: HealthRules = { ...checks, healthCheck: 'manual' };

/** Overrides where `undefined` removes a default field. */
type Overrides<T> = { [K in keyof T]?: T[K] | undefined };
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const app = (c: Overrides<ObservedContainer> = {}): ObservedContainer =>
  defined({ name: 'app', init: false, ready: true, restartCount: 0, runningSince: 2 * s, ...c }) as ObservedContainer;
const alloc = (a: Overrides<ObservedAllocation> = {}): ObservedAllocation =>
  defined({
    podName: 'web-frontend-0-v1',
    uid: 'u',
    group: 'frontend',
    index: 0,
    version: 1,
    replacement: 0,
    canary: false,
    phase: 'Running',
    createdAt: 0,
    startedAt: 1 * s,
    nodeName: 'kwok-node-0',
    readySince: 3 * s,
    containers: [app()],
    deleting: false,
    ...a,
  }) as ObservedAllocation;

describe('allocation health (Nomad §2.7)', () => {
  it.each<[string, ObservedAllocation, HealthRules, number, HealthVerdict]>([
    ['checks: Ready for min_healthy_time is healthy, at the moment it was', alloc(), checks, 20 * s, { status: 'healthy', at: 13 * s }],
    [
      'checks: Ready for less than min_healthy_time waits for it',
      alloc(),
      checks,
      8 * s,
      { status: 'pending', waitingFor: 'min_healthy_time of 10s', recheckAt: 13 * s },
    ],
    [
      'checks: running but never Ready waits for the checks',
      alloc({ readySince: undefined }),
      checks,
      60 * s,
      { status: 'pending', waitingFor: 'checks of web', recheckAt: 301 * s },
    ],
    [
      'checks: not Ready by healthy_deadline is unhealthy',
      alloc({ readySince: undefined }),
      checks,
      400 * s,
      { status: 'unhealthy', at: 301 * s, reason: 'Services not healthy by deadline: web' },
    ],
    [
      'checks: Ready too late to finish min_healthy_time by the deadline is unhealthy',
      alloc({ readySince: 295 * s }),
      checks,
      301 * s,
      { status: 'unhealthy', at: 301 * s, reason: 'Services not healthy by deadline: web' },
    ],
    [
      'checks without any check: running is enough, readiness ignored',
      alloc({ readySince: undefined }),
      { ...checks, checkedServices: [] },
      20 * s,
      { status: 'healthy', at: 12 * s },
    ],
    ['task_states: running for min_healthy_time, readiness ignored', alloc({ readySince: undefined }), taskStates, 20 * s, { status: 'healthy', at: 12 * s }],
    [
      'task_states: the latest container start counts',
      alloc({ containers: [app(), app({ name: 'side', runningSince: 5 * s })] }),
      taskStates,
      20 * s,
      { status: 'healthy', at: 15 * s },
    ],
    [
      'task_states: a task not running by the deadline',
      alloc({ containers: [app({ runningSince: undefined, waitingReason: 'ContainerCreating' })] }),
      taskStates,
      400 * s,
      { status: 'unhealthy', at: 301 * s, reason: 'Task not running by healthy_deadline of 5m0s' },
    ],
    [
      'a failed Pod is unhealthy at once',
      alloc({ phase: 'Failed', containers: [app({ runningSince: undefined, terminated: { exitCode: 1, at: 4 * s } })] }),
      checks,
      5 * s,
      { status: 'unhealthy', at: 4 * s, reason: 'Unhealthy because of failed task' },
    ],
    [
      'a crash (restart) is unhealthy at once',
      alloc({
        readySince: undefined,
        containers: [app({ restartCount: 2, runningSince: undefined, waitingReason: 'CrashLoopBackOff', terminated: { exitCode: 1, at: 6 * s } })],
      }),
      checks,
      7 * s,
      { status: 'unhealthy', at: 6 * s, reason: 'Unhealthy because of failed task (task "app" restarted 2 times)' },
    ],
    [
      'a task that exited 0 is a dead task',
      alloc({ containers: [app({ runningSince: undefined, terminated: { exitCode: 0, at: 9 * s } })] }),
      checks,
      10 * s,
      { status: 'unhealthy', at: 9 * s, reason: 'Unhealthy because of dead task' },
    ],
    [
      'a finished prestart task is expected',
      alloc({ containers: [app({ name: 'migrate', init: true, runningSince: undefined, terminated: { exitCode: 0, at: 2 * s } }), app()] }),
      checks,
      20 * s,
      { status: 'healthy', at: 13 * s },
    ],
    [
      'a Pod not started yet waits',
      alloc({ startedAt: undefined, readySince: undefined, containers: [] }),
      checks,
      400 * s,
      { status: 'pending', waitingFor: 'the Pod to start' },
    ],
    [
      'manual: nothing but the annotation decides',
      alloc(),
      manual,
      999 * s,
      { status: 'pending', waitingFor: 'manual health (annotate the Pod caravan.dev/health=healthy|unhealthy)' },
    ],
    ['manual: marked healthy', alloc({ manualHealth: 'healthy' }), manual, 50 * s, { status: 'healthy', at: 50 * s }],
    ['manual: marked unhealthy', alloc({ manualHealth: 'unhealthy' }), manual, 50 * s, { status: 'unhealthy', at: 50 * s, reason: 'marked unhealthy' }],
    [
      'checks: marked healthy by hand decides at once (set allocation health works in every mode)',
      alloc({ readySince: undefined, manualHealth: 'healthy' }),
      checks,
      5 * s,
      { status: 'healthy', at: 5 * s },
    ],
    [
      'checks: marked unhealthy by hand decides at once',
      alloc({ manualHealth: 'unhealthy' }),
      checks,
      20 * s,
      { status: 'unhealthy', at: 20 * s, reason: 'marked unhealthy' },
    ],
    [
      'health recorded for the deployment stands, even if the Pod crashed since',
      alloc({ recordedHealth: { health: 'healthy', at: 13 * s }, phase: 'Failed' }),
      checks,
      500 * s,
      { status: 'healthy', at: 13 * s },
    ],
  ])('%s', (_rule, a, rules, now, expected) => {
    expect(allocationHealth(a, rules, now)).toEqual(expected);
  });
});
