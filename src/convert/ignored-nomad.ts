import { parseDuration } from '../model/duration.ts';
import { unsupportedGroupFields as group, unsupportedJobFields as job, unsupportedTaskFields as task } from '../model/unsupported-fields.ts';
import type { AcceptedField, AcceptedFields } from './block-reader.ts';
import { isObject, type HclValue } from './job-tree.ts';

/**
 * The Nomad fields Caravan takes without putting them in the manifest, by the block they are
 * written in and their HCL name (issue 11 §4: Nomad's own JSON is accepted). Nomad's server
 * fills many of them in by itself, so `nomad job inspect` prints them for every job: at that
 * default they are left out without a word. A field that does nothing on Kubernetes is left out
 * with a warning whatever its value. Any other value of the rest is refused by name, as before,
 * because dropping it would change how the job runs.
 */

/** Whether two values are the same, with durations compared by length ("1m" is "60s"). */
function same(a: HclValue, b: HclValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    const [da, db] = [parseDuration(a), parseDuration(b)];
    if (da !== undefined && db !== undefined) return da === db;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => same(item as HclValue, b[i] as HclValue));
  if (isObject(a) && isObject(b)) return Object.keys({ ...a, ...b }).every((k) => same(a[k] ?? null, b[k] ?? null));
  return a === b;
}

/** An attribute at one of these values is Nomad's default. */
const oneOf =
  (...defaults: HclValue[]) =>
  (value: HclValue) =>
    value === null || defaults.some((d) => same(value, d));

/**
 * A block is Nomad's default when each field it has holds the default given here (a field it
 * leaves out gets that default anyway). `null` in `defaults` means "unset": null, "", 0, false or empty.
 */
const blockOf = (defaults: Readonly<Record<string, HclValue>>) => (value: HclValue) =>
  isObject(value) &&
  Object.entries(value).every(([key, v]) => Object.hasOwn(defaults, key) && (defaults[key] === null ? isZero(v) : v === null || same(v, defaults[key]!)));

function isZero(value: HclValue): boolean {
  if (value === null || value === '' || value === 0 || value === false) return true;
  if (typeof value === 'string') return parseDuration(value) === 0;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** Only Nomad's default is accepted; another value is refused with the block's reason. */
const defaultOnly = (isDefault: AcceptedField['isDefault']): AcceptedField => ({ isDefault });
/** Does nothing on Kubernetes: another value is left out with a warning saying why. */
const ignored = (ignoredBecause: string, isDefault: AcceptedField['isDefault'] = isZero): AcceptedField => ({ isDefault, ignoredBecause });

const catalog = 'Caravan has no service catalog, so nothing reads it; services become Kubernetes probes';
const nomadIgnoresIt = (replacement: string) => `Nomad itself ignores it since 1.10; use ${replacement}`;

/** `migrate`: the defaults Nomad's server gives every service group. */
const migrate = ignored(group.migrate!.reason, blockOf({ max_parallel: 1, health_check: 'checks', min_healthy_time: '10s', healthy_deadline: '5m' }));
/** `consul`: a block written without settings; `cluster` is the one default Nomad fills in. */
const consul = defaultOnly(blockOf({ cluster: 'default', namespace: null, partition: null }));

export const jobAccepted: AcceptedFields = {
  node_pool: defaultOnly(oneOf('default', '')),
  all_at_once: ignored(job.allAtOnce!.reason),
  ui: ignored('it describes the job in Nomad’s web UI, which Caravan does not serve'),
  migrate,
  // Nomad clears the tokens before it stores a job; they only ever authorized Vault and Consul.
  vault_token: ignored(job.vault!.reason),
  consul_token: ignored(job.consul!.reason),
  vault_namespace: ignored(job.vault!.reason),
  consul_namespace: ignored(job.consul!.reason),
};

export const groupAccepted: AcceptedFields = {
  migrate,
  consul,
  disconnect: defaultOnly(blockOf({ replace: true, reconcile: 'best_score', lost_after: null, stop_on_client_after: null })),
  stop_after_client_disconnect: ignored(nomadIgnoresIt('disconnect.stop_on_client_after')),
  max_client_disconnect: ignored(nomadIgnoresIt('disconnect.lost_after')),
  prevent_reschedule_on_lost: ignored(nomadIgnoresIt('disconnect.replace')),
};

/** The workload identity Nomad's server gives every task that declares none. */
const defaultIdentity = blockOf({
  name: 'default',
  aud: ['nomadproject.io'],
  change_mode: null,
  change_signal: null,
  env: null,
  file: null,
  filepath: null,
  service_name: null,
  ttl: null,
  extra_claims: null,
});

export const taskAccepted: AcceptedFields = {
  logs: ignored(task.logs!.reason, blockOf({ max_files: 10, max_file_size: 10, disabled: false, enabled: true })),
  identity: defaultOnly(defaultIdentity),
  consul,
};

export const resourcesAccepted: AcceptedFields = {
  iops: ignored('IOPS are not reserved; Nomad deprecated iops in 0.9 and ignores it'),
  numa: defaultOnly(blockOf({ affinity: 'none', devices: null })),
};

export const networkAccepted: AcceptedFields = {
  mbits: ignored('network bandwidth is not reserved; Nomad deprecated mbits in 0.12 and ignores it'),
};

export const portAccepted: AcceptedFields = {
  host_network: defaultOnly(oneOf('default', '')),
  ignore_collision: defaultOnly(oneOf(false)),
};

/** `taskName`: the task a task-level service is in, which Nomad's server writes into its `task`. */
export function serviceAccepted(taskName: string | undefined): AcceptedFields {
  return {
    meta: ignored(catalog),
    canary_meta: ignored(catalog),
    canary_tags: ignored(catalog),
    tagged_addresses: ignored(catalog),
    enable_tag_override: ignored(catalog),
    weights: ignored(catalog, blockOf({ passing: 1, warning: 1 })),
    address_mode: defaultOnly(oneOf('auto')),
    on_update: defaultOnly(oneOf('require_healthy')),
    cluster: defaultOnly(oneOf('default')),
    ...(taskName !== undefined ? { task: defaultOnly(oneOf(taskName)) } : {}),
  };
}

export const checkAccepted: AcceptedFields = {
  notes: ignored(catalog),
  on_update: defaultOnly(oneOf('require_healthy')),
  address_mode: defaultOnly(oneOf('host')),
};
