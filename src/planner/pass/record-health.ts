import type { TaskGroup } from '../../model/job.ts';
import type { DeploymentGroupState } from '../deployment.ts';
import { descriptions } from '../deployment.ts';
import { allocationHealth } from '../health.ts';
import { requireProgressByAfterHealthy } from '../progress.ts';
import { rescheduleDecision } from '../reschedule.ts';
import type { ObservedAllocation, RecordedHealth } from '../observed-allocation.ts';
import { event, ofCurrent, type Pass } from './context.ts';

/** Services whose checks decide health in `checks` mode. */
function checkedServices(group: TaskGroup): string[] {
  return [...group.services, ...group.tasks.flatMap((t) => t.services)].filter((s) => s.checks.length > 0).map((s) => s.name);
}

/**
 * Groups of more allocations than this keep their health on the Pods, one write each: a
 * deployment's status, rewritten whole, stays small (about 70 bytes an allocation).
 */
export const healthInStatusUpTo = 1000;

/**
 * The allocation's health recorded beside the counters that count it (§2.7), so one status write
 * carries both and no crash leaves one without the other; for a larger group, on its Pod.
 */
function record(pass: Pass, a: ObservedAllocation, counted: DeploymentGroupState, recorded: RecordedHealth, reason?: string): void {
  const inStatus = counted.desiredTotal <= healthInStatusUpTo;
  const { [a.podName]: _, ...others } = counted.allocationHealth ?? {};
  // A record in the status wins over one on the Pod: one moved to the Pod leaves none behind.
  const allocationHealth = inStatus ? { ...others, [a.podName]: recorded } : others;
  const g: DeploymentGroupState = { ...counted, allocationHealth };
  pass.current = { ...pass.current!, groups: { ...pass.current!.groups, [a.group]: g } };
  pass.recorded.set(a.podName, recorded);
  pass.health.push({ podName: a.podName, ...recorded, ...(reason ? { reason } : {}), ...(inStatus ? {} : { onPod: true }) });
}

/**
 * Health set by hand over health already recorded (§2.13 rule 3: it can overwrite a previous
 * value): the counters move from one side to the other, and an unhealthy mark fails the
 * deployment at once (rule 4).
 */
function overwriteByHand(pass: Pass, a: ObservedAllocation): void {
  const was = a.recordedHealth!.health;
  if (a.manualHealth === undefined || a.manualHealth === was) return;
  const g = pass.current!.groups[a.group]!;
  const healthy = a.manualHealth === 'healthy';
  const counted: DeploymentGroupState = healthy
    ? { ...g, healthyAllocs: g.healthyAllocs + 1, unhealthyAllocs: Math.max(0, g.unhealthyAllocs - 1) }
    : { ...g, unhealthyAllocs: g.unhealthyAllocs + 1, healthyAllocs: Math.max(0, g.healthyAllocs - 1) };
  record(pass, a, counted, { health: a.manualHealth, at: pass.now }, healthy ? undefined : 'Marked unhealthy by hand');
  if (healthy) {
    event(pass, 'deployment', 'Normal', 'AllocationHealthy', `${a.podName} (${a.group}[${a.index}]) is healthy (set by hand over ${was})`);
    return;
  }
  event(pass, 'deployment', 'Warning', 'AllocationUnhealthy', `${a.podName} (${a.group}[${a.index}]) is unhealthy (set by hand over ${was})`);
  if (!pass.failure) pass.failure = { base: descriptions.failedAllocations, autoRevert: g.autoRevert };
}

/**
 * Allocation health, decided once per deployment membership (§2.7) and counted on the group
 * (§1.6). An unhealthy allocation fails the deployment at once when it was marked by hand
 * (§2.13 rule 4), when there is no progress deadline, or when it failed with no reschedule left
 * (§2.8 rule 4).
 */
export function recordHealth(pass: Pass): void {
  for (const a of ofCurrent(pass)) {
    const group = pass.job.taskGroups.find((g) => g.name === a.group);
    const g = pass.current!.groups[a.group];
    if (!group?.update || !g) continue;
    if (a.recordedHealth) {
      overwriteByHand(pass, a);
      continue;
    }
    const verdict = allocationHealth(a, { ...group.update, checkedServices: checkedServices(group) }, pass.now);
    if (verdict.status === 'pending') {
      if (verdict.recheckAt !== undefined) pass.requeue.push(verdict.recheckAt);
      continue;
    }
    const healthy = verdict.status === 'healthy';
    const at = healthy ? requireProgressByAfterHealthy(g, verdict.at) : undefined;
    const counted: DeploymentGroupState = healthy
      ? { ...g, healthyAllocs: g.healthyAllocs + 1, ...(at !== undefined ? { requireProgressBy: at } : {}) }
      : { ...g, unhealthyAllocs: g.unhealthyAllocs + 1 };
    record(pass, a, counted, { health: verdict.status, at: verdict.at }, verdict.status === 'unhealthy' ? verdict.reason : undefined);
    // A healthy allocation is counted in the deployment's status, not told in an Event: at 100k
    // allocations that would be a write per allocation per rollout (issue 15). Unhealthy ones are.
    if (verdict.status === 'healthy') continue;
    event(pass, 'deployment', 'Warning', 'AllocationUnhealthy', `${a.podName} (${a.group}[${a.index}]) is unhealthy: ${verdict.reason}`);
    const failedForGood = a.phase === 'Failed' && rescheduleDecision(group.reschedule, a.rescheduleEvents ?? [], verdict.at, pass.now).kind === 'never';
    if ((a.manualHealth === 'unhealthy' || g.progressDeadline === 0 || failedForGood) && !pass.failure)
      pass.failure = { base: descriptions.failedAllocations, autoRevert: g.autoRevert };
  }
}
