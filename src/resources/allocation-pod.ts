/**
 * An allocation as a Pod, both ways: renderAllocationPod writes it, observeAllocation reads back
 * what the planner decides on. One file, so every label and annotation written is read the same.
 */
import type { V1Affinity, V1Container, V1ContainerPort, V1ContainerStatus, V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import { allocationName } from '../model/allocation-name.ts';
import type { Job, Task, TaskGroup } from '../model/job.ts';
import { podAffinity, topologySpread } from '../model/placement.ts';
import { portNumber } from '../model/ports.ts';
import { checksByTask, readinessProbe } from '../model/probes.ts';
import { taskEnv } from '../model/task-env.ts';
import type { ObservedAllocation, ObservedContainer, PodPhase } from '../planner/observed-allocation.ts';
import type { RescheduleEvent } from '../planner/reschedule.ts';
import { annotations, labels } from './labels.ts';
import { jobOwnerReference } from './nomad-job.ts';
import { recordedHealthOf } from './recorded-health.ts';

/** One allocation to run as a Pod: which job version, group and index, and how it was placed. */
export interface AllocationPodInput {
  readonly job: Job;
  /** The NomadJob's UID, for the owner reference that garbage-collects the Pod with the job. */
  readonly jobUid: string;
  readonly version: number;
  readonly group: string;
  readonly index: number;
  readonly canary: boolean;
  /** The NomadDeployment it joins, by name (one per job version, so known before it exists). */
  readonly deployment?: string;
  /** 0 for the first Pod of this allocation name and version; counts replacements after that. */
  readonly replacement?: number;
  /** Earlier reschedules of this allocation name, carried to the replacement (Nomad's RescheduleTracker). */
  readonly rescheduleEvents?: readonly RescheduleEvent[];
  /** System and sysbatch jobs: the Node this allocation runs on. */
  readonly node?: string;
}

/**
 * Deterministic, so a create retried after a crash finds the Pod it already made instead of
 * placing a second allocation.
 */
export function allocationPodName(job: string, group: string, index: number, version: number, replacement = 0): string {
  return `${job}-${group}-${index}-v${version}${replacement > 0 ? `-r${replacement}` : ''}`;
}

/**
 * How a node appears in the names of its system allocations: the node name itself when it is a
 * short DNS label (kwok-node-3), otherwise its first 11 characters and an 8-hex FNV-1a hash of the
 * whole name (ip-10-0-1-2-5f3a09c1), so names stay short, readable and one per node.
 */
export function nodeNameKey(node: string): string {
  if (/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/.test(node)) return node;
  let hash = 0x811c9dc5;
  for (const ch of node) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const head = node
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 11)
    .replace(/^-+|-+$/g, '');
  return `${head ? `${head}-` : ''}${hash.toString(16).padStart(8, '0')}`;
}

/** A system or sysbatch allocation's Pod: `<job>-<group>-<node key>-v<version>[-r<n>]`, deterministic per node. */
export function systemAllocationPodName(job: string, group: string, node: string, version: number, replacement = 0): string {
  return `${job}-${group}-${nodeNameKey(node)}-v${version}${replacement > 0 ? `-r${replacement}` : ''}`;
}

/** Pins a Pod to one Node the way the DaemonSet controller does: required node affinity on the Node's name, still bound by kube-scheduler. */
export function pinnedToNode(node: string): V1Affinity {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } };
}

/** The labels that select every allocation of one task group. */
export function groupSelector(job: string, group: string): Record<string, string> {
  return { [labels.job]: job, [labels.taskGroup]: group };
}

/**
 * Nomad CPU is MHz: 1000 MHz is requested as one core. No CPU limit unless `cores` reserves whole
 * cores, as Nomad CPU is a share, not a cap. Memory is requested at memoryMB and limited at
 * memoryMaxMB (Nomad's oversubscription) or memoryMB.
 */
