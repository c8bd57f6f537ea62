/** Labels and annotations Caravan puts on the objects it owns (all under caravan.dev/). */
export const labels = {
  job: 'caravan.dev/job',
  taskGroup: 'caravan.dev/task-group',
  jobVersion: 'caravan.dev/job-version',
  allocIndex: 'caravan.dev/alloc-index',
  canary: 'caravan.dev/canary',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const annotations = {
  /** Nomad's allocation name, `<job>.<group>[<index>]`. */
  allocName: 'caravan.dev/alloc-name',
  /** The NomadDeployment (`<job>-v<version>`) the allocation belongs to. */
  deployment: 'caravan.dev/deployment',
  /** Deployment health recorded for it: `healthy|unhealthy@<RFC 3339>`, written once per deployment. */
  deploymentHealth: 'caravan.dev/deployment-health',
  /** Manual allocation health, set by users or the HTTP API: healthy | unhealthy. */
  health: 'caravan.dev/health',
} as const;

/** Nomad's allocation name. */
export function allocationName(job: string, group: string, index: number): string {
  return `${job}.${group}[${index}]`;
}
