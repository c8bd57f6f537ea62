import { phaseClientStatus } from '../api/nomad/allocation.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { allocationName } from '../model/allocation-name.ts';
import type { RecordedHealth } from '../planner/observed-allocation.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { recordedHealthOf } from '../resources/recorded-health.ts';
import { annotations, labels } from '../resources/labels.ts';
import type { NodeInfo } from './objects.ts';

/** Nomad's ClientStatus, read off a Pod. */
export type ClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost' | 'unknown';
/** Nomad's DesiredStatus: a Pod being deleted is one the scheduler stopped. */
export type DesiredStatus = 'run' | 'stop';

/** One allocation as `status` lists it (Nomad's AllocListStub, in Caravan's terms). */
export interface AllocationRow {
  /** Nomad's allocation ID: the Pod UID. */
  readonly id: string;
  /** Nomad's allocation name, `job.group[index]`. */
  readonly name: string;
  readonly podName: string;
  /** The Node's UID when Nodes are readable, else its name. */
  readonly nodeId?: string;
  readonly nodeName?: string;
  readonly taskGroup: string;
  readonly version: number;
  readonly desired: DesiredStatus;
  readonly status: ClientStatus;
  readonly canary: boolean;
  readonly deployment?: string;
  /** Health the controller recorded for the deployment (Nomad's DeploymentStatus.Healthy). */
  readonly healthy?: boolean;
  /** Health set by hand (caravan.dev/health). */
  readonly manualHealth?: 'healthy' | 'unhealthy';
  readonly createTime: string;
  readonly modifyTime: string;
}

/** Pod phase to Nomad's client status; a Pod on a Node that is gone or not Ready is lost. */
export function clientStatus(pod: V1Pod, node: NodeInfo | undefined): ClientStatus {
  // A node the caller may not read is not taken as lost: only one seen NotReady is.
  if (pod.spec?.nodeName && node && !node.ready) return 'lost';
  return phaseClientStatus(pod);
}

const toMs = (t: Date | string | undefined | null): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
};

/** The last thing that happened to the Pod that we can see: its ModifyTime. */
function lastChange(pod: V1Pod, recorded: RecordedHealth | undefined): number {
  const s = pod.status;
  const containers = [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])];
  const times = [
    toMs(pod.metadata?.creationTimestamp),
    toMs(pod.metadata?.deletionTimestamp),
    toMs(s?.startTime),
    ...(s?.conditions ?? []).map((c) => toMs(c.lastTransitionTime)),
    ...containers.flatMap((c) => [toMs(c.state?.running?.startedAt), toMs(c.state?.terminated?.finishedAt)]),
    recorded?.at,
  ];
  return Math.max(0, ...times.filter((t): t is number => t !== undefined));
}

/**
 * A Pod as an allocation; undefined for a Pod that is not one of Caravan's. Its health is read
 * from its deployment among `deployments` (where the controller records it), else from the Pod.
 */
export function allocationRow(pod: V1Pod, nodes: ReadonlyMap<string, NodeInfo>, deployments: readonly NomadDeployment[] = []): AllocationRow | undefined {
  const l = pod.metadata?.labels ?? {};
  const a = pod.metadata?.annotations ?? {};
  const group = l[labels.taskGroup];
  const job = l[labels.job];
  const version = Number(l[labels.jobVersion]);
  if (!group || !job || !Number.isInteger(version) || !pod.metadata?.uid || !pod.metadata.name) return undefined;
  const nodeName = pod.spec?.nodeName;
  const node = nodeName ? nodes.get(nodeName) : undefined;
  const recorded = recordedHealthOf(
    pod,
    deployments.find((d) => d.metadata.name === a[annotations.deployment]),
  );
  const manual = a[annotations.health];
  return {
    id: pod.metadata.uid,
    name: a[annotations.allocName] ?? allocationName(job, group, Number(l[labels.allocIndex] ?? 0)),
    podName: pod.metadata.name,
    ...(nodeName ? { nodeId: node?.uid ?? nodeName, nodeName } : {}),
    taskGroup: group,
    version,
    desired: pod.metadata.deletionTimestamp ? 'stop' : 'run',
    status: clientStatus(pod, node),
    canary: l[labels.canary] === 'true',
    ...(a[annotations.deployment] ? { deployment: a[annotations.deployment] } : {}),
    ...(recorded ? { healthy: recorded.health === 'healthy' } : {}),
    ...(manual === 'healthy' || manual === 'unhealthy' ? { manualHealth: manual } : {}),
    createTime: new Date(toMs(pod.metadata.creationTimestamp) ?? 0).toISOString(),
    modifyTime: new Date(lastChange(pod, recorded)).toISOString(),
  };
}

/** Newest first, as Nomad lists a job's allocations. */
export function allocationRows(pods: readonly V1Pod[], nodes: ReadonlyMap<string, NodeInfo>, deployments: readonly NomadDeployment[] = []): AllocationRow[] {
  return pods
    .flatMap((p) => allocationRow(p, nodes, deployments) ?? [])
    .sort((x, y) => y.createTime.localeCompare(x.createTime) || x.name.localeCompare(y.name) || x.podName.localeCompare(y.podName));
}
