import { formatDuration, type Millis } from '../model/duration.ts';
import type { UpdateStrategy } from '../model/job.ts';
import type { ObservedAllocation } from './observed-allocation.ts';

export type HealthVerdict =
  | { readonly status: 'healthy'; readonly at: Millis }
  | { readonly status: 'unhealthy'; readonly at: Millis; readonly reason: string }
  /** Not decided yet; look again at `recheckAt` (a timer elapses then) or on the next change. */
  | { readonly status: 'pending'; readonly waitingFor: string; readonly recheckAt?: Millis };

/** The group's update strategy, and the services whose checks must pass in `checks` mode. */
export interface HealthRules extends Pick<UpdateStrategy, 'healthCheck' | 'minHealthyTime' | 'healthyDeadline'> {
  readonly checkedServices: readonly string[];
}

/**
 * Whether an allocation of a deployment is healthy (Nomad's client health tracker, §2.7), decided
 * from levels, not edges, so it gives the same answer whenever it is computed, also after a
 * controller restart:
 * - health already recorded for the deployment stands (Nomad writes it once per membership);
 * - the caravan.dev/health annotation decides in any mode; in `manual` mode nothing else does,
 *   and there is no deadline;
 * - a failed Pod, a container that finished or crashed, or a restart is unhealthy at once;
 * - `checks`: the Pod Ready (every readiness probe passing) without a break for min_healthy_time;
 *   `task_states`, or `checks` without any check: every container running, readiness ignored,
 *   for min_healthy_time;
 * - not healthy by healthy_deadline (counted from when the Pod started) is unhealthy.
 */
export function allocationHealth(alloc: ObservedAllocation, strategy: HealthRules, now: Millis): HealthVerdict {
  if (alloc.recordedHealth) {
    const { health, at } = alloc.recordedHealth;
    return health === 'healthy' ? { status: 'healthy', at } : { status: 'unhealthy', at, reason: 'recorded unhealthy' };
  }
  // Set by a person or the HTTP API, it decides in every health_check mode (§2.13 rule 3).
  if (alloc.manualHealth === 'healthy') return { status: 'healthy', at: now };
  if (alloc.manualHealth === 'unhealthy') return { status: 'unhealthy', at: now, reason: 'marked unhealthy' };
  if (strategy.healthCheck === 'manual') return { status: 'pending', waitingFor: 'manual health (annotate the Pod caravan.dev/health=healthy|unhealthy)' };

  const failed = failure(alloc);
  if (failed) return { status: 'unhealthy', at: failed.at, reason: failed.reason };

  const started = alloc.startedAt;
  if (started === undefined) return { status: 'pending', waitingFor: 'the Pod to start' };
  const deadline = started + strategy.healthyDeadline;
  const mainContainers = alloc.containers.filter((c) => !c.init);
  const byChecks = strategy.healthCheck === 'checks' && strategy.checkedServices.length > 0;
  const since = byChecks ? alloc.readySince : runningSince(mainContainers);
  if (since !== undefined && since + strategy.minHealthyTime <= deadline) {
    const healthyAt = since + strategy.minHealthyTime;
    if (healthyAt <= now) return { status: 'healthy', at: healthyAt };
    return { status: 'pending', waitingFor: `min_healthy_time of ${formatDuration(strategy.minHealthyTime)}`, recheckAt: healthyAt };
  }
  if (now >= deadline) return { status: 'unhealthy', at: deadline, reason: deadlineReason(strategy, byChecks, runningSince(mainContainers) !== undefined) };
  return { status: 'pending', waitingFor: byChecks ? `checks of ${strategy.checkedServices.join(', ')}` : 'every task to run', recheckAt: deadline };
}

/** The latest start of all main containers, if every one is running (a restart moves it on). */
function runningSince(containers: ObservedAllocation['containers']): Millis | undefined {
  if (containers.length === 0 || containers.some((c) => c.runningSince === undefined)) return undefined;
  return Math.max(...containers.map((c) => c.runningSince!));
}

/** What makes an allocation unhealthy at once, and since when. */
function failure(alloc: ObservedAllocation): { at: Millis; reason: string } | undefined {
  const lastEvent = Math.max(alloc.startedAt ?? alloc.createdAt, ...alloc.containers.map((c) => c.terminated?.at ?? c.runningSince ?? 0));
  if (alloc.phase === 'Failed') return { at: lastEvent, reason: 'Unhealthy because of failed task' };
  for (const c of alloc.containers) {
    if (c.init) continue;
    if (c.restartCount > 0 || c.waitingReason === 'CrashLoopBackOff')
      return {
        at: lastEvent,
        reason: `Unhealthy because of failed task (task "${c.name}" restarted ${c.restartCount} time${c.restartCount === 1 ? '' : 's'})`,
      };
    if (c.terminated)
      return { at: c.terminated.at, reason: c.terminated.exitCode === 0 ? 'Unhealthy because of dead task' : 'Unhealthy because of failed task' };
  }
  if (alloc.phase === 'Succeeded') return { at: lastEvent, reason: 'Unhealthy because of dead task' };
  return undefined;
}

/** Nomad's Alloc Unhealthy messages for a missed healthy_deadline. */
function deadlineReason(s: HealthRules, byChecks: boolean, allRunning: boolean): string {
  const deadline = formatDuration(s.healthyDeadline);
  if (!allRunning) return `Task not running by healthy_deadline of ${deadline}`;
  if (byChecks) return `Services not healthy by deadline: ${s.checkedServices.join(', ')}`;
  return `Task not running for min_healthy_time of ${formatDuration(s.minHealthyTime)} by healthy_deadline of ${deadline}`;
}
