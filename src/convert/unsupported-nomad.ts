import { unsupportedGroupFields as group, unsupportedJobFields as job, unsupportedTaskFields as task } from '../model/unsupported-fields.ts';

/**
 * Why Caravan leaves out a Nomad job-file field, by the block it is written in and its HCL name.
 * The reasons of fields the NomadJob spec refuses by name come from the model, so `caravan
 * convert` and the API server say the same thing.
 */

const consulCatalog = 'Caravan has no service catalog: services become Kubernetes probes, which have no equivalent';
const probes = 'checks run as Kubernetes probes, which have no equivalent';
const podNetwork = 'Pods use the cluster network; only ports, their `to` and `static` and the mode carry over';
const dynamic = 'dynamic blocks are not expanded by caravan convert: write out the blocks it generates';

export const jobReasons: Readonly<Record<string, string>> = {
  multiregion: job.multiregion!.reason,
  vault: job.vault!.reason,
  consul: job.consul!.reason,
  node_pool: job.nodePool!.reason,
  name: 'a job’s name is its ID, which becomes metadata.name',
  task: 'tasks belong in a group',
  dynamic,
};

export const groupReasons: Readonly<Record<string, string>> = {
  volume: group.volumes!.reason,
  consul: group.consul!.reason,
  disconnect: group.disconnect!.reason,
  scaling: group.scaling!.reason,
  max_run_duration: group.maxRunDuration!.reason,
  vault: task.vault!.reason,
  dynamic,
};

export const taskReasons: Readonly<Record<string, string>> = {
  artifact: task.artifacts!.reason,
  vault: task.vault!.reason,
  template: task.templates!.reason,
  volume_mount: task.volumeMounts!.reason,
  csi_plugin: task.csiPluginConfig!.reason,
  identity: task.identity!.reason,
  consul: task.consul!.reason,
  secret: task.secrets!.reason,
  action: task.actions!.reason,
  schedule: task.schedule!.reason,
  scaling: task.scaling!.reason,
  kind: task.kind!.reason,
  dynamic,
};

export const serviceReasons: Readonly<Record<string, string>> = {
  connect: 'Consul Connect (service mesh) is not available',
  identity: task.identity!.reason,
  check_restart: 'restarting a task when its checks fail is not available',
  ...Object.fromEntries(['address', 'address_mode', 'on_update', 'cluster', 'kind', 'task'].map((name) => [name, consulCatalog])),
  dynamic,
};

export const checkReasons: Readonly<Record<string, string>> = {
  check_restart: serviceReasons['check_restart']!,
  ...Object.fromEntries(
    [
      'header',
      'expose',
      'initial_status',
      'success_before_passing',
      'failures_before_critical',
      'failures_before_warning',
      'on_update',
      'tls_skip_verify',
      'tls_server_name',
      'grpc_use_tls',
      'address_mode',
      'advertise',
      'body',
    ].map((name) => [name, probes]),
  ),
};

export const networkReasons: Readonly<Record<string, string>> = {
  dns: 'DNS settings are not available; Pods use the cluster’s DNS',
  hostname: 'Pods get their host names from Kubernetes',
  cni: 'CNI networking is the cluster’s',
  dynamic,
};

export const portReasons: Readonly<Record<string, string>> = {
  host_network: podNetwork,
  ignore_collision: podNetwork,
};

export const resourceReasons: Readonly<Record<string, string>> = {
  device: 'devices (GPUs) are not available yet',
  disk: 'use the group’s ephemeral_disk block',
  numa: 'NUMA placement is not available',
  secrets: task.secrets!.reason,
};

export const restartReasons: Readonly<Record<string, string>> = {
  render_templates: task.templates!.reason,
};

export const noReasons: Readonly<Record<string, string>> = {};
