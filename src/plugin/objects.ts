import type { V1Pod } from '@kubernetes/client-node';
import type { JobVersion } from '../model/job-versions.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJob } from '../resources/nomad-job.ts';

/** What the plugin knows of a Node: enough for Nomad's Node ID column and for "lost". */
export interface NodeInfo {
  readonly name: string;
  /** Nomad's Node ID: the Node's UID; undefined when the caller may not read Nodes. */
  readonly uid?: string;
  /** False for a Node that is gone or not Ready: its allocations are lost (Nomad's word). */
  readonly ready: boolean;
}

/** Everything `status` is built from: one read of the job and what it owns. */
export interface JobSnapshot {
  readonly job: NomadJob;
  readonly versions: readonly JobVersion[];
  readonly deployments: readonly NomadDeployment[];
  readonly pods: readonly V1Pod[];
  readonly nodes: ReadonlyMap<string, NodeInfo>;
}

/** An error meant for the user: printed as is, without a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
