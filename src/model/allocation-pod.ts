import type { V1Container, V1ContainerPort, V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import type { Job, Task, TaskGroup } from './job.ts';
import { allocationName, annotations, labels } from './labels.ts';
import { apiVersion } from './nomad-job-spec.ts';
import { podAffinity, topologySpread } from './placement.ts';
import { portNumber } from './ports.ts';
import { checksByTask, readinessProbe } from './probes.ts';
import { taskEnv } from './task-env.ts';

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
}

/**
 * Deterministic, so a create retried after a crash finds the Pod it already made instead of
 * placing a second allocation.
 */
export function allocationPodName(job: string, group: string, index: number, version: number, replacement = 0): string {
  return `${job}-${group}-${index}-v${version}${replacement > 0 ? `-r${replacement}` : ''}`;
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

function container(job: Job, group: TaskGroup, task: Task, index: number, probeFor: (task: string) => V1Container['readinessProbe']): V1Container {
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
  const build = (t: Task) => container(job, group, t, index, probeFor);
  const prestart = group.tasks.filter((t) => t.lifecycle?.hook === 'prestart');
  const main = group.tasks.filter((t) => t.lifecycle?.hook !== 'prestart');
  // Prestart sidecars become native sidecars: init containers that keep running.
  const initContainers = prestart.map((t) => ({ ...build(t), ...(t.lifecycle?.sidecar ? { restartPolicy: 'Always' } : {}) }));
  const longestStop = Math.max(...group.tasks.map((t) => t.killTimeout + (t.shutdownDelay || group.shutdownDelay)));
  const batch = job.type === 'batch' || job.type === 'sysbatch';
  const k8s = group.kubernetes;
  const affinity = podAffinity({ datacenters: job.datacenters, constraints: [...job.constraints, ...group.constraints], affinities: [...job.affinities, ...group.affinities], groupSelector: selector });
  const spread = topologySpread([...job.spreads, ...group.spreads], selector);

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: allocationPodName(job.name, group.name, index, version, input.replacement),
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
      },
      ownerReferences: [{ apiVersion, kind: 'NomadJob', name: job.name, uid: input.jobUid, controller: true, blockOwnerDeletion: true }],
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
      ...(k8s.tolerations ? { tolerations: k8s.tolerations.map((t) => ({ ...t })) } : {}),
      ...(k8s.serviceAccountName ? { serviceAccountName: k8s.serviceAccountName } : {}),
      ...(k8s.priorityClassName ? { priorityClassName: k8s.priorityClassName } : {}),
      enableServiceLinks: false,
    },
  };
}
