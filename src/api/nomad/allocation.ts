/**
 * Allocation Pods as Nomad's api.Allocation and api.AllocationListStub. The Pod UID is the
 * allocation ID; the labels and annotations the controller puts on the Pod (resources/labels.ts)
 * carry the job, group, version, index, canary flag, deployment and recorded health; the Pod's
 * status carries the client's side (ClientStatus, TaskStates).
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { allocationName } from '../../model/allocation-name.ts';
import type { JobType } from '../../model/nomad-job-spec.ts';
import { rescheduleEventsOf } from '../../resources/allocation-pod.ts';
import { parseRecordedHealth } from '../../resources/recorded-health.ts';
import type { RecordedHealth } from '../../planner/observed-allocation.ts';
import { annotations, labels } from '../../resources/labels.ts';
import { placementEvaluationId } from './evaluation.ts';
import { objectIndexes, type CreateIndexLookup } from './indexes.ts';
import { taskStates } from './task-states.ts';
import type {
  ClientStatus,
  NomadAllocatedResources,
  NomadAllocation,
  NomadAllocationBase,
  NomadAllocationListStub,
  NomadAllocDeploymentStatus,
  NomadApiJob,
  NomadRescheduleTracker,
} from './types.ts';
import { goTime, kubeMillis, msToUnixNanos, unixNanos } from './wire.ts';

/** A Node as far as allocations go: Nomad's node ID is the Node's UID. */
export interface NodeRef {
  readonly uid: string;
  readonly ready: boolean;
}

/** Nodes by name (a Map, or a lookup in the Node cache). */
export type NodeLookup = Pick<ReadonlyMap<string, NodeRef>, 'get'>;

/** What an allocation needs besides its Pod. */
export interface AllocationContext {
  /** Nodes by name. A Pod on a node missing here, or not Ready, is lost (as the controller judges). */
  readonly nodes: NodeLookup;
  /** NomadDeployment UIDs by object name (`<job>-v<N>`): a Pod names its deployment by name. */
  readonly deploymentIds: Pick<ReadonlyMap<string, string>, 'get'>;
  /** Replacement chain (allocationChains), where known. */
  readonly previousAllocation?: string | undefined;
  readonly nextAllocation?: string | undefined;
  /** The Pod's deployment as it stands (its status, and when that was last written, epoch ms). */
  readonly deployment?: { readonly status: string; readonly modifiedAt?: number | undefined; readonly promotedGroups?: ReadonlySet<string> } | undefined;
  /**
   * Its deployment health as its deployment's status records it (recordedHealthOf); without it,
   * as recorded on the Pod.
   */
  readonly recordedHealth?: RecordedHealth | undefined;
  /** Kubernetes Events about the Pod, for task events (optional). */
  readonly events?: readonly CoreV1Event[] | undefined;
  /** CreateIndex bookkeeping (indexes.ts); without it CreateIndex is the ModifyIndex. */
  readonly created?: CreateIndexLookup | undefined;
}

/** Nomad's client descriptions for each client status (its alloc runner's texts). */
const clientDescriptions: Record<ClientStatus, string> = {
  pending: 'No tasks have started',
  running: 'Tasks are running',
  complete: 'All tasks have completed',
  failed: 'Failed tasks',
  lost: '',
  unknown: '',
};

/** Pod phase as Nomad's ClientStatus; a Pod on a node that is gone or not Ready is lost. */
export function clientStatus(pod: V1Pod, nodes: NodeLookup): ClientStatus {
  const nodeName = pod.spec?.nodeName;
  if (nodeName && !nodes.get(nodeName)?.ready) return 'lost';
  return phaseClientStatus(pod);
}

/** Nomad's ClientStatus for a Pod's phase alone (whether its node is lost is the caller's call). */
export function phaseClientStatus(pod: V1Pod): ClientStatus {
  switch (pod.status?.phase) {
    case 'Running':
      return 'running';
    case 'Succeeded':
      return 'complete';
    case 'Failed':
      return 'failed';
    case 'Unknown':
      return 'unknown';
    default:
      return 'pending';
  }
}

