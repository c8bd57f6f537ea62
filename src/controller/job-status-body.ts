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
  const active = d !== undefined && isActive(d.status);
  const failed = d?.status === 'failed';
  const ready = !active && !failed && running === i.desired && i.plan.jobStatus !== 'dead';
  const reconciling = active || (!ready && !failed && i.plan.jobStatus !== 'dead');
  const g = i.generation;
  const conditions = withTransitions(
    [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        reason: ready ? 'AllocationsRunning' : active ? 'DeploymentRunning' : failed ? 'DeploymentFailed' : 'AllocationsNotRunning',
        message: `${running}/${i.desired} allocations running`,
        observedGeneration: g,
      },
      active
        ? { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `${d.name}: ${d.statusDescription}`, observedGeneration: g }
        : failed
          ? {
              type: 'Progressing',
              status: 'False',
              reason: d.statusDescription.startsWith('Failed due to progress deadline') ? 'ProgressDeadlineExceeded' : 'DeploymentFailed',
              message: `${d.name}: ${d.statusDescription}`,
              observedGeneration: g,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: d ? `${d.name}: ${d.statusDescription}` : 'no deployment needed',
              observedGeneration: g,
            },
      // kstatus (Flux, kpt, cli-utils) reads only Reconciling and Stalled on custom resources:
      // without Reconciling=True a rollout in flight would count as Current.
      reconciling
        ? {
            type: 'Reconciling',
            status: 'True',
            reason: active ? (d.status === 'paused' ? 'DeploymentPaused' : 'DeploymentRunning') : 'AllocationsNotRunning',
            message: active ? `${d.name}: ${d.statusDescription}` : `${running}/${i.desired} allocations running`,
            observedGeneration: g,
          }
        : { type: 'Reconciling', status: 'False', reason: failed ? 'DeploymentFailed' : 'Reconciled', message: '', observedGeneration: g },
      {
        type: 'Stalled',
        status: failed ? 'True' : 'False',
        reason: failed ? 'DeploymentFailed' : 'NotStalled',
        message: failed ? `${d!.name}: ${d!.statusDescription}` : '',
        observedGeneration: g,
      },
    ],
    i.previous,
    new Date(i.now).toISOString(),
  );
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
    conditions,
  };
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
