import { descriptions, isActive } from '../deployment.ts';
import { jobStatus } from '../job-status.ts';
import { jobSummary } from '../job-summary.ts';
import type { Plan } from '../plan-types.ts';
import type { Pass } from './context.ts';

/** The plan a pass ends with: its decisions, the job status and summary, and when to look again. */
export function finish(pass: Pass, decided: Pick<Plan, 'place' | 'stop' | 'inPlace'> & { readonly markStable?: number }): Plan {
  const { o, job, live, now } = pass;
  const deployment = pass.current;
  const running = live.filter((a) => a.phase !== 'Succeeded' && a.phase !== 'Failed');
  const stopping = new Set(decided.stop.map((s) => s.podName));
  const status = jobStatus({
    type: job.type,
    stop: o.job.stop,
    periodicOrParameterized: job.periodic !== undefined || job.parameterized !== undefined,
    activeDeployment: deployment !== undefined && isActive(deployment.status),
    // Nomad counts allocations that are not terminal: a Pod that completed or failed is not live.
    liveAllocations: running.filter((a) => !stopping.has(a.podName)).length + decided.place.length,
    everPlaced: o.allocations.length > 0,
  });
  const later = pass.requeue.filter((t) => t > now);
  const groups = [...new Set([...job.taskGroups.map((g) => g.name), ...live.map((a) => a.group)])];
  return {
    place: decided.place,
    stop: decided.stop,
    inPlace: decided.inPlace,
    health: pass.health,
    events: pass.events,
    jobStatus: status,
    summary: jobSummary(groups, o.allocations, o.lostNodes ?? new Set()),
    ...(pass.cancelled ? { cancelled: pass.cancelled } : {}),
    ...(deployment ? { deployment } : {}),
    ...(decided.markStable !== undefined ? { markStable: decided.markStable } : {}),
    ...(pass.revertTo && decided.markStable === undefined ? { revertTo: pass.revertTo } : {}),
    ...(pass.intentError ? { intentError: pass.intentError } : {}),
    ...(later.length > 0 ? { requeueAt: Math.min(...later) } : {}),
    ...(pass.failure?.base === descriptions.progressDeadline ? { missedDeadline: true as const } : {}),
  };
}