/** The NomadJob that owns the Pod (its controller reference). */
function ownerJobUid(pod: V1Pod): string {
  return pod.metadata?.ownerReferences?.find((o) => o.kind === 'NomadJob' && o.controller)?.uid ?? '';
}

function rescheduleTracker(pod: V1Pod): NomadRescheduleTracker | null {
  const events = rescheduleEventsOf(pod);
  if (!events) return null;
  // Caravan records when each reschedule happened, not which allocation it replaced.
  return { Events: events.map((e) => ({ RescheduleTime: msToUnixNanos(e.at), PrevAllocID: '', PrevNodeID: '' })), LastReschedule: '' };
}

/**
 * The Pod's last visible change, as ModifyTime: Kubernetes keeps no modification time, so the
 * latest of its creation, deletion, start, condition transitions, container starts and exits,
 * and recorded health stands in.
 */
function lastChange(pod: V1Pod, recorded: RecordedHealth | undefined): number {
  const s = pod.status;
  const containers = [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])];
  const times = [
    pod.metadata?.creationTimestamp,
    pod.metadata?.deletionTimestamp,
    s?.startTime,
    ...(s?.conditions ?? []).map((c) => c.lastTransitionTime),
    ...containers.flatMap((c) => [c.state?.running?.startedAt, c.state?.terminated?.finishedAt]),
  ].map((t) => kubeMillis(t));
  return Math.max(0, ...[...times, recorded?.at].filter((t): t is number => t !== undefined));
}

const recordedHealth = (pod: V1Pod, ctx: AllocationContext) =>
  ctx.recordedHealth ?? parseRecordedHealth(pod.metadata?.annotations?.[annotations.deploymentHealth]);

/** Nomad's AllocDeploymentStatus: for a Pod in a deployment, its recorded health (null until decided) and canary flag. */
function deploymentStatus(
  pod: V1Pod,
  modifyIndex: number,
  deployment: AllocationContext['deployment'],
  recorded: RecordedHealth | undefined,
): NomadAllocDeploymentStatus | null {
  const a = pod.metadata?.annotations ?? {};
  if (!a[annotations.deployment]) return null;
  // In a group too large to record health in its deployment's status, the controller counts it
  // there a moment before it marks the Pod (the order that survives a crash). Until the mark is
  // there, an operator's health (the caravan.dev/health annotation, which decides at once) or a
  // deployment that already succeeded (all its allocations were healthy) says it, as Nomad's
  // allocation would already.
  const manual = a[annotations.health];
  const healthy = recorded
    ? recorded.health === 'healthy'
    : manual === 'healthy' || manual === 'unhealthy'
      ? manual === 'healthy'
      : deployment?.status === 'successful'
        ? true
        : null;
  return {
    Healthy: healthy,
    Timestamp: goTime(recorded?.at ?? (healthy !== null ? deployment?.modifiedAt : undefined)),
    // Nomad clears the flag when the canary's group is promoted (§2.4 rule 4). Caravan keeps the
    // Pod's label (placed as a canary, which the planner's name rules rely on across crashes)
    // and reads promotion from the deployment.
    Canary: pod.metadata?.labels?.[labels.canary] === 'true' && !(deployment?.promotedGroups?.has(pod.metadata?.labels?.[labels.taskGroup] ?? '') ?? false),
    ModifyIndex: modifyIndex,
  };
}

/**
 * Nomad's DesiredDescription, where Caravan knows the reason: a lost allocation. A Pod being
 * deleted does not say why (update, reschedule, scale down or `alloc stop`), so it has none.
 */
function desiredDescription(status: ClientStatus): string {
  return status === 'lost' ? 'alloc is lost since its node is down' : '';
}