export function containerResources(task: Task): V1ResourceRequirements {
  const r = task.resources;
  const cpu = r.cores > 0 ? String(r.cores) : `${r.cpu}m`;
  const memoryLimit = r.memoryMaxMB > 0 ? r.memoryMaxMB : r.memoryMB;
  return {
    requests: { cpu, memory: `${r.memoryMB}Mi` },
    limits: { memory: `${memoryLimit}Mi`, ...(r.cores > 0 ? { cpu } : {}) },
  };
}

function renderContainer(job: Job, group: TaskGroup, task: Task, index: number, probeFor: (task: string) => V1Container['readinessProbe']): V1Container {
  const config = task.config;
  const ports: V1ContainerPort[] = [];
  for (const label of config.ports ?? []) {
    const port = group.networks.flatMap((n) => n.ports ?? []).find((p) => p.label === label);
    const number = port && portNumber(port);
    if (port && number !== undefined) ports.push({ name: label, containerPort: number, protocol: 'TCP', ...(port.static ? { hostPort: port.static } : {}) });
  }
  // Docker driver semantics: entrypoint replaces ENTRYPOINT; command and args replace CMD.
  const args = config.command !== undefined ? [config.command, ...(config.args ?? [])] : config.args;
  const probe = probeFor(task.name);
  const shutdownDelay = task.shutdownDelay || group.shutdownDelay;
  const user = task.user?.match(/^(\d+)(?::(\d+))?$/);
  return {
    name: task.name,
    image: config.image,
    ...(config.entrypoint ? { command: [...config.entrypoint] } : {}),
    ...(args ? { args: [...args] } : {}),
    ...(config.workDir ? { workingDir: config.workDir } : {}),
    env: taskEnv({ job, group, task, index }),
    ...(ports.length > 0 ? { ports } : {}),
    resources: containerResources(task),
    ...(probe ? { readinessProbe: probe } : {}),
    ...(shutdownDelay > 0 ? { lifecycle: { preStop: { sleep: { seconds: Math.ceil(shutdownDelay / 1000) } } } } : {}),
    ...(user ? { securityContext: { runAsUser: Number(user[1]), ...(user[2] ? { runAsGroup: Number(user[2]) } : {}) } } : {}),
  };
}

