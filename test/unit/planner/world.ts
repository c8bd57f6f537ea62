import { canonicalJob } from '../../../src/model/defaults.ts';
import type { Job } from '../../../src/model/job.ts';
import { decideVersion, type JobVersion } from '../../../src/model/job-versions.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import { allocationPodName } from '../../../src/model/allocation-pod.ts';
import type { ObservedAllocation } from '../../../src/planner/observed-allocation.ts';
import { plan } from '../../../src/planner/plan.ts';
import type { DeploymentIntent, ObservedDeployment, Plan } from '../../../src/planner/plan-types.ts';

export type Behavior = 'ready' | 'never-ready' | 'crash' | 'fail' | 'complete';

/**
 * A pure stand-in for the cluster, to drive the planner through many passes in a test: it applies
 * each plan as the shell would (Pods created, deleted, relabelled, health recorded, deployments
 * written) and moves simulated Pods along: each starts 1 s after it is placed and then behaves as
 * its version's image says.
 */
export class World {
  now = 0;
  versions: JobVersion[] = [];
  deployments: ObservedDeployment[] = [];
  allocs: ObservedAllocation[] = [];
  behaviors = new Map<string, Behavior>();
  lostNodes = new Set<string>();
  plans: Plan[] = [];
  private uids = 0;
  readonly jobName: string;

  constructor(jobName = 'web') {
    this.jobName = jobName;
  }

  submit(spec: NomadJobSpec): void {
    const decision = decideVersion(this.versions, spec, new Date(this.now));
    if (decision.kind === 'new') this.versions.push(decision.version);
  }

  /** Images decide how Pods behave, so a version is "bad" by its image. */
  behave(image: string, behavior: Behavior): void {
    this.behaviors.set(image, behavior);
  }

  /** Annotates a Pod caravan.dev/health, as a person or the HTTP API would. */
  markHealth(podName: string, health: 'healthy' | 'unhealthy'): void {
    this.allocs = this.allocs.map((a) => (a.podName === podName ? { ...a, manualHealth: health } : a));
  }

  intend(intent: DeploymentIntent): void {
    const d = this.deployments.at(-1)!;
    this.deployments[this.deployments.length - 1] = { ...d, intent: { ...d.intent, ...intent } };
  }

  get deployment(): ObservedDeployment | undefined {
    return this.deployments.at(-1);
  }

  get target(): JobVersion {
    return this.versions.at(-1)!;
  }

  job(version: number): Job {
    return canonicalJob(this.jobName, 'default', this.versions.find((v) => v.version === version)!.spec);
  }

  live(): ObservedAllocation[] {
    return this.allocs.filter((a) => !a.deleting);
  }

  private advancePods(): void {
    this.allocs = this.allocs.map((a) => {
      const job = this.job(a.version);
      const task = job.taskGroups.find((g) => g.name === a.group)!.tasks[0]!;
      const behavior = this.behaviors.get(task.config.image) ?? 'ready';
      const startAt = a.createdAt + 1000;
      if (this.now < startAt || a.phase === 'Failed' || a.phase === 'Succeeded') return a;
      const container = { name: task.name, init: false, ready: behavior === 'ready', restartCount: 0, runningSince: startAt };
      if (behavior === 'fail') {
        const failedAt = startAt + 5000;
        if (this.now >= failedAt) return { ...a, phase: 'Failed', startedAt: startAt, containers: [{ ...container, ready: false, terminated: { exitCode: 1, at: failedAt } }] };
      }
      if (behavior === 'complete') {
        const doneAt = startAt + 5000;
        if (this.now >= doneAt) return { ...a, phase: 'Succeeded', startedAt: startAt, containers: [{ ...container, ready: false, terminated: { exitCode: 0, at: doneAt } }] };
      }
      if (behavior === 'crash') {
        return { ...a, phase: 'Running', startedAt: startAt, containers: [{ ...container, ready: false, restartCount: 1, waitingReason: 'CrashLoopBackOff' }] };
      }
      return { ...a, phase: 'Running', startedAt: startAt, containers: [container], ...(behavior === 'ready' ? { readySince: startAt } : {}) };
    });
  }

