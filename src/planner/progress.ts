import type { Millis } from '../model/duration.ts';
import { canariesNeeded, isCanarying, type Deployment, type DeploymentGroupState } from './deployment.ts';

/** The first allocation placed starts the clock; each healthy allocation pushes it out (§1.6). */
export function requireProgressByAfterPlacement(g: DeploymentGroupState, placedAt: Millis): Millis | undefined {
  if (g.progressDeadline === 0) return g.requireProgressBy;
  return g.requireProgressBy ?? placedAt + g.progressDeadline;
}

export function requireProgressByAfterHealthy(g: DeploymentGroupState, healthyAt: Millis): Millis | undefined {
  if (g.progressDeadline === 0) return g.requireProgressBy;
  return Math.max(g.requireProgressBy ?? 0, healthyAt + g.progressDeadline);
}

/**
 * A group is done when it waits for no promotion and enough of the deployment's live allocations
 * are healthy (`healthyLive`).
 */
function isDone(g: DeploymentGroupState, healthyLive: number): boolean {
  return !isCanarying(g) && healthyLive >= g.desiredTotal;
}

/** Does this group miss its progress deadline? (§2.8 rule 7) */
function missesDeadline(g: DeploymentGroupState): boolean {
  return isCanarying(g) ? g.healthyAllocs < canariesNeeded(g) : g.healthyAllocs < g.desiredTotal;
}

export type ProgressVerdict =
  | { readonly kind: 'on-time'; readonly nextDeadline?: Millis }
  | { readonly kind: 'failed'; readonly groups: readonly string[]; readonly autoRevert: boolean };

/**
 * The deployment watcher's progress deadline (§2.8 rule 7): at the earliest RequireProgressBy of
 * the groups that are not done, a paused deployment is left alone; a group fails if it has fewer
 * healthy allocations than it needs; one waiting for manual promotion with all canaries healthy
 * does not fail. `healthyLive` counts each group's healthy live allocations of the deployment.
 */
export function checkProgress(d: Deployment, healthyLive: Readonly<Record<string, number>>, now: Millis): ProgressVerdict {
  if (d.status !== 'running') return { kind: 'on-time' };
  const watched = Object.entries(d.groups).filter(
    ([name, g]) => g.progressDeadline > 0 && g.requireProgressBy !== undefined && !isDone(g, healthyLive[name] ?? 0),
  );
  const due = watched.filter(([, g]) => g.requireProgressBy! <= now);
  if (due.length === 0) {
    const next = Math.min(...watched.map(([, g]) => g.requireProgressBy!));
    return Number.isFinite(next) ? { kind: 'on-time', nextDeadline: next } : { kind: 'on-time' };
  }
  const failing = due.filter(([, g]) => missesDeadline(g));
  if (failing.length === 0) return { kind: 'on-time' };
  return { kind: 'failed', groups: failing.map(([name]) => name).sort(), autoRevert: failing.some(([, g]) => g.autoRevert) };
}