/** Renders the Pod of one allocation (pure: everything it needs comes in). */
export function renderAllocationPod(input: AllocationPodInput): V1Pod {
  const { job, version, index, canary } = input;
  const group = job.taskGroups.find((g) => g.name === input.group);
  if (!group) throw new Error(`job ${job.name} version ${version} has no task group ${JSON.stringify(input.group)}`);
  const selector = groupSelector(job.name, group.name);
  const checks = checksByTask(group);
  // Kubernetes runs one readiness probe per container: the first check assigned to a task decides.
  const probeFor = (task: string) => {
    const first = checks.get(task)?.[0];
    return first ? readinessProbe(group, first) : undefined;
  };
  const build = (t: Task) => renderContainer(job, group, t, index, probeFor);
  const prestart = group.tasks.filter((t) => t.lifecycle?.hook === 'prestart');
  const main = group.tasks.filter((t) => t.lifecycle?.hook !== 'prestart');
  // Prestart sidecars become native sidecars: init containers that keep running.
  const initContainers = prestart.map((t) => ({ ...build(t), ...(t.lifecycle?.sidecar ? { restartPolicy: 'Always' } : {}) }));
  const longestStop = Math.max(...group.tasks.map((t) => t.killTimeout + (t.shutdownDelay || group.shutdownDelay)));
  const batch = job.type === 'batch' || job.type === 'sysbatch';
  const k8s = group.kubernetes;
  const scheduled = podAffinity({
    datacenters: job.datacenters,
    constraints: [...job.constraints, ...group.constraints],
    affinities: [...job.affinities, ...group.affinities],
    groupSelector: selector,
  });
  // A system allocation's node was chosen by the planner (datacenters and constraints included): only the pin remains.
  const affinity = input.node !== undefined ? pinnedToNode(input.node) : scheduled;
  // As the DaemonSet controller does: a Pod pinned to a node that is cordoned between the plan and the bind still runs there.
  const tolerations = [
    ...(k8s.tolerations ?? []).map((t) => ({ ...t })),
    ...(input.node !== undefined ? [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  const spread = topologySpread([...job.spreads, ...group.spreads], selector);

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name:
        input.node !== undefined
          ? systemAllocationPodName(job.name, group.name, input.node, version, input.replacement)
          : allocationPodName(job.name, group.name, index, version, input.replacement),
      namespace: job.namespace,
      labels: {
        ...k8s.labels,
        ...selector,
        [labels.jobVersion]: String(version),
        [labels.allocIndex]: String(index),
        [labels.canary]: String(canary),
        [labels.managedBy]: 'caravan',
      },
      annotations: {
        ...k8s.annotations,
        [annotations.allocName]: allocationName(job.name, group.name, index),
        ...(input.deployment ? { [annotations.deployment]: input.deployment } : {}),
        ...(input.node !== undefined ? { [annotations.node]: input.node } : {}),
        ...(input.rescheduleEvents ? { [annotations.rescheduleEvents]: JSON.stringify(input.rescheduleEvents) } : {}),
      },
      ownerReferences: [jobOwnerReference({ name: job.name, namespace: job.namespace, uid: input.jobUid })],
    },
    spec: {
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers: main.map(build),
      // Nomad restarts tasks in place; Caravan counts restarts against the restart policy itself.
      restartPolicy: batch ? (group.restart.attempts > 0 ? 'OnFailure' : 'Never') : 'Always',
      terminationGracePeriodSeconds: Math.ceil(longestStop / 1000),
      ...(affinity ? { affinity } : {}),
      ...(spread.length > 0 ? { topologySpreadConstraints: spread } : {}),
      ...(k8s.nodeSelector ? { nodeSelector: { ...k8s.nodeSelector } } : {}),
      ...(tolerations.length > 0 ? { tolerations } : {}),
      ...(k8s.serviceAccountName ? { serviceAccountName: k8s.serviceAccountName } : {}),
      ...(k8s.priorityClassName ? { priorityClassName: k8s.priorityClassName } : {}),
      enableServiceLinks: false,
    },
  };
}

const time = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : new Date(value as string).getTime());

/** `healthy@<RFC 3339>` as the planner recorded it on the Pod. */
function observeContainer(status: V1ContainerStatus, init: boolean): ObservedContainer {
  const running = time(status.state?.running?.startedAt);
  const terminated = status.state?.terminated;
  return {
    name: status.name,
    init,
    ready: status.ready,
    restartCount: status.restartCount,
    ...(running !== undefined ? { runningSince: running } : {}),
    ...(terminated
      ? { terminated: { exitCode: terminated.exitCode, at: time(terminated.finishedAt) ?? 0, ...(terminated.reason ? { reason: terminated.reason } : {}) } }
      : {}),
    ...(status.state?.waiting?.reason ? { waitingReason: status.state.waiting.reason } : {}),
  };
}

