import type { HclValue } from './job-tree.ts';

/**
 * How the fields of Nomad's API structs (api.Job and what it holds) map to job-file names, so an
 * API job becomes the same tree as its HCL and one mapping serves both. Unknown keys are kept
 * under their API name and reported.
 */
export type FieldRule =
  /** A value; `unset` lists values Nomad's parser fills in by itself, which mean "not written". */
  | { readonly kind: 'attr'; readonly hcl: string; readonly unset?: readonly HclValue[] }
  /** Integer nanoseconds in the API, a Go duration string ("10s") in a job file. */
  | { readonly kind: 'duration'; readonly hcl: string }
  | { readonly kind: 'block'; readonly hcl: string; readonly shape: Shape }
  /** A list of blocks; `label` names the field that is the block's label in HCL (`group "cache"`). */
  | { readonly kind: 'blocks'; readonly hcl: string; readonly shape: Shape; readonly label?: string }
  /** A field Caravan refuses: kept (to be reported) only when it holds something. */
  | { readonly kind: 'refused'; readonly hcl: string }
  /** Server-side state (indexes, status, versions), not part of what the user wrote. */
  | { readonly kind: 'ignore' };

export interface Shape {
  /** Go structs of plain (non-pointer) fields print 0, false and "" for fields never set. */
  readonly zeroIsUnset: boolean;
  readonly fields: Readonly<Record<string, FieldRule>>;
  /** The fields the user wrote, when the server's stored form holds more than that. */
  readonly written?: (obj: Readonly<Record<string, HclValue>>) => Readonly<Record<string, HclValue>>;
}

const attr = (hcl: string, ...unset: HclValue[]): FieldRule => ({ kind: 'attr', hcl, unset });
const duration = (hcl: string): FieldRule => ({ kind: 'duration', hcl });
const block = (hcl: string, shape: Shape): FieldRule => ({ kind: 'block', hcl, shape });
const blocks = (hcl: string, shape: Shape, label?: string): FieldRule => ({ kind: 'blocks', hcl, shape, ...(label ? { label } : {}) });
const refused = (hcl: string): FieldRule => ({ kind: 'refused', hcl });
const ignore: FieldRule = { kind: 'ignore' };
const plain = (fields: Shape['fields']): Shape => ({ zeroIsUnset: true, fields });
const pointers = (fields: Shape['fields']): Shape => ({ zeroIsUnset: false, fields });

const constraint = plain({ LTarget: attr('attribute'), RTarget: attr('value'), Operand: attr('operator') });
const affinity = plain({ LTarget: attr('attribute'), RTarget: attr('value'), Operand: attr('operator'), Weight: attr('weight') });
const spread = plain({ Attribute: attr('attribute'), Weight: attr('weight'), SpreadTarget: blocks('target', plain({ Percent: attr('percent') }), 'Value') });

const update = pointers({
  Stagger: duration('stagger'),
  MaxParallel: attr('max_parallel'),
  HealthCheck: attr('health_check'),
  MinHealthyTime: duration('min_healthy_time'),
  HealthyDeadline: duration('healthy_deadline'),
  ProgressDeadline: duration('progress_deadline'),
  Canary: attr('canary'),
  AutoRevert: attr('auto_revert'),
  AutoPromote: attr('auto_promote'),
});
/**
 * The job-level update block. Nomad's server keeps only stagger and max_parallel of it (each
 * group carries its merged copy) and stores it as a Go value, so `nomad job inspect` prints the
 * other fields as zeros, with a health_check of "" that no user can write. In that form only a
 * max_parallel and a stagger above 0 are the job's; all zeros (a batch job's, say) is no block.
 */
const jobUpdate: Shape = {
  ...update,
  written: (obj) =>
    obj['HealthCheck'] === '' ? Object.fromEntries(Object.entries(obj).filter(([key, v]) => (key === 'MaxParallel' || key === 'Stagger') && v !== 0)) : obj,
};
const restart = pointers({
  Interval: duration('interval'),
  Attempts: attr('attempts'),
  Delay: duration('delay'),
  Mode: attr('mode'),
  RenderTemplates: refused('render_templates'),
});
const reschedule = pointers({
  Attempts: attr('attempts'),
  Interval: duration('interval'),
  Delay: duration('delay'),
  DelayFunction: attr('delay_function'),
  MaxDelay: duration('max_delay'),
  Unlimited: attr('unlimited'),
});
const periodic = pointers({
  Enabled: attr('enabled'),
  Spec: attr('cron', ''),
  Specs: attr('crons'),
  SpecType: attr('spec_type', 'cron'),
  ProhibitOverlap: attr('prohibit_overlap'),
  TimeZone: attr('time_zone', ''),
});
const parameterized = plain({ Payload: attr('payload'), MetaRequired: attr('meta_required'), MetaOptional: attr('meta_optional') });

