import type { Millis } from '../model/duration.ts';
import type { ReschedulePolicy } from '../model/job.ts';

/** The earlier reschedules of an allocation name (Nomad's RescheduleTracker), oldest first. */
export interface RescheduleEvent {
  readonly at: Millis;
  /** The delay that was applied before that reschedule. */
  readonly delay: Millis;
}

export type RescheduleDecision =
  | { readonly kind: 'now' }
  | { readonly kind: 'later'; readonly at: Millis }
  | { readonly kind: 'never'; readonly reason: string };

/** The next delay: constant, doubling (exponential) or Fibonacci, capped at max_delay. */
export function nextRescheduleDelay(policy: ReschedulePolicy, previous: readonly RescheduleEvent[]): Millis {
  const cap = (d: Millis) => (policy.maxDelay > 0 ? Math.min(d, policy.maxDelay) : d);
  const last = previous.at(-1);
  if (!last || policy.delayFunction === 'constant') return cap(policy.delay);
  if (policy.delayFunction === 'exponential') return cap(last.delay * 2);
  const beforeLast = previous.at(-2);
  return cap(beforeLast ? last.delay + beforeLast.delay : last.delay);
}

/**
 * When a failed allocation may be replaced (Nomad's reschedule policy): never without a policy or
 * once `attempts` reschedules fall within `interval` (unless unlimited); otherwise after the
 * policy's delay, counted from when it failed.
 */
export function rescheduleDecision(
  policy: ReschedulePolicy | undefined,
  previous: readonly RescheduleEvent[],
  failedAt: Millis,
  now: Millis,
): RescheduleDecision {
  if (!policy) return { kind: 'never', reason: 'the job type is not rescheduled' };
  if (!policy.unlimited) {
    const recent = previous.filter((e) => policy.interval === 0 || e.at > now - policy.interval);
    if (recent.length >= policy.attempts) return { kind: 'never', reason: `reschedule attempts exhausted (${policy.attempts} in ${policy.interval / 1000}s)` };
  }
  const at = failedAt + nextRescheduleDelay(policy, previous);
  return at <= now ? { kind: 'now' } : { kind: 'later', at };
}
