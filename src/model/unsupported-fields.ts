/**
 * Nomad job fields Caravan cannot honour, and why. They are refused by name (by the CRD's CEL
 * rules and by validateNomadJobSpec) rather than dropped, so a migrated job never silently
 * loses behaviour.
 */
export const unsupportedJobFields: Readonly<Record<string, string>> = {
  multiregion: 'one Caravan runs per cluster; deploy the job to each region’s cluster instead',
  vault: 'Vault integration is not available; mount secrets from Kubernetes Secrets',
  consul: 'Consul integration is not available; services become Kubernetes probes',
  nodePool: 'node pools are not available; use constraints on node labels',
  allAtOnce: 'placements are made by kube-scheduler; all_at_once has no meaning here',
  namespace: 'the job’s Nomad namespace is its Kubernetes namespace (metadata.namespace)',
  id: 'the job ID is metadata.name',
  ui: 'the job UI block is not available',
};

export const unsupportedGroupFields: Readonly<Record<string, string>> = {
  volumes: 'host and CSI volumes are not available yet',
  consul: 'Consul integration is not available; services become Kubernetes probes',
  migrate: 'node drains are handled by Kubernetes (PodDisruptionBudgets), not a migrate block',
  disconnect: 'client disconnect handling is Kubernetes’ node lifecycle',
  scaling: 'autoscaling policies are not available',
  stopAfterClientDisconnect: 'client disconnect handling is Kubernetes’ node lifecycle',
  maxClientDisconnect: 'client disconnect handling is Kubernetes’ node lifecycle',
  preventRescheduleOnLost: 'client disconnect handling is Kubernetes’ node lifecycle',
  maxRunDuration: 'max_run_duration is not available yet',
};

export const unsupportedTaskFields: Readonly<Record<string, string>> = {
  artifacts: 'artifacts are not downloaded; build them into the image or use an init task',
  vault: 'Vault integration is not available; mount secrets from Kubernetes Secrets',
  templates: 'templates are not rendered; use a ConfigMap or an init task',
  volumeMounts: 'volumes are not available yet',
  csiPluginConfig: 'CSI plugins are not run as tasks',
  identity: 'workload identities are not available; use the Pod’s service account',
  identities: 'workload identities are not available; use the Pod’s service account',
  dispatchPayload: 'dispatch payloads are not available yet',
  logs: 'logs are kept by Kubernetes; the logs block has no effect',
  consul: 'Consul integration is not available',
  secrets: 'Nomad secrets are not available; mount Kubernetes Secrets',
  actions: 'task actions are not available',
  schedule: 'task schedules are not available',
  scaling: 'autoscaling policies are not available',
  kind: 'Consul Connect tasks are not available',
};

export function unsupportedFieldMessage(field: string, reason: string): string {
  return `${field} is not supported by Caravan: ${reason}`;
}
