/** Bodies of Caravan's own writes, shared by the benchmarks that send them without a controller. */
import type { NomadJobStatus } from '../src/resources/nomad-job.ts';

/** When the bodies below say things happened: a fixed time, so every run writes the same bytes. */
export const settledAt = '2026-12-07T14:03:45.000Z';
const at = settledAt;
/** A settled 2-allocation job's status, as the controller writes it once its deployment succeeded. */
export const settledJobStatus: NomadJobStatus = {
  observedGeneration: 1,
  status: 'running',
  version: 0,
  runningVersion: 0,
  stableVersion: 0,
  desired: 2,
  running: 2,
  summary: { app: { queued: 0, complete: 0, failed: 0, running: 2, starting: 0, lost: 0 } },
  latestDeployment: { name: 'd', jobVersion: 0, status: 'successful', statusDescription: 'Deployment completed successfully' },
  conditions: [
    { type: 'Ready', status: 'True', reason: 'AllocationsRunning', message: '2/2 allocations running', observedGeneration: 1, lastTransitionTime: at },
    {
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: 'd: Deployment completed successfully',
      observedGeneration: 1,
      lastTransitionTime: at,
    },
    { type: 'Reconciling', status: 'False', reason: 'Reconciled', message: '', observedGeneration: 1, lastTransitionTime: at },
    { type: 'Stalled', status: 'False', reason: 'NotStalled', message: '', observedGeneration: 1, lastTransitionTime: at },
  ],
};