const portFields = { To: attr('to'), HostNetwork: attr('host_network', 'default'), IgnoreCollision: refused('ignore_collision') };
const network = plain({
  Mode: attr('mode'),
  ReservedPorts: blocks('port', plain({ ...portFields, Value: attr('static') }), 'Label'),
  // A dynamic port's Value is the host port the scheduler picked, not something the user wrote.
  DynamicPorts: blocks('port', plain({ ...portFields, Value: ignore }), 'Label'),
  DNS: refused('dns'),
  Hostname: refused('hostname'),
  MBits: attr('mbits'),
  CNI: refused('cni'),
  Device: ignore,
  CIDR: ignore,
  IP: ignore,
});

const check = plain({
  Name: attr('name'),
  Type: attr('type'),
  Command: attr('command'),
  Args: attr('args'),
  Path: attr('path'),
  Protocol: attr('protocol'),
  PortLabel: attr('port'),
  Interval: duration('interval'),
  Timeout: duration('timeout'),
  Method: attr('method'),
  GRPCService: attr('grpc_service'),
  TaskName: attr('task'),
  OnUpdate: attr('on_update', 'require_healthy'),
  AddressMode: attr('address_mode', 'host'),
  Notes: attr('notes'),
  ...refusedAll({
    Expose: 'expose',
    Advertise: 'advertise',
    InitialStatus: 'initial_status',
    TLSServerName: 'tls_server_name',
    TLSSkipVerify: 'tls_skip_verify',
    Header: 'header',
    CheckRestart: 'check_restart',
    GRPCUseTLS: 'grpc_use_tls',
    SuccessBeforePassing: 'success_before_passing',
    FailuresBeforeCritical: 'failures_before_critical',
    FailuresBeforeWarning: 'failures_before_warning',
    Body: 'body',
  }),
});
const service = plain({
  Name: attr('name'),
  Tags: attr('tags'),
  PortLabel: attr('port'),
  Provider: attr('provider'),
  Checks: blocks('check', check),
  AddressMode: attr('address_mode', 'auto'),
  OnUpdate: attr('on_update', 'require_healthy'),
  Cluster: attr('cluster', 'default'),
  TaskName: attr('task'),
  CanaryTags: attr('canary_tags'),
  EnableTagOverride: attr('enable_tag_override'),
  Meta: attr('meta'),
  CanaryMeta: attr('canary_meta'),
  TaggedAddresses: attr('tagged_addresses'),
  Weights: block('weights', plain({ Passing: attr('passing'), Warning: attr('warning') })),
  // Nomad's server writes the service's namespace in (not a field of the Go client's Service).
  Namespace: ignore,
  ...refusedAll({ Address: 'address', CheckRestart: 'check_restart', Connect: 'connect', Identity: 'identity', Kind: 'kind' }),
});

const resources = pointers({
  CPU: attr('cpu'),
  Cores: attr('cores'),
  MemoryMB: attr('memory'),
  MemoryMaxMB: attr('memory_max'),
  Networks: blocks('network', network),
  IOPS: attr('iops'),
  NUMA: block('numa', plain({ Affinity: attr('affinity'), Devices: attr('devices') })),
  ...refusedAll({ DiskMB: 'disk', Devices: 'device', SecretsMB: 'secrets' }),
});

const consul = plain({ Namespace: attr('namespace'), Cluster: attr('cluster'), Partition: attr('partition') });
const migrate = pointers({
  MaxParallel: attr('max_parallel'),
  HealthCheck: attr('health_check'),
  MinHealthyTime: duration('min_healthy_time'),
  HealthyDeadline: duration('healthy_deadline'),
});
const identity = plain({
  Name: attr('name'),
  Audience: attr('aud'),
  ChangeMode: attr('change_mode'),
  ChangeSignal: attr('change_signal'),
  Env: attr('env'),
  File: attr('file'),
  Filepath: attr('filepath'),
  ServiceName: attr('service_name'),
  TTL: duration('ttl'),
  ExtraClaims: attr('extra_claims'),
});