/** The reschedule history carried on the Pod (Nomad's RescheduleTracker); undefined without one, or unreadable. */
export function rescheduleEventsOf(pod: V1Pod): RescheduleEvent[] | undefined {
  const text = pod.metadata?.annotations?.[annotations.rescheduleEvents];
  if (!text) return undefined;
  try {
    return (JSON.parse(text) as RescheduleEvent[] | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/** What the planner needs to know about an allocation's Pod; undefined for a Pod that is not one. */
export function observeAllocation(pod: V1Pod, deployment?: Parameters<typeof recordedHealthOf>[1]): ObservedAllocation | undefined {
  const l = pod.metadata?.labels ?? {};
  const a = pod.metadata?.annotations ?? {};
  const group = l[labels.taskGroup];
  const version = Number(l[labels.jobVersion]);
  const index = Number(l[labels.allocIndex]);
  if (!group || !Number.isInteger(version) || !Number.isInteger(index) || !pod.metadata?.name || !pod.metadata.uid) return undefined;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const readySince = ready?.status === 'True' ? time(ready.lastTransitionTime) : undefined;
  const startedAt = time(pod.status?.startTime);
  const recorded = recordedHealthOf(pod, deployment);
  const manual = a[annotations.health];
  const rescheduleEvents = rescheduleEventsOf(pod);
  return {
    podName: pod.metadata.name,
    uid: pod.metadata.uid,
    group,
    index,
    version,
    replacement: Number(/-r(\d+)$/.exec(pod.metadata.name)?.[1] ?? 0),
    canary: l[labels.canary] === 'true',
    phase: (pod.status?.phase ?? 'Pending') as PodPhase,
    createdAt: time(pod.metadata.creationTimestamp) ?? 0,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(a[annotations.node] ? { node: a[annotations.node] } : {}),
    ...(readySince !== undefined ? { readySince } : {}),
    containers: [
      ...(pod.status?.initContainerStatuses ?? []).map((s) => observeContainer(s, true)),
      ...(pod.status?.containerStatuses ?? []).map((s) => observeContainer(s, false)),
    ],
    ...(manual === 'healthy' || manual === 'unhealthy' ? { manualHealth: manual } : {}),
    ...(a[annotations.deployment] ? { deployment: a[annotations.deployment] } : {}),
    ...(recorded ? { recordedHealth: recorded } : {}),
    deleting: pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null,
    ...(rescheduleEvents ? { rescheduleEvents } : {}),
  };
}

/** The Pod conditions the planner and the HTTP APIs read. */
const keptConditions = new Set(['PodScheduled', 'Ready']);

/** Keeps the properties of `obj` that are set, so a cached object carries no undefined slots. */
function present<T extends object, K extends keyof T>(obj: T | undefined, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  if (!obj) return out;
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null) out[k] = obj[k];
  return out;
}

/**
 * What Caravan keeps of an allocation's Pod in memory, the Pod informer's transform (as
 * controller-runtime's cache transforms): what the planner (observeAllocation), the HTTP APIs
 * and the metrics read. The rest of a Pod (images, env, volumes, resources, tolerations, the
 * kubelet's container details) is the job version's, or read from the API server for one Pod.
 */
export function cachedPod(pod: V1Pod): V1Pod {
  const spec = pod.spec;
  const status = pod.status;
  // Without image and imageID, which the type requires but nothing reads from the cache, and
  // without the empty lastState the kubelet reports for a container that never restarted.
  const container = (s: V1ContainerStatus) => {
    const kept = present(s, ['name', 'state', 'ready', 'restartCount', 'started', 'containerID']) as V1ContainerStatus;
    return s.lastState && Object.keys(s.lastState).length > 0 ? { ...kept, lastState: s.lastState } : kept;
  };
  return {
    metadata: present(pod.metadata, [
      'name',
      'namespace',
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'labels',
      'annotations',
      'ownerReferences',
    ]),
    spec: {
      ...present(spec, ['nodeName', 'restartPolicy', 'terminationGracePeriodSeconds']),
      containers: (spec?.containers ?? []).map((c) => ({ name: c.name })),
      ...(spec?.initContainers ? { initContainers: spec.initContainers.map((c) => present(c, ['name', 'restartPolicy'])) } : {}),
    },
    status: {
      ...present(status, ['phase', 'reason', 'message', 'startTime', 'podIP']),
      // When the Pod reached its node (PodScheduled) and whether it is Ready: the others follow these.
      ...(status?.conditions
        ? {
            conditions: status.conditions
              .filter((c) => keptConditions.has(c.type))
              .map((c) => present(c, ['type', 'status', 'lastTransitionTime', 'reason', 'message'])),
          }
        : {}),
      ...(status?.initContainerStatuses ? { initContainerStatuses: status.initContainerStatuses.map(container) } : {}),
      ...(status?.containerStatuses ? { containerStatuses: status.containerStatuses.map(container) } : {}),
    },
  };
}
