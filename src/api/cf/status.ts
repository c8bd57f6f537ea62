import type { DeploymentStatus } from '../../planner/deployment.ts';

/**
 * A NomadDeployment's state in CF's words (§2.1). CF keeps an internal state and shows a
 * value/reason pair; both are derived here from Nomad's status, the operator intent in the spec
 * and where the canaries stand, so the CF view never stores anything of its own.
 */
export type CfState = 'DEPLOYING' | 'PREPAUSED' | 'PAUSED' | 'CANCELING' | 'DEPLOYED' | 'CANCELED';
export type CfStatusValue = 'ACTIVE' | 'FINALIZED';
export type CfStatusReason = 'DEPLOYING' | 'PAUSED' | 'CANCELING' | 'DEPLOYED' | 'CANCELED' | 'SUPERSEDED';

export interface CfStatus {
  readonly state: CfState;
  readonly value: CfStatusValue;
  readonly reason: CfStatusReason;
}

/** One task group's canary position, as the deployment's status and the version's spec tell it. */
export interface CanaryGroupFacts {
  readonly desiredCanaries: number;
  readonly promoted: boolean;
  readonly autoPromote: boolean;
  /** Healthy allocations of the deployment: before promotion, its canaries. */
  readonly healthy: number;
  /** The canaries the current step (or the single canary phase) needs healthy. */
  readonly needed: number;
  /** With canary steps: the current step, from 1, and whether each step waits for approval. */
  readonly step?: number;
  readonly stepApprovals: readonly boolean[];
}

export interface DeploymentFacts {
  readonly status: DeploymentStatus;
  readonly statusDescription: string;
  /** `spec.failed` is set: a cancel was asked for. */
  readonly failRequested: boolean;
  /** `spec.approveCanaryStep`. */
  readonly approvedStep: number;
  readonly groups: readonly CanaryGroupFacts[];
}

/** Nomad's description of a deployment cancelled by a newer job version (§2.4 of CF: superseded). */
export const supersededDescription = 'Cancelled due to newer version of job';

const isCanarying = (g: CanaryGroupFacts) => g.desiredCanaries > 0 && !g.promoted;

/**
 * What a waiting canary group waits for: an approval of its step, a manual promotion, or nothing
 * (still placing, becoming healthy, sitting out a step's pause, or promoting by itself).
 */
export function canaryGate(g: CanaryGroupFacts, approvedStep: number): 'step' | 'promotion' | undefined {
  if (!isCanarying(g) || g.healthy < g.needed) return undefined;
  if (g.step !== undefined && g.stepApprovals[g.step - 1] && approvedStep < g.step) return 'step';
  // A step without approval moves on by itself once its pause is over.
  if (g.step !== undefined && g.step < g.stepApprovals.length) return undefined;
  return g.autoPromote ? undefined : 'promotion';
}

/** Every canary group is held at a gate only `continue` opens (CF's PAUSED). */
export function awaitingContinue(f: DeploymentFacts): boolean {
  const canarying = f.groups.filter(isCanarying);
  return canarying.length > 0 && canarying.every((g) => canaryGate(g, f.approvedStep) !== undefined);
}

export const isCanaryDeployment = (f: Pick<DeploymentFacts, 'groups'>) => f.groups.some((g) => g.desiredCanaries > 0);

export function cfState(f: DeploymentFacts): { readonly state: CfState; readonly superseded: boolean } {
  switch (f.status) {
    case 'running':
    case 'paused':
      if (f.failRequested) return { state: 'CANCELING', superseded: false };
      if (f.status === 'paused' || awaitingContinue(f)) return { state: 'PAUSED', superseded: false };
      return { state: f.groups.some(isCanarying) ? 'PREPAUSED' : 'DEPLOYING', superseded: false };
    case 'successful':
      return { state: 'DEPLOYED', superseded: false };
    case 'failed':
      return { state: 'CANCELED', superseded: false };
    case 'cancelled':
      // CC: superseded while DEPLOYING stays DEPLOYED, while canarying becomes CANCELED.
      if (f.statusDescription === supersededDescription) return { state: f.groups.some(isCanarying) ? 'CANCELED' : 'DEPLOYED', superseded: true };
      return { state: 'CANCELED', superseded: false };
  }
}

export function cfStatus(f: DeploymentFacts): CfStatus {
  const { state, superseded } = cfState(f);
  switch (state) {
    case 'DEPLOYING':
    case 'PREPAUSED':
      return { state, value: 'ACTIVE', reason: 'DEPLOYING' };
    case 'PAUSED':
      return { state, value: 'ACTIVE', reason: 'PAUSED' };
    case 'CANCELING':
      return { state, value: 'ACTIVE', reason: 'CANCELING' };
    case 'DEPLOYED':
      return { state, value: 'FINALIZED', reason: superseded ? 'SUPERSEDED' : 'DEPLOYED' };
    case 'CANCELED':
      return { state, value: 'FINALIZED', reason: superseded ? 'SUPERSEDED' : 'CANCELED' };
  }
}

/** CF's `status.canary.steps`: the step the canaries are at, and how many there are (1 without steps). */
export function canarySteps(f: Pick<DeploymentFacts, 'groups'>): { readonly current: number; readonly total: number } {
  const canary = f.groups.filter((g) => g.desiredCanaries > 0);
  const total = Math.max(1, ...canary.map((g) => g.stepApprovals.length));
  const current = canary.every((g) => g.promoted) ? total : Math.min(...canary.map((g) => (g.promoted ? total : (g.step ?? 1))));
  return { current, total };
}

/**
 * What `continue` writes into the NomadDeployment's spec: resume a paused one, approve the step
 * the canaries wait at, or promote them (after the last step, or without steps).
 */
export function continueIntent(f: DeploymentFacts): Record<string, unknown> {
  if (f.status === 'paused') return { paused: false };
  const steps = f.groups
    .filter(isCanarying)
    .filter((g) => canaryGate(g, f.approvedStep) === 'step')
    .map((g) => g.step ?? 1);
  if (steps.length > 0) return { approveCanaryStep: Math.min(...steps) };
  return { promote: { all: true, groups: null } };
}
