import type { Health } from './observed-allocation.ts';

/** What §2.6 needs to know about one group in one pass. */
export interface RollingInput {
  readonly count: number;
  /** 0 means no update strategy. */
  readonly maxParallel: number;
  readonly destructiveUpdates: number;
  readonly migrating: number;
  /** There is no current deployment: one is being created in this pass. */
  readonly newDeployment: boolean;
  /** The current deployment is paused or failed, or the group is canarying. */
  readonly halted: boolean;
  /** Deployment health of the live allocations of the current deployment (undefined: not yet known). */
  readonly deploymentAllocHealth: readonly (Health | undefined)[];
}

/**
 * How many allocations may be placed or replaced in this pass (Nomad's
 * computeUnderProvisionedBy): at most max_parallel of the deployment's allocations may be
 * not yet healthy at once, and one unhealthy allocation halts the roll-out. New placements
 * consume it before destructive updates.
 */
export function placementLimit(input: RollingInput): number {
  if (input.maxParallel === 0 || (input.destructiveUpdates === 0 && input.migrating === 0)) return input.count;
  // Nothing placed for a new deployment yet. One whose first status was lost to a crash after its
  // Pods were created has some: they count against max_parallel like any other.
  if (input.newDeployment && input.deploymentAllocHealth.length === 0) return input.maxParallel;
  if (input.halted) return 0;
  let limit = input.maxParallel;
  for (const health of input.deploymentAllocHealth) {
    if (health === 'unhealthy') return 0;
    if (health === undefined) limit--;
  }
  return Math.max(0, limit);
}
