/**
 * The labels and annotations Caravan puts on the objects it owns (all under caravan.dev/, but
 * for Kubernetes' own managed-by label): one home for every key, because the job label and the
 * managed-by label go on Pods, NomadDeployments and ControllerRevisions alike.
 */
export const labels = {
  job: 'caravan.dev/job',
  taskGroup: 'caravan.dev/task-group',
  jobVersion: 'caravan.dev/job-version',
  allocIndex: 'caravan.dev/alloc-index',
  canary: 'caravan.dev/canary',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** The label selector of the Pods Caravan runs; with a job's name, of that job's. */
export function caravanPodSelector(job?: string): string {
  return `${labels.managedBy}=caravan${job === undefined ? '' : `,${labels.job}=${job}`}`;
}

/** On allocation Pods, and one (evaluateRequested) on the NomadJob. */
export const annotations = {
  /** Nomad's allocation name, `<job>.<group>[<index>]`. */
  allocName: 'caravan.dev/alloc-name',
  /** The NomadDeployment (`<job>-v<version>`) the allocation belongs to. */
  deployment: 'caravan.dev/deployment',
  /** Deployment health recorded for it: `healthy|unhealthy@<RFC 3339>`, written once per deployment. */
  deploymentHealth: 'caravan.dev/deployment-health',
  /** Manual allocation health, set by users or the HTTP API: healthy | unhealthy. */
  health: 'caravan.dev/health',
  /** Reschedule history carried from a failed allocation to its replacement (JSON). */
  rescheduleEvents: 'caravan.dev/reschedule-events',
  /** System and sysbatch allocations: the Node the Pod is pinned to (its required node affinity on metadata.name). */
  node: 'caravan.dev/node',
  /** On a NomadJob: a forced evaluation (`/v1/job/:id/evaluate`) was asked for at this time. */
  evaluateRequested: 'caravan.dev/evaluate-requested',
} as const;

/** On the ControllerRevision that keeps a job version. */
export const versionAnnotations = {
  stable: 'caravan.dev/stable',
  submitTime: 'caravan.dev/submit-time',
  revertedFrom: 'caravan.dev/reverted-from',
  /**
   * The revision's resourceVersion as it was recorded, kept when it is first patched (marked
   * stable): Nomad's JobModifyIndex of the version, which must not move when only its stability does.
   */
  recordedIndex: 'caravan.dev/recorded-index',
} as const;
