import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { annotations, labels } from '../model/labels.ts';
import type { Health, ObservedAllocation, ObservedContainer, PodPhase } from '../planner/observed-allocation.ts';
import type { RescheduleEvent } from '../planner/reschedule.ts';

/** Reschedule history carried from a failed allocation to its replacement. */
export const rescheduleEventsAnnotation = 'caravan.dev/reschedule-events';

const time = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : new Date(value as string).getTime());

/** `healthy@<RFC 3339>` as the planner recorded it on the Pod. */
export function parseRecordedHealth(value: string | undefined): { health: Health; at: number } | undefined {
  const match = value?.match(/^(healthy|unhealthy)@(.+)$/);
  if (!match) return undefined;
  const at = new Date(match[2]!).getTime();
  return Number.isNaN(at) ? undefined : { health: match[1] as Health, at };
}

export function formatRecordedHealth(health: Health, at: number): string {
  return `${health}@${new Date(at).toISOString()}`;
}

function container(status: V1ContainerStatus, init: boolean): ObservedContainer {
  const running = time(status.state?.running?.startedAt);
  const terminated = status.state?.terminated;
  return {
    name: status.name,
    init,
    ready: status.ready,
    restartCount: status.restartCount,
    ...(running !== undefined ? { runningSince: running } : {}),
    ...(terminated ? { terminated: { exitCode: terminated.exitCode, at: time(terminated.finishedAt) ?? 0, ...(terminated.reason ? { reason: terminated.reason } : {}) } } : {}),
    ...(status.state?.waiting?.reason ? { waitingReason: status.state.waiting.reason } : {}),
  };
}

/** What the planner needs to know about an allocation's Pod; undefined for a Pod that is not one. */
export function observeAllocation(pod: V1Pod): ObservedAllocation | undefined {
  const l = pod.metadata?.labels ?? {};
  const a = pod.metadata?.annotations ?? {};
  const group = l[labels.taskGroup];
  const version = Number(l[labels.jobVersion]);
  const index = Number(l[labels.allocIndex]);
  if (!group || !Number.isInteger(version) || !Number.isInteger(index) || !pod.metadata?.name || !pod.metadata.uid) return undefined;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const readySince = ready?.status === 'True' ? time(ready.lastTransitionTime) : undefined;
  const startedAt = time(pod.status?.startTime);
  const recorded = parseRecordedHealth(a[annotations.deploymentHealth]);
  const manual = a[annotations.health];
  let rescheduleEvents: RescheduleEvent[] | undefined;
  try {
    rescheduleEvents = a[rescheduleEventsAnnotation] ? (JSON.parse(a[rescheduleEventsAnnotation]) as RescheduleEvent[]) : undefined;
  } catch {
    rescheduleEvents = undefined;
  }
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
    ...(readySince !== undefined ? { readySince } : {}),
    containers: [...(pod.status?.initContainerStatuses ?? []).map((s) => container(s, true)), ...(pod.status?.containerStatuses ?? []).map((s) => container(s, false))],
    ...(manual === 'healthy' || manual === 'unhealthy' ? { manualHealth: manual } : {}),
    ...(a[annotations.deployment] ? { deployment: a[annotations.deployment] } : {}),
    ...(recorded ? { recordedHealth: recorded } : {}),
    deleting: pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null,
    ...(rescheduleEvents ? { rescheduleEvents } : {}),
  };
}
