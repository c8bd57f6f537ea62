import { specChanged } from '../../model/spec-change.ts';
import { deploymentName, placedBefore } from '../deployment.ts';
import { reconcileGroup, type GroupInput } from '../group-reconcile.ts';
import { reconcileNodeGroup } from '../system-reconcile.ts';
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
  const perNode = job.type === 'system' || job.type === 'sysbatch' ? job.type : undefined;
  // Sysbatch runs on the nodes there when the version was submitted, or when the job was last evaluated by force (§4 rule 5).
  const runOnNodesSince = Math.max(Date.parse(o.target.submitTime) || 0, o.evaluatedAt ?? 0);
  // A crash can lose a new deployment's first status, or its object, after Pods were placed for
  // it; a finished deployment of that name is not taken on again.
  const unfinished = current !== undefined || latest?.name !== name;
  for (const groupName of groupNames) {
    const allocs = live.filter((a) => a.group === groupName);
    const state = current?.groups[groupName];
    const input: GroupInput = {
      job,
      version,
      group: job.taskGroups.find((g) => g.name === groupName),
      name: groupName,
      allocs,
      jobs: o.jobs,
      deploymentName: name,
      state,
      placedUnrecorded: state === undefined && unfinished ? placedBefore(allocs, name) : 0,
      otherDeployments,
      paused: current?.status === 'paused',
      failed: current?.status === 'failed',
      provenStable,
      healthOf: (a) => healthOf(pass, a),
      lostNodes: o.lostNodes ?? new Set<string>(),
      now: pass.now,
    };
    const outcome = perNode ? reconcileNodeGroup({ ...input, type: perNode, nodes: o.nodes ?? [], runOnNodesSince }) : reconcileGroup(input);
    pass.outcomes.set(groupName, outcome);
    if (outcome.requeueAt !== undefined) pass.requeue.push(outcome.requeueAt);
  }
}
