import type { Millis } from '../model/duration.ts';
import type { TaskGroup } from '../model/job.ts';
import { specChanged } from '../model/spec-change.ts';
import { isCanaryOf } from './canary-identity.ts';
import { canariesNeeded, descriptions, deploymentName, isActive, isCanarying, requiresPromotion, runningDescription, type Deployment, type DeploymentGroupState } from './deployment.ts';
import { reconcileGroup, type GroupOutcome } from './group-reconcile.ts';
import { allocationHealth } from './health.ts';
import { jobStatus } from './job-status.ts';
import { jobSummary } from './job-summary.ts';
import type { Health, ObservedAllocation } from './observed-allocation.ts';
import { anyAutoRevert, isGroupComplete, setPaused } from './operator-intent.ts';
import type { HealthRecord, Observed, Plan, PlanEvent, Placement, Stop, InPlaceUpdate } from './plan-types.ts';
import { stopReasons } from './plan-types.ts';
import { checkProgress, requireProgressByAfterHealthy, requireProgressByAfterPlacement } from './progress.ts';
import { promote, shouldAutoPromote, type PromoteRequest } from './promotion.ts';
import { rescheduleDecision } from './reschedule.ts';
import { revertDecision } from './revert.ts';

/** Services whose checks decide health in `checks` mode. */
function checkedServices(group: TaskGroup): string[] {
  return [...group.services, ...group.tasks.flatMap((t) => t.services)].filter((s) => s.checks.length > 0).map((s) => s.name);
}

function mapGroups(d: Deployment, f: (name: string, g: DeploymentGroupState) => DeploymentGroupState): Deployment {
  return { ...d, groups: Object.fromEntries(Object.entries(d.groups).map(([name, g]) => [name, f(name, g)])) };
}

/**
 * One reconcile of a NomadJob: from what is observed, what to do now. Pure: same input, same
 * plan. It follows Nomad's split: first the deployment watcher's rules (operator intent,
 * allocation health, promotion, progress deadline, failure and auto-revert), then the
 * scheduler's pass over each task group (§2.1), then the success check (§2.10).
 */
