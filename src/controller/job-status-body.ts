import type { FieldError } from '../model/validate.ts';
import { isActive, type Deployment } from '../planner/deployment.ts';
import type { Plan } from '../planner/plan-types.ts';
import type { NomadJobCondition, NomadJobStatus } from '../resources/nomad-job.ts';

/** Keeps a condition's transition time unless its status changed (Kubernetes' convention). */
function withTransitions(
  next: Omit<NomadJobCondition, 'lastTransitionTime'>[],
  previous: readonly NomadJobCondition[] | undefined,
  now: string,
): NomadJobCondition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime : now };
  });
}

export interface JobStatusInput {
  readonly generation: number;
  readonly plan: Plan;
  readonly desired: number;
  readonly latestVersion: number;
  readonly runningVersion: number;
  readonly stableVersion: number | undefined;
  readonly revert: NomadJobStatus['revert'];
  readonly deployment: Deployment | undefined;
  readonly previous: readonly NomadJobCondition[] | undefined;
  readonly now: number;
}

/**
 * The NomadJob status: Nomad's status, versions and counts, and conditions for kubectl wait and
 * kstatus. Progressing uses the Kubernetes Deployment reasons where they fit.
 */
export function jobStatusBody(i: JobStatusInput): NomadJobStatus {
  const running = Object.values(i.plan.summary).reduce((n, g) => n + g.running, 0);
  const d = i.deployment;
  const g = i.generation;
  return {
    observedGeneration: g,
    status: i.plan.jobStatus,
    ...(i.revert
      ? { statusDescription: `running job version ${i.revert.toVersion} (auto-revert of version ${i.revert.fromVersion}) until the spec changes` }
      : {}),
    version: i.latestVersion,
    runningVersion: i.runningVersion,
    ...(i.stableVersion !== undefined ? { stableVersion: i.stableVersion } : {}),
    ...(i.revert ? { revert: i.revert } : {}),
    desired: i.desired,
    running,
    summary: i.plan.summary,
    ...(d
      ? {
          latestDeployment: { name: d.name, ...(d.id ? { id: d.id } : {}), jobVersion: d.jobVersion, status: d.status, statusDescription: d.statusDescription },
        }
      : {}),
    conditions: withTransitions(jobConditions(i, running), i.previous, new Date(i.now).toISOString()),
  };
}

type Condition = Omit<NomadJobCondition, 'lastTransitionTime'>;

/** Where the job's newest deployment stands, as the conditions tell it: in flight, failed, or neither (none, or finished). */
type Rollout =
  | { readonly phase: 'active'; readonly d: Deployment }
  | { readonly phase: 'failed'; readonly d: Deployment }
  | { readonly phase: 'settled'; readonly d: Deployment | undefined };

function rolloutOf(d: Deployment | undefined): Rollout {
  if (d !== undefined && isActive(d.status)) return { phase: 'active', d };
  if (d?.status === 'failed') return { phase: 'failed', d };
  return { phase: 'settled', d };
}

/** What every condition is decided on. */
interface ConditionFacts {
  readonly rollout: Rollout;
  /** Settled, every desired allocation running, and the job not dead. */
  readonly ready: boolean;
  /** A rollout in flight, or a live job short of its allocations that has not failed. */
  readonly reconciling: boolean;
  /** `<running>/<desired> allocations running`. */
  readonly counts: string;
  readonly generation: number;
}

const about = (d: Deployment) => `${d.name}: ${d.statusDescription}`;

/** Ready, Progressing, and for kstatus Reconciling and Stalled. */
function jobConditions(i: JobStatusInput, running: number): Condition[] {
  const rollout = rolloutOf(i.deployment);
  const dead = i.plan.jobStatus === 'dead';
  const ready = rollout.phase === 'settled' && running === i.desired && !dead;
  const reconciling = rollout.phase === 'active' || (!ready && rollout.phase !== 'failed' && !dead);
  const facts: ConditionFacts = { rollout, ready, reconciling, counts: `${running}/${i.desired} allocations running`, generation: i.generation };
  // kstatus (Flux, kpt, cli-utils) reads only Reconciling and Stalled on custom resources:
  // without Reconciling=True a rollout in flight would count as Current.
  return [readyCondition(facts), progressingCondition(facts), reconcilingCondition(facts), stalledCondition(facts)];
}

function readyCondition({ rollout, ready, counts, generation }: ConditionFacts): Condition {
  const notReady = rollout.phase === 'active' ? 'DeploymentRunning' : rollout.phase === 'failed' ? 'DeploymentFailed' : 'AllocationsNotRunning';
  return { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'AllocationsRunning' : notReady, message: counts, observedGeneration: generation };
}

function progressingCondition({ rollout, generation }: ConditionFacts): Condition {
  switch (rollout.phase) {
    case 'active':
      return { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: about(rollout.d), observedGeneration: generation };
    case 'failed': {
      const deadline = rollout.d.statusDescription.startsWith('Failed due to progress deadline');
      const reason = deadline ? 'ProgressDeadlineExceeded' : 'DeploymentFailed';
      return { type: 'Progressing', status: 'False', reason, message: about(rollout.d), observedGeneration: generation };
    }
    case 'settled': {
      const message = rollout.d ? about(rollout.d) : 'no deployment needed';
      return { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message, observedGeneration: generation };
    }
  }
}

function reconcilingCondition({ rollout, reconciling, counts, generation }: ConditionFacts): Condition {
  if (!reconciling)
    return {
      type: 'Reconciling',
      status: 'False',
      reason: rollout.phase === 'failed' ? 'DeploymentFailed' : 'Reconciled',
      message: '',
      observedGeneration: generation,
    };
  if (rollout.phase !== 'active')
    return { type: 'Reconciling', status: 'True', reason: 'AllocationsNotRunning', message: counts, observedGeneration: generation };
  const reason = rollout.d.status === 'paused' ? 'DeploymentPaused' : 'DeploymentRunning';
  return { type: 'Reconciling', status: 'True', reason, message: about(rollout.d), observedGeneration: generation };
}

function stalledCondition({ rollout, generation }: ConditionFacts): Condition {
  return rollout.phase === 'failed'
    ? { type: 'Stalled', status: 'True', reason: 'DeploymentFailed', message: about(rollout.d), observedGeneration: generation }
    : { type: 'Stalled', status: 'False', reason: 'NotStalled', message: '', observedGeneration: generation };
}

/** The status of a NomadJob whose spec Caravan refuses. */
export function invalidSpecStatus(
  generation: number,
  errors: readonly FieldError[],
  previous: readonly NomadJobCondition[] | undefined,
  now: number,
): NomadJobStatus {
  const message = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return {
    observedGeneration: generation,
    conditions: withTransitions(
      [
        { type: 'Ready', status: 'False', reason: 'InvalidSpec', message, observedGeneration: generation },
        { type: 'Progressing', status: 'False', reason: 'InvalidSpec', message, observedGeneration: generation },
        { type: 'Reconciling', status: 'False', reason: 'InvalidSpec', message, observedGeneration: generation },
        { type: 'Stalled', status: 'True', reason: 'InvalidSpec', message, observedGeneration: generation },
      ],
      previous,
      new Date(now).toISOString(),
    ),
  };
}
