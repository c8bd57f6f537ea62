/**
 * Nomad job fields Caravan cannot honour, and why. They are refused by name (by the CRD's CEL
 * rules and by validateNomadJobSpec) rather than dropped, so a migrated job never silently
 * loses behaviour.
 */
/** Why a field is refused, and its JSON shape in a Nomad job (so the CRD can declare it). */
export interface UnsupportedField {
  readonly shape: 'object' | 'array' | 'string' | 'boolean';
  readonly reason: string;
}

export const unsupportedJobFields: Readonly<Record<string, UnsupportedField>> = {
  multiregion: { shape: 'object', reason: 'one Caravan runs per cluster; deploy the job to each region’s cluster instead' },
  vault: { shape: 'object', reason: 'Vault integration is not available; mount secrets from Kubernetes Secrets' },
  consul: { shape: 'object', reason: 'Consul integration is not available; services become Kubernetes probes' },
  nodePool: { shape: 'string', reason: 'node pools are not available; use constraints on node labels' },
  allAtOnce: { shape: 'boolean', reason: 'placements are made by kube-scheduler; all_at_once has no meaning here' },
  namespace: { shape: 'string', reason: 'the job’s Nomad namespace is its Kubernetes namespace (metadata.namespace)' },
  id: { shape: 'string', reason: 'the job ID is metadata.name' },
  ui: { shape: 'object', reason: 'the job UI block is not available' },
};

export const unsupportedGroupFields: Readonly<Record<string, UnsupportedField>> = {
  volumes: { shape: 'object', reason: 'host and CSI volumes are not available yet' },
  consul: { shape: 'object', reason: 'Consul integration is not available; services become Kubernetes probes' },
  migrate: { shape: 'object', reason: 'node drains are handled by Kubernetes (PodDisruptionBudgets), not a migrate block' },
  disconnect: { shape: 'object', reason: 'client disconnect handling is Kubernetes’ node lifecycle' },
  scaling: { shape: 'object', reason: 'autoscaling policies are not available' },
  stopAfterClientDisconnect: { shape: 'string', reason: 'client disconnect handling is Kubernetes’ node lifecycle' },
  maxClientDisconnect: { shape: 'string', reason: 'client disconnect handling is Kubernetes’ node lifecycle' },
  preventRescheduleOnLost: { shape: 'boolean', reason: 'client disconnect handling is Kubernetes’ node lifecycle' },
  maxRunDuration: { shape: 'string', reason: 'max_run_duration is not available yet' },
};

export const unsupportedTaskFields: Readonly<Record<string, UnsupportedField>> = {
  artifacts: { shape: 'array', reason: 'artifacts are not downloaded; build them into the image or use an init task' },
  vault: { shape: 'object', reason: 'Vault integration is not available; mount secrets from Kubernetes Secrets' },
  templates: { shape: 'array', reason: 'templates are not rendered; use a ConfigMap or an init task' },
  volumeMounts: { shape: 'array', reason: 'volumes are not available yet' },
  csiPluginConfig: { shape: 'object', reason: 'CSI plugins are not run as tasks' },
  identity: { shape: 'object', reason: 'workload identities are not available; use the Pod’s service account' },
  identities: { shape: 'array', reason: 'workload identities are not available; use the Pod’s service account' },
  logs: { shape: 'object', reason: 'logs are kept by Kubernetes; the logs block has no effect' },
  consul: { shape: 'object', reason: 'Consul integration is not available' },
  secrets: { shape: 'array', reason: 'Nomad secrets are not available; mount Kubernetes Secrets' },
  actions: { shape: 'array', reason: 'task actions are not available' },
  schedule: { shape: 'object', reason: 'task schedules are not available' },
  scaling: { shape: 'array', reason: 'autoscaling policies are not available' },
  kind: { shape: 'string', reason: 'Consul Connect tasks are not available' },
};

export function unsupportedFieldMessage(field: string, reason: string): string {
  return `${field} is not supported by Caravan: ${reason}`;
}