/** What the full allocation and its list stub share; undefined for a Pod that is not an allocation. */
function allocationBase(pod: V1Pod, ctx: AllocationContext): (NomadAllocationBase & { version: number; deploymentId: string }) | undefined {
  const m = pod.metadata;
  const l = m?.labels ?? {};
  const a = m?.annotations ?? {};
  const job = l[labels.job];
  const group = l[labels.taskGroup];
  const version = Number(l[labels.jobVersion]);
  if (!m?.uid || !job || !group || !Number.isInteger(version)) return undefined;
  const { createIndex, modifyIndex } = objectIndexes(pod, ctx.created);
  const status = clientStatus(pod, ctx.nodes);
  const stopping = m.deletionTimestamp !== undefined && m.deletionTimestamp !== null;
  const nodeName = pod.spec?.nodeName ?? '';
  const deployment = a[annotations.deployment];
  return {
    ID: m.uid,
    EvalID: placementEvaluationId(ownerJobUid(pod), version),
    Name: a[annotations.allocName] ?? allocationName(job, group, Number(l[labels.allocIndex] ?? 0)),
    Namespace: m.namespace ?? 'default',
    NodeID: nodeName ? (ctx.nodes.get(nodeName)?.uid ?? '') : '',
    NodeName: nodeName,
    JobID: job,
    TaskGroup: group,
    DesiredStatus: stopping || status === 'lost' ? 'stop' : 'run',
    DesiredDescription: desiredDescription(status),
    ClientStatus: status,
    ClientDescription: clientDescriptions[status],
    TaskStates: taskStates(pod, ctx.events ?? []),
    DeploymentStatus: deploymentStatus(pod, modifyIndex, ctx.deployment, recordedHealth(pod, ctx)),
    FollowupEvalID: '',
    NextAllocation: ctx.nextAllocation ?? '',
    RescheduleTracker: rescheduleTracker(pod),
    PreemptedAllocations: null,
    PreemptedByAllocation: '',
    CreateIndex: createIndex,
    ModifyIndex: modifyIndex,
    CreateTime: unixNanos(m.creationTimestamp),
    ModifyTime: msToUnixNanos(lastChange(pod, recordedHealth(pod, ctx))),
    version,
    deploymentId: deployment ? (ctx.deploymentIds.get(deployment) ?? '') : '',
  };
}

/**
 * What the allocation was given (Nomad's AllocatedResources), from its job version's tasks: CPU
 * shares in MHz and memory as the task asked, the group's ephemeral disk, and the group's ports
 * at the Pod's IP (Nomad's host port is the static port, or the port the task listens on).
 */
export function allocatedResources(pod: V1Pod, job: NomadApiJob, group: string): NomadAllocatedResources | null {
  const g = job.TaskGroups.find((tg) => tg.Name === group);
  if (!g) return null;
  const tasks: NomadAllocatedResources['Tasks'] = {};
  for (const t of g.Tasks) {
    tasks[t.Name] = {
      Cpu: { CpuShares: t.Resources.CPU, ReservedCores: null },
      Memory: { MemoryMB: t.Resources.MemoryMB, MemoryMaxMB: t.Resources.MemoryMaxMB },
      Networks: null,
      Devices: null,
    };
  }
  const hostIp = pod.status?.podIP ?? '';
  const ports = (g.Networks ?? [])
    .flatMap((n) => [...(n.ReservedPorts ?? []), ...(n.DynamicPorts ?? [])])
    .map((p) => ({ Label: p.Label, Value: p.Value || p.To, To: p.To || p.Value, HostIP: hostIp }));
  return { Tasks: tasks, Shared: { DiskMB: g.EphemeralDisk.SizeMB, Networks: null, Ports: ports.length > 0 ? ports : null } };
}

/**
 * api.Allocation: `job` is the job at the version the Pod runs (job.ts toNomadJob), embedded as
 * Nomad embeds it. Undefined for a Pod that is not one of Caravan's allocations.
 */
