import { specChanged } from '../../model/spec-change.ts';
import { deploymentName } from '../deployment.ts';
import { reconcileGroup } from '../group-reconcile.ts';
import { healthOf, type Pass } from './context.ts';

/** The scheduler's part (§2.1 step 4): each task group of the target, and each group only allocations still have. */
export function scheduleGroups(pass: Pass): void {
  const { o, job, version, live } = pass;
  const current = pass.current;
  const name = current?.name ?? deploymentName(o.job.name, version);
  // Beyond Nomad (its #10882): a spec already proven stable is not canaried again.
  const provenStable = o.target.stable || o.history.some((v) => v.stable && v.version !== version && !specChanged(v.spec, o.target.spec));
  // Nomad's old deployment, and any before it: whether their canaries were promoted.
  const latest = o.deployment;
  const otherDeployments = [...(latest && latest.name !== name ? [latest] : []), ...(o.earlier ?? [])];
  const groupNames = [...new Set([...job.taskGroups.map((g) => g.name), ...live.map((a) => a.group)])];
  for (const groupName of groupNames) {
    const outcome = reconcileGroup({
      job,
      version,
      group: job.taskGroups.find((g) => g.name === groupName),
      name: groupName,
      allocs: live.filter((a) => a.group === groupName),
      jobs: o.jobs,
      deploymentName: name,
      state: current?.groups[groupName],
      otherDeployments,
      paused: current?.status === 'paused',
      failed: current?.status === 'failed',
      provenStable,
      healthOf: (a) => healthOf(pass, a),
      lostNodes: o.lostNodes ?? new Set(),
      now: pass.now,
    });
    pass.outcomes.set(groupName, outcome);
    if (outcome.requeueAt !== undefined) pass.requeue.push(outcome.requeueAt);
  }
}
