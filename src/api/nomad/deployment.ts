/**
 * NomadDeployments as Nomad's api.Deployment. The object's UID is the deployment ID; the
 * controller writes the rest in Nomad's words into `status` (resources/nomad-deployment.ts), so
 * this is a change of spelling: camelCase to Go field names, Go durations to nanoseconds, RFC 3339
 * times to Unix nanoseconds where Nomad keeps int64.
 */
import { descriptions } from '../../planner/deployment.ts';
import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import { objectIndexes, type CreateIndexLookup } from './indexes.ts';
import type { Index, NomadApiDeployment, NomadDeploymentState } from './types.ts';
import { durationNanos, goTime, unixNanos } from './wire.ts';

/** What a deployment shows of the job version it rolls out. */
export interface DeploymentJobInfo {
  /** The job's CreateIndex (Nomad's JobCreateIndex: which incarnation of the job ID). */
  readonly jobCreateIndex: Index;
  /**
   * The JobModifyIndex of the version the deployment rolls out (indexes.ts jobIndexes for that
   * version), or undefined when its revision is gone (pruned): the deployment's own CreateIndex
   * stands in, as the deployment was created right after that version.
   */
  readonly versionJobModifyIndex?: Index | undefined;
  /** The job's priority: Nomad's EvalPriority of a deployment defaults to it. */
  readonly priority?: number | undefined;
}

type GroupStatus = NonNullable<NonNullable<NomadDeployment['status']>['taskGroups']>[string];

function deploymentState(g: GroupStatus): NomadDeploymentState {
  return {
    AutoRevert: g.autoRevert,
    AutoPromote: g.autoPromote,
    ProgressDeadline: durationNanos(g.progressDeadline),
    RequireProgressBy: goTime(g.requireProgressBy),
    Promoted: g.promoted,
    PlacedCanaries: [...(g.placedCanaries ?? [])],
    DesiredCanaries: g.desiredCanaries,
    DesiredTotal: g.desiredTotal,
    PlacedAllocs: g.placedAllocs,
    HealthyAllocs: g.healthyAllocs,
    UnhealthyAllocs: g.unhealthyAllocs,
  };
}

/**
 * api.Deployment. A deployment whose status the controller has not written yet (it creates the
 * object first) shows as Nomad shows a new one: running, "Deployment is running", no groups.
 * Nomad's JobModifyIndex (the job's ModifyIndex when the deployment was made) and
 * JobSpecModifyIndex (its JobModifyIndex then) are both the version's JobModifyIndex: the
 * deployment is made for the version right after the version is recorded.
 */
export function toNomadDeployment(d: NomadDeployment, job: DeploymentJobInfo, created?: CreateIndexLookup): NomadApiDeployment {
  const s = d.status ?? {};
  const { createIndex, modifyIndex } = objectIndexes(d, created);
  const versionIndex = job.versionJobModifyIndex ?? createIndex;
  const TaskGroups: Record<string, NomadDeploymentState> = {};
  for (const [name, g] of Object.entries(s.taskGroups ?? {})) TaskGroups[name] = deploymentState(g);
  const createTime = unixNanos(s.createTime ?? d.metadata.creationTimestamp);
  return {
    ID: d.metadata.uid ?? s.id ?? '',
    Namespace: d.metadata.namespace ?? 'default',
    JobID: d.spec.job,
    JobVersion: d.spec.jobVersion,
    JobModifyIndex: versionIndex,
    JobSpecModifyIndex: versionIndex,
    JobCreateIndex: job.jobCreateIndex,
    IsMultiregion: false,
    TaskGroups,
    Status: s.status ?? 'running',
    StatusDescription: s.statusDescription ?? descriptions.running,
    EvalPriority: job.priority ?? 50,
    CreateIndex: createIndex,
    ModifyIndex: modifyIndex,
    CreateTime: createTime,
    ModifyTime: s.modifyTime ? unixNanos(s.modifyTime) : createTime,
  };
}