export function plan(o: Observed): Plan {
  const now = o.now;
  const version = o.target.version;
  const job = o.target.job;
  const events: PlanEvent[] = [];
  const requeue: Millis[] = [];
  const live = o.allocations.filter((a) => !a.deleting);
  const event = (on: PlanEvent['on'], type: PlanEvent['type'], reason: string, message: string) => events.push({ on, type, reason, message });

  // Obsolete deployments (§2.1 step 2): a stopped job or a newer version cancels the active one.
  let current: Deployment | undefined;
  let cancelled: Deployment | undefined;
  const latest = o.deployment;
  if (latest) {
    if (o.job.stop || latest.jobVersion !== version) {
      if (isActive(latest.status)) {
        cancelled = { ...latest, status: 'cancelled', statusDescription: o.job.stop ? descriptions.stoppedJob : descriptions.newerJob };
        event('deployment', 'Normal', 'Cancelled', `${latest.name}: ${cancelled.statusDescription}`);
      }
    } else if (latest.status !== 'successful' && latest.status !== 'cancelled') {
      current = latest;
    }
  }
  const summary = (extra: Partial<Plan>): Plan => {
    const deployment = extra.deployment;
    const running = live.filter((a) => a.phase !== 'Succeeded' && a.phase !== 'Failed');
    const stopping = new Set(extra.stop?.map((s) => s.podName));
    const status = jobStatus({
      type: job.type,
      stop: o.job.stop,
      periodicOrParameterized: job.periodic !== undefined || job.parameterized !== undefined,
      activeDeployment: deployment !== undefined && isActive(deployment.status),
      // Nomad counts allocations that are not terminal: a Pod that completed or failed is not live.
      liveAllocations: running.filter((a) => !stopping.has(a.podName)).length + (extra.place?.length ?? 0),
      everPlaced: o.allocations.length > 0,
    });
    const later = requeue.filter((t) => t > now);
    const groups = [...new Set([...job.taskGroups.map((g) => g.name), ...live.map((a) => a.group)])];
    return { place: [], stop: [], inPlace: [], health: [], events, jobStatus: status, summary: jobSummary(groups, o.allocations, o.lostNodes ?? new Set()), ...(cancelled ? { cancelled } : {}), ...(later.length > 0 ? { requeueAt: Math.min(...later) } : {}), ...extra };
  };

  if (o.job.stop) return summary({ stop: live.map((a) => ({ podName: a.podName, reason: stopReasons.notNeeded })) });

  // --- The deployment watcher's part ---
  const recorded = new Map<string, Health>();
  const recordedAt = new Map<string, Millis>();
  const healthOf = (a: ObservedAllocation) => a.recordedHealth?.health ?? recorded.get(a.podName);
  const health: HealthRecord[] = [];
  let intentError: string | undefined;
  let revertTo: Plan['revertTo'];
  if (current) {
    const d = current;
    const ofDeployment = live.filter((a) => a.deployment === d.name);
    current = mapGroups(current, (name, g) => ({ ...g, placedCanaries: [...new Set([...g.placedCanaries, ...ofDeployment.filter((a) => a.group === name && isCanaryOf(a, d.name, g)).map((a) => a.uid)])] }));
    const isCanary = (a: ObservedAllocation) => isCanaryOf(a, d.name, current!.groups[a.group]);
    const intent = o.deployment!.intent;
    let failure: { base: string; autoRevert: boolean } | undefined;
    if (intent.failed && isActive(current.status)) failure = { base: descriptions.failedByUser, autoRevert: anyAutoRevert(current) };
    if (!failure && intent.paused !== undefined) {
      const paused = setPaused(current, intent.paused, now);
      if (paused.ok && paused.deployment !== current) {
        current = paused.deployment;
        event('deployment', 'Normal', intent.paused ? 'Paused' : 'Resumed', `${current.name}: ${current.statusDescription}`);
      }
    }

    // Allocation health, recorded once per deployment membership (§2.7, §1.6 counters).
    for (const a of ofDeployment) {
      const group = job.taskGroups.find((g) => g.name === a.group);
      const state = current.groups[a.group];
      if (a.recordedHealth || !group?.update || !state) continue;
      const verdict = allocationHealth(a, { ...group.update, checkedServices: checkedServices(group) }, now);
      if (verdict.status === 'pending') {
        if (verdict.recheckAt !== undefined) requeue.push(verdict.recheckAt);
        continue;
      }
      recorded.set(a.podName, verdict.status);
      recordedAt.set(a.podName, verdict.at);
      health.push({ podName: a.podName, health: verdict.status, at: verdict.at, ...(verdict.status === 'unhealthy' ? { reason: verdict.reason } : {}) });
      const g = current.groups[a.group]!;
      const updated: DeploymentGroupState =
        verdict.status === 'healthy'
          ? { ...g, healthyAllocs: g.healthyAllocs + 1, ...withDeadline(requireProgressByAfterHealthy(g, verdict.at)) }
          : { ...g, unhealthyAllocs: g.unhealthyAllocs + 1 };
      current = { ...current, groups: { ...current.groups, [a.group]: updated } };
      if (verdict.status === 'healthy') event('deployment', 'Normal', 'AllocationHealthy', `${a.podName} (${a.group}[${a.index}]) is healthy`);
      else {
        event('deployment', 'Warning', 'AllocationUnhealthy', `${a.podName} (${a.group}[${a.index}]) is unhealthy: ${verdict.reason}`);
        // Marked unhealthy by hand (§2.13 rule 4), without a progress deadline, or failed with no
        // reschedule left (§2.8 rule 4): the deployment fails at once.
        const failedForGood = a.phase === 'Failed' && rescheduleDecision(group.reschedule, a.rescheduleEvents ?? [], verdict.at, now).kind === 'never';
        if ((a.manualHealth === 'unhealthy' || g.progressDeadline === 0 || failedForGood) && !failure) failure = { base: descriptions.failedAllocations, autoRevert: g.autoRevert };
      }
    }

    const healthyCanaries = new Set(ofDeployment.filter((a) => isCanary(a) && healthOf(a) === 'healthy').map((a) => a.uid));
    const doPromote = (request: PromoteRequest, how: string) => {
      const outcome = promote(current!, request, healthyCanaries, now);
      if (!outcome.ok) return outcome.error;
      current = outcome.deployment;
      event('deployment', 'Normal', 'Promoted', `${current.name}: canaries promoted (${how})`);
      return undefined;
    };
    if (!failure && isActive(current.status) && intent.promote && requiresPromotion(current)) intentError = doPromote(intent.promote, 'by request');

    // Canary steps (beyond Nomad): a step whose canaries are all healthy moves on after its
    // pause or approval; after the last one, promotion works as in Nomad.
    const stepsDone = new Set<string>();
    for (const [groupName, g] of Object.entries(current.groups)) {
      const steps = job.taskGroups.find((tg) => tg.name === groupName)?.update?.canarySteps ?? [];
      if (steps.length === 0 || g.canaryStep === undefined || !isCanarying(g)) continue;
      const step = steps[g.canaryStep - 1]!;
      const healthy = ofDeployment.filter((a) => a.group === groupName && isCanary(a) && healthOf(a) === 'healthy');
      if (healthy.length < canariesNeeded(g)) continue;
      if (step.approval && (intent.approveCanaryStep ?? 0) < g.canaryStep) continue;
      const allHealthyAt = Math.max(...healthy.map((a) => a.recordedHealth?.at ?? recordedAt.get(a.podName) ?? now));
      if (now < allHealthyAt + step.pause) {
        requeue.push(allHealthyAt + step.pause);
        continue;
      }
      if (g.canaryStep === steps.length) {
        stepsDone.add(groupName);
        continue;
      }
      const next = steps[g.canaryStep]!;
      // Like a promotion (§2.4 rule 4), moving on restarts the progress deadline.
      const deadline = g.progressDeadline > 0 ? { requireProgressBy: now + g.progressDeadline } : {};
      current = { ...current, groups: { ...current.groups, [groupName]: { ...g, canaryStep: g.canaryStep + 1, stepCanaries: next.canaries, ...deadline } } };
      event('deployment', 'Normal', 'CanaryStep', `${current.name}: group ${groupName} moves to canary step ${g.canaryStep + 1} of ${steps.length} (${next.canaries} canaries)`);
    }
    const gatesPassed = Object.entries(current.groups).every(([groupName, g]) => g.canaryStep === undefined || stepsDone.has(groupName));
    if (!failure && gatesPassed && shouldAutoPromote(current, healthyCanaries)) doPromote({ all: true }, 'auto_promote');

    if (!failure) {
      const healthyLive = Object.fromEntries(Object.keys(current.groups).map((name) => [name, ofDeployment.filter((a) => a.group === name && healthOf(a) === 'healthy').length]));
      const progress = checkProgress(current, healthyLive, now);
      if (progress.kind === 'failed') failure = { base: descriptions.progressDeadline, autoRevert: progress.autoRevert };
      else if (progress.nextDeadline !== undefined) requeue.push(progress.nextDeadline);
    }

    if (failure && isActive(current.status)) {
      const decision = revertDecision(failure.base, failure.autoRevert, o.target.spec, o.history);
      current = { ...current, status: 'failed', statusDescription: decision.description };
      event('deployment', 'Warning', 'Failed', `${current.name}: ${decision.description}`);
      if (decision.kind === 'revert') {
        revertTo = decision.toVersion;
        event('job', 'Warning', 'Reverted', `running job version ${decision.toVersion.version} again: ${decision.description}`);
      }
    }
  }

  // --- The scheduler's part: each task group (§2.1 step 4) ---
  const name = current?.name ?? deploymentName(o.job.name, version);
  const provenStable = o.target.stable || o.history.some((v) => v.stable && v.version !== version && !specChanged(v.spec, o.target.spec));
  const groupNames = [...new Set([...job.taskGroups.map((g) => g.name), ...live.map((a) => a.group)])];
  // Nomad's old deployment, and any before it: whether their canaries were promoted.
  const otherDeployments = [...(latest && latest.name !== name ? [latest] : []), ...(o.earlier ?? [])];
  const outcomes = new Map<string, GroupOutcome>();
  for (const groupName of groupNames) {
    const outcome = reconcileGroup({
      job,
      version,
      group: job.taskGroups.find((g) => g.name === groupName),
      name: groupName,
      allocs: live.filter((a) => a.group === groupName),
      jobs: o.jobs,
      deploymentName: name,
      state: current?.groups[groupName],
      otherDeployments,
      paused: current?.status === 'paused',
      failed: current?.status === 'failed',
      provenStable,
      healthOf,
      lostNodes: o.lostNodes ?? new Set(),
      now,
    });
    outcomes.set(groupName, outcome);
    if (outcome.requeueAt !== undefined) requeue.push(outcome.requeueAt);
  }
  const place: Placement[] = [...outcomes.values()].flatMap((x) => x.place);
  const stop: Stop[] = [...outcomes.values()].flatMap((x) => x.stop);
  const inPlace: InPlaceUpdate[] = [...outcomes.values()].flatMap((x) => x.inPlace);

  // A deployment for this version (§2.2), or new groups joining the current one.
  const newStates = Object.fromEntries([...outcomes].flatMap(([g, x]) => (x.newState ? [[g, x.newState]] : [])));
  let deployment = current;
  if (Object.keys(newStates).length > 0) {
    deployment = deployment
      ? { ...deployment, groups: { ...deployment.groups, ...newStates } }
      : { name, jobVersion: version, status: 'running', statusDescription: descriptions.running, groups: newStates, createdAt: now };
    if (!current) {
      deployment = { ...deployment, statusDescription: runningDescription(deployment) };
      event('deployment', 'Normal', 'Created', `${name}: deployment of job version ${version} created (${deployment.statusDescription})`);
    }
  }
  if (deployment) {
    const d = deployment;
    deployment = mapGroups(deployment, (groupName, g) => {
      const joined = place.filter((p) => p.group === groupName && p.deployment === d.name).length + inPlace.filter((u) => o.allocations.find((a) => a.podName === u.podName)?.group === groupName && u.deployment === d.name).length;
      return joined === 0 ? g : { ...g, placedAllocs: g.placedAllocs + joined, ...withDeadline(requireProgressByAfterPlacement(g, now)) };
    });
    const canaries = place.filter((p) => p.canary);
    if (canaries.length > 0) event('deployment', 'Normal', 'CanariesPlaced', `${d.name}: ${canaries.length} canar${canaries.length === 1 ? 'y' : 'ies'} placed`);

    // Success (§2.10): every group of the deployment complete; the version becomes stable.
    const complete = Object.entries(deployment.groups).every(([g, state]) => isGroupComplete(state, outcomes.get(g)?.nothingLeft ?? true));
    if (deployment.status === 'running' && complete) {
      deployment = { ...deployment, status: 'successful', statusDescription: descriptions.successful };
      event('deployment', 'Normal', 'Successful', `${deployment.name}: ${descriptions.successful}; job version ${version} is stable`);
      return summary({ place, stop, inPlace, health, deployment, markStable: version, ...(intentError ? { intentError } : {}) });
    }
  }
  return summary({ place, stop, inPlace, health, ...(deployment ? { deployment } : {}), ...(revertTo ? { revertTo } : {}), ...(intentError ? { intentError } : {}) });
}

function withDeadline(at: Millis | undefined): { requireProgressBy?: Millis } {
  return at === undefined ? {} : { requireProgressBy: at };
}
