import type { V1Probe } from '@kubernetes/client-node';
import type { Check, Service, TaskGroup } from './job.ts';
import { portNumber } from './ports.ts';

/** A check and the service port it probes when it names none itself. */
export interface AssignedCheck {
  readonly check: Check;
  readonly servicePort: string | undefined;
}

/**
 * Which task's container runs each check: a task's own services' checks run in it; a group
 * service's check runs in the task named by the check, else in the task listening on its port,
 * else in the first main task.
 */
export function checksByTask(group: TaskGroup): Map<string, AssignedCheck[]> {
  const out = new Map<string, AssignedCheck[]>(group.tasks.map((t) => [t.name, []]));
  const mainTasks = group.tasks.filter((t) => !t.lifecycle);
  const add = (task: string, service: Service, check: Check) => out.get(task)?.push({ check, servicePort: service.port });
  for (const task of group.tasks) for (const service of task.services) for (const check of service.checks) add(task.name, service, check);
  for (const service of group.services) {
    for (const check of service.checks) {
      const port = check.port ?? service.port;
      const listener = group.tasks.find((t) => port !== undefined && (t.config.ports ?? []).includes(port));
      const task = check.task ?? listener?.name ?? mainTasks[0]?.name ?? group.tasks[0]?.name;
      if (task) add(task, service, check);
    }
  }
  return out;
}

/** A named port label or a number, as a probe port (gRPC probes need the number). */
function probePort(group: TaskGroup, label: string | undefined): number | string | undefined {
  if (label === undefined) return undefined;
  if (/^\d+$/.test(label)) return Number(label);
  const port = group.networks.flatMap((n) => n.ports ?? []).find((p) => p.label === label);
  return port ? portNumber(port) : undefined;
}

/**
 * A Nomad check as a readiness probe. One failure counts: Nomad treats a failing check as failing
 * at once, and with health_check "checks" every check must pass for the allocation to be healthy.
 */
export function readinessProbe(group: TaskGroup, { check, servicePort }: AssignedCheck): V1Probe | undefined {
  const timing = {
    periodSeconds: Math.max(1, Math.round(check.interval / 1000)),
    timeoutSeconds: Math.max(1, Math.round(check.timeout / 1000)),
    failureThreshold: 1,
    successThreshold: 1,
  };
  const port = probePort(group, check.port ?? servicePort);
  switch (check.type) {
    case 'http':
      return port === undefined ? undefined : { ...timing, httpGet: { path: check.path ?? '/', port, scheme: check.protocol === 'https' ? 'HTTPS' : 'HTTP' } };
    case 'tcp':
      return port === undefined ? undefined : { ...timing, tcpSocket: { port } };
    case 'grpc':
      return typeof port !== 'number' ? undefined : { ...timing, grpc: { port, ...(check.grpcService ? { service: check.grpcService } : {}) } };
    case 'script':
      return check.command ? { ...timing, exec: { command: [check.command, ...check.args] } } : undefined;
  }
}
