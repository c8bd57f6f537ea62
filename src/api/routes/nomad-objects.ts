import type { V1Pod } from '@kubernetes/client-node';
import type { JobType } from '../../model/nomad-job-spec.ts';
import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import type { ClusterView } from '../cluster-view.ts';
import type { NomadAllocationListStub, NomadApiDeployment } from '../nomad/types.ts';

/** A NomadDeployment as Nomad's api.Deployment, with what it shows of its job. */
export function deploymentJson(view: ClusterView, d: NomadDeployment): NomadApiDeployment {
  return view.nomadDeployment(d);
}

/** Pods as Nomad's allocation list stubs (those that are not Caravan allocations left out). */
export function allocationStubs(view: ClusterView, pods: readonly V1Pod[], jobType: JobType): NomadAllocationListStub[] {
  return pods.flatMap((p) => view.allocations.stub(p, { jobType }) ?? []);
}
