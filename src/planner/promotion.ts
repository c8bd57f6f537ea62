import type { Millis } from '../model/duration.ts';
import { canariesNeeded, isTerminal, runningDescription, terminalRefusals, type Deployment, type DeploymentGroupState } from './deployment.ts';

/** What an operator asked for: every group, or the named ones (unknown names are ignored). */
export type PromoteRequest = { readonly all: true } | { readonly groups: readonly string[] };

export type PromotionOutcome =
  | { readonly ok: true; readonly deployment: Deployment; readonly promotedCanaries: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** Go's multierror formatting, which Nomad's promote error uses verbatim. */
export function multiError(errors: readonly string[]): string {
  return `${errors.length} error${errors.length === 1 ? '' : 's'} occurred:\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

/**
 * Nomad's Deployment.Promote (§2.4): refused for a terminal deployment; refused, with nothing
 * changed, when a targeted canary group has fewer healthy live canaries than it wants; otherwise
 * the targeted groups are promoted (also those without canaries), their progress deadline
 * restarts, and their healthy canaries stop being canaries.
 * `healthyCanaries` are the IDs of live canaries whose deployment health is healthy.
 */
export function promote(d: Deployment, request: PromoteRequest, healthyCanaries: ReadonlySet<string>, now: Millis): PromotionOutcome {
  if (isTerminal(d.status)) return { ok: false, error: terminalRefusals.promote };
  const targeted = Object.keys(d.groups).filter((g) => 'all' in request || request.groups.includes(g));
  const errors: string[] = [];
  const promotedCanaries: string[] = [];
  for (const name of targeted.sort()) {
    const g = d.groups[name]!;
    if (g.desiredCanaries === 0) continue;
    // With canary steps, promoting early skips the steps left once the current one is healthy.
    const healthy = g.placedCanaries.filter((id) => healthyCanaries.has(id));
    if (healthy.length < canariesNeeded(g)) errors.push(`Task group "${name}" has ${healthy.length}/${canariesNeeded(g)} healthy allocations`);
    promotedCanaries.push(...healthy);
  }
  if (errors.length > 0) return { ok: false, error: multiError(errors) };
  const groups: Record<string, DeploymentGroupState> = { ...d.groups };
  for (const name of targeted) {
    const g = groups[name]!;
    const restart = g.progressDeadline > 0 && g.requireProgressBy !== undefined;
    groups[name] = { ...g, promoted: true, ...(restart ? { requireProgressBy: now + g.progressDeadline } : {}) };
  }
  const promoted: Deployment = { ...d, groups };
  return {
    ok: true,
    deployment: { ...promoted, statusDescription: promoted.status === 'running' ? runningDescription(promoted) : promoted.statusDescription },
    promotedCanaries,
  };
}

/**
 * Nomad's auto-promotion (§2.4 rule 6): every canary group auto-promotes, has placed all its
 * canaries, and all of them are healthy. One group without auto_promote blocks the rest.
 */
export function shouldAutoPromote(d: Deployment, healthyCanaries: ReadonlySet<string>): boolean {
  const canaryGroups = Object.values(d.groups).filter((g) => g.desiredCanaries > 0 && !g.promoted);
  if (d.status !== 'running' || canaryGroups.length === 0) return false;
  return canaryGroups.every(
    (g) =>
      g.autoPromote && g.placedCanaries.length >= g.desiredCanaries && g.placedCanaries.filter((id) => healthyCanaries.has(id)).length === g.desiredCanaries,
  );
}
