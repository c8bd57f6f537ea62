import type { V1EnvVar } from '@kubernetes/client-node';
import { allocationName } from './allocation-name.ts';
import { combinedMeta } from './group-change.ts';
import type { Job, Task, TaskGroup } from './job.ts';
import { portNumber } from './ports.ts';

/** Environment variable names Kubernetes accepts everywhere: Nomad keys are sanitised to them. */
function envKey(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}

export interface TaskEnvInput {
  readonly job: Job;
  readonly group: TaskGroup;
  readonly task: Task;
  readonly index: number;
}

/**
 * Nomad's task environment, as far as a Pod can carry it. The allocation ID is the Pod UID
 * (downward API). NOMAD_DC is set only when the job's datacenters name exactly one, because
 * the downward API cannot read node labels. The task's own env comes last and wins, as in Nomad.
 */
export function taskEnv({ job, group, task, index }: TaskEnvInput): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'NOMAD_ALLOC_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
    { name: 'NOMAD_ALLOC_INDEX', value: String(index) },
    { name: 'NOMAD_ALLOC_NAME', value: allocationName(job.name, group.name, index) },
    { name: 'NOMAD_JOB_ID', value: job.name },
    { name: 'NOMAD_JOB_NAME', value: job.name },
    { name: 'NOMAD_GROUP_NAME', value: group.name },
    { name: 'NOMAD_TASK_NAME', value: task.name },
    { name: 'NOMAD_NAMESPACE', value: job.namespace },
    { name: 'NOMAD_REGION', value: job.region },
    { name: 'NOMAD_CPU_LIMIT', value: String(task.resources.cpu) },
    { name: 'NOMAD_MEMORY_LIMIT', value: String(task.resources.memoryMB) },
  ];
  if (task.resources.memoryMaxMB > 0) env.push({ name: 'NOMAD_MEMORY_MAX_LIMIT', value: String(task.resources.memoryMaxMB) });
  const datacenters = job.datacenters.filter((dc) => dc !== '*');
  if (datacenters.length === 1 && job.datacenters.length === 1) env.push({ name: 'NOMAD_DC', value: datacenters[0]! });

  const ports = group.networks.flatMap((n) => n.ports ?? []);
  if (ports.length > 0)
    env.push(
      { name: 'NOMAD_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NOMAD_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    );
  for (const port of ports) {
    const number = portNumber(port);
    if (number === undefined) continue;
    const label = envKey(port.label);
    env.push(
      { name: `NOMAD_PORT_${label}`, value: String(number) },
      { name: `NOMAD_IP_${label}`, value: '$(NOMAD_POD_IP)' },
      { name: `NOMAD_ADDR_${label}`, value: `$(NOMAD_POD_IP):${number}` },
    );
  }

  const meta = combinedMeta(job, group, task);
  const seen = new Set(env.map((e) => e.name));
  for (const [key, value] of Object.entries(meta)) {
    for (const name of [`NOMAD_META_${envKey(key)}`, `NOMAD_META_${envKey(key).toUpperCase()}`]) {
      if (seen.has(name)) continue;
      env.push({ name, value });
      seen.add(name);
    }
  }
  for (const [name, value] of Object.entries(task.env)) {
    const existing = env.findIndex((e) => e.name === name);
    if (existing >= 0) env.splice(existing, 1);
    env.push({ name, value });
  }
  return env;
}