const task = plain({
  Driver: attr('driver'),
  User: attr('user'),
  Lifecycle: block('lifecycle', plain({ Hook: attr('hook'), Sidecar: attr('sidecar') })),
  DispatchPayload: block('dispatch_payload', plain({ File: attr('file') })),
  Config: attr('config'),
  Constraints: blocks('constraint', constraint),
  Affinities: blocks('affinity', affinity),
  Env: attr('env'),
  Services: blocks('service', service),
  Resources: block('resources', resources),
  RestartPolicy: block('restart', restart),
  Meta: attr('meta'),
  KillTimeout: duration('kill_timeout'),
  Leader: attr('leader'),
  ShutdownDelay: duration('shutdown_delay'),
  KillSignal: attr('kill_signal'),
  LogConfig: block(
    'logs',
    pointers({ MaxFiles: attr('max_files'), MaxFileSizeMB: attr('max_file_size'), Enabled: attr('enabled'), Disabled: attr('disabled') }),
  ),
  Identity: block('identity', identity),
  Identities: blocks('identity', identity),
  Consul: block('consul', consul),
  ...refusedAll({
    Artifacts: 'artifact',
    Vault: 'vault',
    Templates: 'template',
    VolumeMounts: 'volume_mount',
    CSIPluginConfig: 'csi_plugin',
    Kind: 'kind',
    ScalingPolicies: 'scaling',
    Actions: 'action',
    Schedule: 'schedule',
    Secrets: 'secret',
  }),
});

const group = pointers({
  Count: attr('count'),
  Constraints: blocks('constraint', constraint),
  Affinities: blocks('affinity', affinity),
  Tasks: blocks('task', task, 'Name'),
  Spreads: blocks('spread', spread),
  RestartPolicy: block('restart', restart),
  ReschedulePolicy: block('reschedule', reschedule),
  EphemeralDisk: block('ephemeral_disk', pointers({ Sticky: attr('sticky'), Migrate: attr('migrate'), SizeMB: attr('size') })),
  Update: block('update', update),
  Networks: blocks('network', network),
  Meta: attr('meta'),
  Services: blocks('service', service),
  ShutdownDelay: duration('shutdown_delay'),
  Migrate: block('migrate', migrate),
  Consul: block('consul', consul),
  Disconnect: block(
    'disconnect',
    pointers({
      LostAfter: duration('lost_after'),
      StopOnClientAfter: duration('stop_on_client_after'),
      Replace: attr('replace'),
      Reconcile: attr('reconcile'),
    }),
  ),
  StopAfterClientDisconnect: duration('stop_after_client_disconnect'),
  MaxClientDisconnect: duration('max_client_disconnect'),
  PreventRescheduleOnLost: attr('prevent_reschedule_on_lost'),
  MaxRunDuration: duration('max_run_duration'),
  ...refusedAll({ Volumes: 'volume', Scaling: 'scaling' }),
});

export const jobShape = pointers({
  Name: attr('name'),
  Namespace: attr('namespace'),
  Region: attr('region'),
  Type: attr('type'),
  Priority: attr('priority'),
  Datacenters: attr('datacenters'),
  Constraints: blocks('constraint', constraint),
  Affinities: blocks('affinity', affinity),
  Spreads: blocks('spread', spread),
  TaskGroups: blocks('group', group, 'Name'),
  Update: block('update', jobUpdate),
  Periodic: block('periodic', periodic),
  ParameterizedJob: block('parameterized', parameterized),
  Reschedule: block('reschedule', reschedule),
  Meta: attr('meta'),
  Stop: attr('stop', false),
  NodePool: attr('node_pool', 'default'),
  Migrate: block('migrate', migrate),
  AllAtOnce: attr('all_at_once'),
  UI: attr('ui'),
  // Servers before Nomad 1.10 print the tokens, always empty: Nomad clears them before it stores a job.
  ConsulToken: attr('consul_token'),
  VaultToken: attr('vault_token'),
  ConsulNamespace: attr('consul_namespace'),
  VaultNamespace: attr('vault_namespace'),
  ...refusedAll({ Multiregion: 'multiregion', Vault: 'vault', Consul: 'consul' }),
  ...Object.fromEntries(
    [
      'ParentID',
      'Dispatched',
      'DispatchIdempotencyToken',
      'Payload',
      'NomadTokenID',
      'Status',
      'StatusDescription',
      'Stable',
      'Version',
      'SubmitTime',
      'CreateIndex',
      'ModifyIndex',
      'JobModifyIndex',
      'VersionTag',
    ].map((key) => [key, ignore]),
  ),
});

function refusedAll(names: Readonly<Record<string, string>>): Record<string, FieldRule> {
  return Object.fromEntries(Object.entries(names).map(([key, hcl]) => [key, refused(hcl)]));
}
