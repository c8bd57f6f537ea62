import type { V1Pod } from '@kubernetes/client-node';
import type { NomadDeploymentObject } from '../controller/deployment-object.ts';
import type { JobStatusBody } from '../controller/job-status-body.ts';
import type { JobVersion } from '../model/job-versions.ts';
import type { NomadJob } from '../model/nomad-job-spec.ts';

/** A NomadJob as the API server returns it, with the status the controller writes. */
export type NomadJobObject = Omit<NomadJob, 'status' | 'metadata'> & {
  metadata: NomadJob['metadata'] & { creationTimestamp?: string };
  status?: Partial<JobStatusBody>;
};

export type { NomadDeploymentObject };

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
  readonly job: NomadJobObject;
  readonly versions: readonly JobVersion[];
  readonly deployments: readonly NomadDeploymentObject[];
  readonly pods: readonly V1Pod[];
  readonly nodes: ReadonlyMap<string, NodeInfo>;
}

/** An error meant for the user: printed as is, without a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
