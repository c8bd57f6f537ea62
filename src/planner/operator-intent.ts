import type { Millis } from '../model/duration.ts';
import { descriptions, isTerminal, terminalRefusals, type Deployment, type DeploymentGroupState } from './deployment.ts';

export type IntentOutcome = { readonly ok: true; readonly deployment: Deployment } | { readonly ok: false; readonly error: string };

/** Any move to running or paused restarts every group's progress deadline (§2.11 rule 2). */
function restartDeadlines(groups: Deployment['groups'], now: Millis): Record<string, DeploymentGroupState> {
  return Object.fromEntries(
    Object.entries(groups).map(([name, g]) => [name, g.progressDeadline > 0 ? { ...g, requireProgressBy: now + g.progressDeadline } : g]),
  );
}

/**
 * Pause or resume (§2.11). Resuming says "Deployment is running" even while canaries still wait
 * for promotion, as Nomad does. Asking for the state a deployment is already in changes nothing.
 */
export function setPaused(d: Deployment, paused: boolean, now: Millis): IntentOutcome {
  if (isTerminal(d.status)) return { ok: false, error: paused ? terminalRefusals.pause : terminalRefusals.resume };
  if ((d.status === 'paused') === paused) return { ok: true, deployment: d };
  return {
    ok: true,
    deployment: {
      ...d,
      status: paused ? 'paused' : 'running',
      statusDescription: paused ? descriptions.paused : descriptions.running,
      groups: restartDeadlines(d.groups, now),
    },
  };
}

/** Any group auto-reverts: an operator fail then rolls back (§2.12). */
export function anyAutoRevert(d: Deployment): boolean {
  return Object.values(d.groups).some((g) => g.autoRevert);
}

/**
 * §2.10 rule 1: a group is complete when the pass has nothing left to do for it and its
 * deployment state has enough healthy allocations, with its canaries (if any) promoted.
 */
export function isGroupComplete(g: DeploymentGroupState, nothingLeftToDo: boolean): boolean {
  return nothingLeftToDo && g.healthyAllocs >= Math.max(g.desiredTotal, g.desiredCanaries) && (g.desiredCanaries === 0 || g.promoted);
}
