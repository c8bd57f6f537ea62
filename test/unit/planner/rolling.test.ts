import { describe, expect, it } from 'vitest';
import { canaryIndexes } from '../../../src/planner/canary-names.ts';
import { placementLimit, type RollingInput } from '../../../src/planner/rolling.ts';

const base: RollingInput = { count: 10, maxParallel: 2, destructiveUpdates: 10, migrating: 0, newDeployment: false, halted: false, deploymentAllocHealth: [] };

describe('the rolling budget, max_parallel (Nomad §2.6)', () => {
  it.each<[string, Partial<RollingInput>, number]>([
    ['no strategy (max_parallel 0): everything at once (§4 case 10)', { maxParallel: 0 }, 10],
    ['nothing destructive: placements are not limited', { destructiveUpdates: 0 }, 10],
    ['the deployment is created in this pass: max_parallel (§4 case 21)', { newDeployment: true }, 2],
    ['paused, failed or canarying: nothing', { halted: true }, 0],
    ['two healthy allocations of the deployment: both slots free', { deploymentAllocHealth: ['healthy', 'healthy'] }, 2],
    ['one not yet healthy: one slot', { deploymentAllocHealth: ['healthy', undefined] }, 1],
    ['two not yet healthy: none', { deploymentAllocHealth: [undefined, undefined] }, 0],
    ['one unhealthy halts the roll-out (§4 case 22)', { deploymentAllocHealth: ['unhealthy', 'healthy'] }, 0],
  ])('%s → %d', (_rule, input, limit) => expect(placementLimit({ ...base, ...input })).toBe(limit));
});

describe('canary names (Nomad §2.3 rule 3)', () => {
  it.each<[string, number, number, number[], number[], number[], number[]]>([
    ['canary 2, count 5: the lowest indexes being updated (§4 case 13)', 2, 5, [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [], [0, 1]],
    ['indexes a canary already has are skipped', 2, 5, [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [0], [1, 2]],
    ['canary 7 > count 3: names beyond the count (§4 case 15)', 7, 3, [0, 1, 2], [0, 1, 2], [], [0, 1, 2, 3, 4, 5, 6]],
    ['free indexes below count before indexes past it', 3, 4, [2], [0, 2, 3], [], [2, 1, 4]],
  ])('%s', (_rule, wanted, count, destructive, used, canaries, expected) => {
    expect(canaryIndexes(wanted, count, destructive, new Set(used), new Set(canaries))).toEqual(expected);
  });
});