  /** One reconcile: observe, plan, apply. */
  step(): Plan {
    this.advancePods();
    const target = this.target;
    const jobs = new Map(this.versions.map((v) => [v.version, this.job(v.version)]));
    const p = plan({
      job: { name: this.jobName, namespace: 'default', uid: 'job-uid', stop: target.spec.stop ?? false },
      target: { ...target, job: jobs.get(target.version)! },
      jobs,
      history: this.versions,
      ...(this.deployment ? { deployment: this.deployment } : {}),
      allocations: this.allocs,
      lostNodes: this.lostNodes,
      now: this.now,
    });
    this.apply(p);
    this.plans.push(p);
    return p;
  }

  private apply(p: Plan): void {
    const stopped = new Set(p.stop.map((s) => s.podName));
    this.allocs = this.allocs.filter((a) => !stopped.has(a.podName));
    for (const u of p.inPlace) {
      this.allocs = this.allocs.map((a) => {
        if (a.podName !== u.podName) return a;
        const { recordedHealth: _, deployment: __, ...rest } = a;
        return { ...rest, version: u.version, ...(u.deployment ? { deployment: u.deployment } : {}) };
      });
    }
    for (const h of p.health) this.allocs = this.allocs.map((a) => (a.podName === h.podName ? { ...a, recordedHealth: { health: h.health, at: h.at } } : a));
    for (const name of p.clearCanary) this.allocs = this.allocs.map((a) => (a.podName === name ? { ...a, canary: false } : a));
    for (const pl of p.place) {
      this.allocs.push({
        podName: allocationPodName(this.jobName, pl.group, pl.index, pl.version, pl.replacement),
        uid: `uid-${++this.uids}`,
        group: pl.group,
        index: pl.index,
        version: pl.version,
        replacement: pl.replacement,
        canary: pl.canary,
        phase: 'Pending',
        nodeName: `node-${this.uids % 3}`,
        createdAt: this.now,
        containers: [],
        deleting: false,
        ...(pl.deployment ? { deployment: pl.deployment } : {}),
        ...(pl.rescheduleEvents ? { rescheduleEvents: pl.rescheduleEvents } : {}),
      });
    }
    if (p.cancelled) this.deployments = this.deployments.map((d) => (d.name === p.cancelled!.name ? { ...p.cancelled!, intent: d.intent } : d));
    if (p.deployment) {
      const existing = this.deployments.findIndex((d) => d.name === p.deployment!.name);
      if (existing >= 0) this.deployments[existing] = { ...p.deployment, intent: this.deployments[existing]!.intent };
      else this.deployments.push({ ...p.deployment, id: `dep-${this.deployments.length}`, intent: {} });
    }
    if (p.markStable !== undefined) this.versions = this.versions.map((v) => (v.version === p.markStable ? { ...v, stable: true } : v));
    if (p.revertTo) this.versions.push({ ...p.revertTo, version: this.target.version + 1, submitTime: new Date(this.now).toISOString(), stable: true, revertedFrom: this.target.version });
  }

  /** Reconciles until a pass asks for nothing, moving time to each requested timer; at most `passes`. */
  settle(passes = 100): Plan {
    let last = this.step();
    for (let i = 0; i < passes; i++) {
      const busy = last.place.length + last.stop.length + last.inPlace.length + last.health.length + last.clearCanary.length > 0 || last.revertTo !== undefined || last.markStable !== undefined;
      if (!busy) {
        if (last.requeueAt === undefined) return last;
        this.now = Math.max(this.now, last.requeueAt);
      } else {
        this.now += 1000;
      }
      last = this.step();
    }
    return last;
  }
}
