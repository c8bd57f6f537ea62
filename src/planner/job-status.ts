import type { JobType } from '../model/nomad-job-spec.ts';

export type JobStatus = 'pending' | 'running' | 'dead';

export interface JobStatusInput {
  readonly type: JobType;
  readonly stop: boolean;
  readonly periodicOrParameterized: boolean;
  readonly activeDeployment: boolean;
  readonly liveAllocations: number;
  /** Any allocation ever existed for this job (Nomad asks whether evaluations exist). */
  readonly everPlaced: boolean;
}

/** Nomad's getJobStatus (§1.1), with Caravan's reconciles standing in for evaluations. */
export function jobStatus(input: JobStatusInput): JobStatus {
  if (input.type === 'system' || input.periodicOrParameterized) return input.stop ? 'dead' : 'running';
  if (input.activeDeployment) return 'running';
  if (input.liveAllocations > 0) return 'running';
  if (input.stop || input.everPlaced) return 'dead';
  return 'pending';
}
