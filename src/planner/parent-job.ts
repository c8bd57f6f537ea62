import type { Job } from '../model/job.ts';

/**
 * A periodic or parameterized job is a parent (spec §0.1): registering it creates no evaluation
 * and no allocations; it launches or is dispatched into children. A dispatched child carries
 * neither block (Caravan drops `parameterized` from it), so it is no parent.
 */
export function isParentJob(job: Pick<Job, 'periodic' | 'parameterized'>): boolean {
  return job.periodic !== undefined || job.parameterized !== undefined;
}
