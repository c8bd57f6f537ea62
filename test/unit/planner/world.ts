import { canonicalJob } from '../../../src/model/defaults.ts';
import type { Job } from '../../../src/model/job.ts';
import { decideVersion, type JobVersion } from '../../../src/model/job-versions.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import type { ObservedAllocation } from '../../../src/planner/observed-allocation.ts';
import { plan } from '../../../src/planner/plan.ts';
import type { DeploymentIntent, ObservedDeployment, Plan } from '../../../src/planner/plan-types.ts';
import { stages, writes, type Write } from '../../../src/controller/writes.ts';
import type { ObservedNode } from '../../../src/planner/node-feasibility.ts';
import { allocationPodName, systemAllocationPodName } from '../../../src/resources/allocation-pod.ts';
import { deploymentObject, observeDeployment } from '../../../src/resources/nomad-deployment.ts';
import { withRecordedHealth } from '../../../src/planner/deployment.ts';

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
  /** The cluster's Nodes, as system and sysbatch jobs see them. */
  nodes: ObservedNode[] = [];
  evaluatedAt: number | undefined;
  plans: Plan[] = [];
  private uids = 0;
  readonly jobName: string;

  constructor(jobName = 'web') {
    this.jobName = jobName;
  }

  /** The user's spec, as the NomadJob holds it: a pass records its version (`writes()`). */
  private spec: NomadJobSpec | undefined;

  submit(spec: NomadJobSpec): void {
    this.spec = spec;
  }

  /** The version of a submitted spec not recorded yet, as the reconciler decides it. */
  private submitted(): JobVersion | undefined {
    if (!this.spec) return undefined;
    const decision = decideVersion(this.versions, this.spec, new Date(this.now));
    return decision.kind === 'new' ? decision.version : undefined;
  }

  /** The versions a pass plans from: those recorded, and the submitted one. */
  history(): JobVersion[] {
    const pending = this.submitted();
    return pending ? [...this.versions, pending] : this.versions;
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
    return this.history().at(-1)!;
  }

  job(version: number): Job {
    return canonicalJob(this.jobName, 'default', this.history().find((v) => v.version === version)!.spec);
  }

  /** The live allocations, with the health recorded for them where it is (their deployment's status, or the Pod). */
  live(): ObservedAllocation[] {
    return withRecordedHealth(this.allocs, this.deployments).filter((a) => !a.deleting);
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
        if (this.now >= failedAt)
          return { ...a, phase: 'Failed', startedAt: startAt, containers: [{ ...container, ready: false, terminated: { exitCode: 1, at: failedAt } }] };
      }
      if (behavior === 'complete') {
        const doneAt = startAt + 5000;
        if (this.now >= doneAt)
          return { ...a, phase: 'Succeeded', startedAt: startAt, containers: [{ ...container, ready: false, terminated: { exitCode: 0, at: doneAt } }] };
      }
      if (behavior === 'crash') {
        return { ...a, phase: 'Running', startedAt: startAt, containers: [{ ...container, ready: false, restartCount: 1, waitingReason: 'CrashLoopBackOff' }] };
      }
      return { ...a, phase: 'Running', startedAt: startAt, containers: [container], ...(behavior === 'ready' ? { readySince: startAt } : {}) };
    });
  }

  /**
   * One reconcile: observe, plan, and carry out the plan's writes in `writes()`'s order. With
   * `crash`, the process dies after `crash.after` writes; a batch write cut by the crash lands only
   * for the Pods `crash.lands` picks (deletes and creates go out together, in any order).
   */
  step(crash?: { after: number; lands?: (podName: string) => boolean }): Plan {
    this.advancePods();
    const submitted = this.submitted();
    const history = this.history();
    const target = history.at(-1)!;
    const jobs = new Map(history.map((v) => [v.version, this.job(v.version)]));
    // As the reconciler observes: a deployment ahead of the history (its version never landed) is left out.
    const seen = this.deployments.filter((d) => d.jobVersion <= target.version);
    // As the shell does: a pinned allocation whose node is gone or NotReady is lost.
    const ready = new Set(this.nodes.filter((n) => n.ready).map((n) => n.name));
    const perNode = target.spec.type === 'system' || target.spec.type === 'sysbatch';
    const lostNodes = perNode
      ? new Set([...this.lostNodes, ...this.allocs.flatMap((a) => (a.node !== undefined && !ready.has(a.node) ? [a.node] : []))])
      : this.lostNodes;
    const p = plan({
      job: { name: this.jobName, namespace: 'default', uid: 'job-uid', stop: target.spec.stop ?? false },
      target: { ...target, job: jobs.get(target.version)! },
      jobs,
      history,
      ...(seen.length > 0 ? { deployment: seen.at(-1)! } : {}),
      earlier: seen.slice(0, -1).reverse(),
      allocations: this.allocs,
      lostNodes,
      ...(perNode ? { nodes: this.nodes } : {}),
      ...(this.evaluatedAt !== undefined ? { evaluatedAt: this.evaluatedAt } : {}),
      now: this.now,
    });
    const lostPods = new Set(this.allocs.filter((a) => a.nodeName !== undefined && lostNodes.has(a.nodeName)).map((a) => a.podName));
    const list = writes(p, { history, ...(submitted ? { submitted } : {}), target: target.version, lostPods, now: this.now });
    this.written = list;
    // The shell sends a stage's writes together: a crash that cuts a stage of several lands any
    // subset of them (`crash.lands` picks, asked once for a single write and once per Pod of a batch).
    let i = 0;
    for (const stage of stages(list)) {
      const end = i + stage.length;
      const cut = crash !== undefined && crash.after < end;
      if (crash && crash.after < i) break;
      for (const w of stage) {
        const isBatch = w.kind === 'deletePods' || w.kind === 'createPods';
        const lands = crash?.lands ?? (() => false);
        if (!cut) this.apply(w, () => true);
        else if (isBatch) this.apply(w, lands);
        else if (stage.length > 1 && lands(w.kind)) this.apply(w, () => true);
      }
      if (cut) break;
      i = end;
    }
    this.plans.push(p);
    return p;
  }

  /** The writes of the last step, whether or not all of them landed. */
  written: Write[] = [];
  /** Every Pod ever created, in order. */
  created: string[] = [];

  private apply(w: Write, lands: (podName: string) => boolean): void {
    switch (w.kind) {
      case 'markStable':
        this.versions = this.versions.map((v) => (v.version === w.version ? { ...v, stable: true } : v));
        return;
      case 'createDeployment': {
        // As the shell reads it until its first status lands: observeDeployment of the bare object.
        if (this.deployments.some((x) => x.name === w.deployment.name)) return;
        const obj = deploymentObject({ name: this.jobName, namespace: 'default', uid: 'job-uid' }, w.deployment);
        const created = { ...obj, metadata: { ...obj.metadata, uid: `dep-${this.deployments.length}`, creationTimestamp: new Date(this.now).toISOString() } };
        this.deployments.push(observeDeployment(created));
        return;
      }
      case 'deploymentStatus': {
        const d = w.deployment;
        const existing = this.deployments.findIndex((x) => x.name === d.name);
        const was = this.deployments[existing];
        if (was) this.deployments[existing] = { ...d, ...(was.id ? { id: was.id } : {}), intent: was.intent };
        else this.deployments.push({ ...d, id: `dep-${this.deployments.length}`, intent: {} });
        return;
      }
      case 'recordVersion':
        if (!this.versions.some((v) => v.version === w.version.version)) this.versions.push(w.version);
        return;
      case 'recordHealth':
        this.allocs = this.allocs.map((a) => (a.podName === w.podName ? { ...a, recordedHealth: { health: w.health, at: w.at } } : a));
        return;
      case 'moveInPlace':
        this.allocs = this.allocs.map((a) => {
          if (a.podName !== w.podName) return a;
          const { recordedHealth: _, deployment: __, ...rest } = a;
          return { ...rest, version: w.version, canary: false, ...(w.deployment ? { deployment: w.deployment } : {}) };
        });
        return;
      case 'deletePods': {
        const gone = new Set(w.pods.map((x) => x.podName).filter(lands));
        this.allocs = this.allocs.filter((a) => !gone.has(a.podName));
        return;
      }
      case 'createPods':
        for (const pl of w.placements) {
          const podName =
            pl.node !== undefined
              ? systemAllocationPodName(this.jobName, pl.group, pl.node, pl.version, pl.replacement)
              : allocationPodName(this.jobName, pl.group, pl.index, pl.version, pl.replacement);
          // A create of a name that exists fails with 409: deterministic names make retries harmless.
          if (!lands(podName) || this.allocs.some((a) => a.podName === podName)) continue;
          this.created.push(podName);
          this.allocs.push({
            podName,
            uid: `uid-${++this.uids}`,
            group: pl.group,
            index: pl.index,
            version: pl.version,
            replacement: pl.replacement,
            canary: pl.canary,
            phase: 'Pending',
            nodeName: pl.node ?? `node-${this.uids % 3}`,
            ...(pl.node !== undefined ? { node: pl.node } : {}),
            createdAt: this.now,
            containers: [],
            deleting: false,
            ...(pl.deployment ? { deployment: pl.deployment } : {}),
            ...(pl.rescheduleEvents ? { rescheduleEvents: pl.rescheduleEvents } : {}),
          });
        }
        return;
      case 'event':
      case 'jobStatus':
        return;
    }
  }

  /** Reconciles until a pass asks for nothing, moving time to each requested timer; at most `passes`. */
  settle(passes = 100): Plan {
    let last = this.step();
    for (let i = 0; i < passes; i++) {
      const busy =
        last.place.length + last.stop.length + last.inPlace.length + last.health.length > 0 || last.revertTo !== undefined || last.markStable !== undefined;
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
