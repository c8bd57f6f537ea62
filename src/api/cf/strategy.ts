import type { NomadJobSpec, UpdateSpec } from '../../model/nomad-job-spec.ts';
import type { CreateDeployment } from './create-message.ts';

/**
 * A CF deployment's strategy and options as the update block of the job version it makes
 * (`max_in_flight` = maxParallel). Canary without steps is Nomad's single canary with manual
 * promotion; canary steps become percent steps, each but the last waiting for approval, the
 * last for promotion: every step pauses for `continue`, as CF's do.
 */
export function updateFor(create: Pick<CreateDeployment, 'strategy' | 'maxInFlight' | 'canarySteps'>, before: UpdateSpec | undefined): UpdateSpec {
  const { canary: _canary, canarySteps: _steps, ...rest } = before ?? {};
  const common: UpdateSpec = { ...rest, autoPromote: false, ...(create.maxInFlight !== undefined ? { maxParallel: create.maxInFlight } : {}) };
  if (create.strategy === 'rolling') return { ...common, canary: 0 };
  const steps = create.canarySteps ?? [];
  if (steps.length === 0) return { ...common, canary: 1 };
  return { ...common, canarySteps: steps.map((percent, i) => (i < steps.length - 1 ? { percent, approval: true } : { percent })) };
}

/** The annotation-like meta key that makes every CF deployment a new version, even a restart. */
export const deployedAtMeta = 'cf_deployment_requested_at';

/**
 * The spec a CF deployment submits: the chosen version's spec with the strategy applied at the
 * job level and in every group that has its own update block, and the request time in the job's
 * meta (a meta change replaces allocations, so a restart of the same spec rolls too).
 */
export function deploymentSpec(
  target: NomadJobSpec,
  create: Pick<CreateDeployment, 'strategy' | 'maxInFlight' | 'canarySteps'>,
  requestedAt: string,
): NomadJobSpec {
  return {
    ...target,
    meta: { ...(target.meta ?? {}), [deployedAtMeta]: requestedAt },
    update: updateFor(create, target.update),
    taskGroups: target.taskGroups.map((g) => (g.update ? { ...g, update: updateFor(create, g.update) } : g)),
  };
}

/** A step's weight in CF: its percent, or its count as a percentage of the group's count. */
export function instanceWeights(update: UpdateSpec | undefined, count: number): number[] | undefined {
  const steps = update?.canarySteps;
  if (!steps || steps.length === 0) return undefined;
  return steps.map((s) => s.percent ?? Math.min(100, Math.max(1, Math.round(((s.count ?? 1) * 100) / Math.max(1, count)))));
}