export function toNomadAllocation(pod: V1Pod, job: NomadApiJob, ctx: AllocationContext): NomadAllocation | undefined {
  const base = allocationBase(pod, ctx);
  if (!base) return undefined;
  const { version: _version, deploymentId, ...fields } = base;
  return {
    ...fields,
    Job: job,
    AllocatedResources: allocatedResources(pod, job, base.TaskGroup),
    DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
    DeploymentID: deploymentId,
    PreviousAllocation: ctx.previousAllocation ?? '',
    AllocModifyIndex: base.ModifyIndex,
  };
}

/**
 * The full allocation of a list stub made with its TaskStates (toAllocListStub): what a list's
 * filter judges, without working out the stub's fields again. Its keys are in the same order as
 * toNomadAllocation's.
 */
export function allocationOfStub(
  stub: NomadAllocationListStub,
  pod: V1Pod,
  job: NomadApiJob,
  extra: { readonly deploymentId: string; readonly previousAllocation?: string | undefined },
): NomadAllocation {
  const { JobType: _type, JobVersion: _version, AllocatedResources: _resources, ...fields } = stub;
  return {
    ...fields,
    Job: job,
    AllocatedResources: allocatedResources(pod, job, stub.TaskGroup),
    DesiredTransition: { Migrate: null, Reschedule: null, ForceReschedule: null, NoShutdownDelay: null },
    DeploymentID: extra.deploymentId,
    PreviousAllocation: extra.previousAllocation ?? '',
    AllocModifyIndex: stub.ModifyIndex,
  };
}

export interface ListStubOptions {
  readonly jobType: JobType;
  /** `?task_states=false` leaves TaskStates out (null). */
  readonly taskStates?: boolean;
  /** `?resources=true`: the job version, whose resources are shown. */
  readonly resourcesOf?: NomadApiJob | undefined;
}

/** api.AllocationListStub. Undefined for a Pod that is not one of Caravan's allocations. */
export function toAllocListStub(pod: V1Pod, ctx: AllocationContext, opts: ListStubOptions): NomadAllocationListStub | undefined {
  const base = allocationBase(pod, ctx);
  if (!base) return undefined;
  const { version, deploymentId: _deploymentId, ...fields } = base;
  const resources = opts.resourcesOf ? allocatedResources(pod, opts.resourcesOf, base.TaskGroup) : null;
  return {
    ...fields,
    ...(opts.taskStates === false ? { TaskStates: null } : {}),
    JobType: opts.jobType,
    JobVersion: version,
    ...(resources ? { AllocatedResources: resources } : {}),
  };
}

/**
 * Previous and next allocations among Pods of the same allocation name (a replacement keeps its
 * name, as in Nomad): ordered by version, then replacement number, each links to its neighbours
 * that still exist. Kubernetes deletes what a replacement supersedes, so a chain is only as
 * long as the Pods still there.
 */
export function allocationChains(pods: readonly V1Pod[]): Map<string, { previousAllocation?: string; nextAllocation?: string }> {
  const byName = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const name = pod.metadata?.annotations?.[annotations.allocName];
    const namespace = pod.metadata?.namespace ?? '';
    if (!name || !pod.metadata?.uid) continue;
    const key = `${namespace}/${name}`;
    byName.set(key, [...(byName.get(key) ?? []), pod]);
  }
  const order = (p: V1Pod) => [
    Number(p.metadata?.labels?.[labels.jobVersion] ?? 0),
    Number(/-r(\d+)$/.exec(p.metadata?.name ?? '')?.[1] ?? 0),
    kubeMillis(p.metadata?.creationTimestamp) ?? 0,
  ];
  const out = new Map<string, { previousAllocation?: string; nextAllocation?: string }>();
  for (const group of byName.values()) {
    const sorted = [...group].sort((x, y) => {
      const [a, b] = [order(x), order(y)];
      return a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
    });
    sorted.forEach((pod, i) => {
      const previous = sorted[i - 1]?.metadata?.uid;
      const next = sorted[i + 1]?.metadata?.uid;
      out.set(pod.metadata!.uid!, { ...(previous ? { previousAllocation: previous } : {}), ...(next ? { nextAllocation: next } : {}) });
    });
  }
  return out;
}
