import type { Deployment, DeploymentGroupState } from '../../../src/planner/deployment.ts';

export const min = 60_000;

export function groupState(g: Partial<DeploymentGroupState> = {}): DeploymentGroupState {
  return {
    autoRevert: false,
    autoPromote: false,
    progressDeadline: 10 * min,
    promoted: false,
    placedCanaries: [],
    desiredCanaries: 0,
    desiredTotal: 4,
    placedAllocs: 0,
    healthyAllocs: 0,
    unhealthyAllocs: 0,
    ...g,
  };
}

export function deployment(groups: Record<string, DeploymentGroupState>, d: Partial<Deployment> = {}): Deployment {
  return { name: 'web-v1', id: 'd1', jobVersion: 1, status: 'running', statusDescription: 'Deployment is running', groups, createdAt: 0, ...d };
}
