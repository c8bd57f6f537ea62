/**
 * A job registration (`POST /v1/jobs`, `POST /v1/job/:id`) as a NomadJob spec. The API JSON goes
 * through `caravan convert`'s API JSON path, so a job reads the same whether it is converted to
 * a file or submitted over HTTP, and everything Caravan cannot run is refused by name rather than
 * dropped. Errors are Nomad's texts and status codes: a malformed request is a 400; a job that
 * does not validate is a 500 with go-multierror's list, as Nomad's register endpoint answers.
 */
import { apiJobTree } from '../../convert/api-json.ts';
import { isWarning } from '../../convert/diagnostics.ts';
import { jobToManifest } from '../../convert/to-spec.ts';
import type { NomadJobSpec } from '../../model/nomad-job-spec.ts';
import { parseNomadJob, type FieldError } from '../../model/validate.ts';

/** What a register request asks besides the job (Nomad's JobRegisterRequest). */
export interface RegisterOptions {
  /** Check-and-set: register only if the job's JobModifyIndex is `jobModifyIndex` (0: only if new). */
  readonly enforceIndex: boolean;
  readonly jobModifyIndex: number;
  /** Keep the counts of groups that already exist (`nomad job run -preserve-counts`). */
  readonly preserveCounts: boolean;
  readonly preserveResources: boolean;
  readonly policyOverride: boolean;
  readonly evalPriority?: number;
}

export type RegisterResult =
  | {
      readonly ok: true;
      /** The job ID: the NomadJob's metadata.name. */
      readonly name: string;
      /** The Kubernetes namespace, chosen as Nomad chooses the namespace (see fromNomadJob). */
      readonly namespace: string;
      readonly spec: NomadJobSpec;
      readonly options: RegisterOptions;
      /** Nomad's job warnings; formatWarnings() makes the response's Warnings text. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly status: 400 | 500; readonly error: string };

export interface RegisterContext {
  /** The `:id` of `/v1/job/:id`, which must match the job's ID. */
  readonly pathJobId?: string;
  /** The `namespace` query parameter, only when the request has one (it wins over the body's). */
  readonly queryNamespace?: string;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const badRequest = (error: string): RegisterResult => ({ ok: false, status: 400, error });
const invalid = (errors: readonly string[]): RegisterResult => ({ ok: false, status: 500, error: multierror(errors) });

/** go-multierror's list format, which Nomad's validation errors arrive in. */
export function multierror(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

/** Nomad's JobRegisterResponse.Warnings text ("" when there are none). */
export function formatWarnings(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return `${warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`}:\n${warnings.map((w) => `\n* ${w.trim()}`).join('')}`;
}

function registerOptions(body: Record<string, unknown>): RegisterOptions | string {
  const evalPriority = body['EvalPriority'];
  if (evalPriority !== undefined && evalPriority !== null && evalPriority !== 0) {
    if (typeof evalPriority !== 'number' || !Number.isInteger(evalPriority) || evalPriority < 1 || evalPriority > 100)
      return 'Eval priority must be between 1 and 100 inclusively';
  }
  const flag = (key: string) => body[key] === true;
  const index = body['JobModifyIndex'];
  return {
    enforceIndex: flag('EnforceIndex'),
    jobModifyIndex: typeof index === 'number' && Number.isSafeInteger(index) && index > 0 ? index : 0,
    preserveCounts: flag('PreserveCounts'),
    preserveResources: flag('PreserveResources'),
    policyOverride: flag('PolicyOverride'),
    ...(typeof evalPriority === 'number' && evalPriority > 0 ? { evalPriority } : {}),
  };
}

/**
 * The Kubernetes namespace of a registration, in Nomad's order of precedence: the `namespace`
 * query parameter, the request's Namespace, the job's Namespace, then `default`.
 */
export function registrationNamespace(body: Record<string, unknown>, job: Record<string, unknown>, queryNamespace?: string): string {
  const nonEmpty = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return nonEmpty(queryNamespace) ?? nonEmpty(body['Namespace']) ?? nonEmpty(job['Namespace']) ?? 'default';
}

/**
 * Groups validation errors the way Nomad's Job.Validate nests them: job-level ones as they are,
 * a group's under "Task group <name> validation failed", a task's under "Task <name> validation
 * failed" within its group. Each error keeps Caravan's spec path where it says more than the
 * nesting does.
 */
function nomadValidationErrors(spec: NomadJobSpec, errors: readonly FieldError[]): string[] {
  const top: string[] = [];
  const groups = new Map<number, { own: string[]; tasks: Map<number, string[]> }>();
  for (const e of errors) {
    const at = /^spec\.taskGroups\[(\d+)\](?:\.tasks\[(\d+)\])?(.*)$/.exec(e.path);
    if (!at) {
      top.push(e.path === 'spec' || e.path.startsWith('metadata.') ? e.message : `${e.message} (${e.path})`);
      continue;
    }
    const g = Number(at[1]);
    const entry = groups.get(g) ?? { own: [], tasks: new Map<number, string[]>() };
    groups.set(g, entry);
    const detail = at[3] ? `${e.message} (${at[3].replace(/^\./, '')})` : e.message;
    if (at[2] === undefined) entry.own.push(detail);
    else entry.tasks.set(Number(at[2]), [...(entry.tasks.get(Number(at[2])) ?? []), detail]);
  }
  for (const [g, { own, tasks }] of [...groups].sort(([a], [b]) => a - b)) {
    const group = spec.taskGroups[g];
    const nested = [...own];
    for (const [t, taskErrors] of [...tasks].sort(([a], [b]) => a - b))
      nested.push(`Task ${group?.tasks[t]?.name || t + 1} validation failed: ${multierror(taskErrors)}`);
    top.push(`Task group ${group?.name || g + 1} validation failed: ${multierror(nested)}`);
  }
  return top;
}

/**
 * Reads a register request body (`{"Job": {…}, "EnforceIndex": …}`) into the NomadJob to apply.
 * The namespace is not part of the spec: it is where the NomadJob goes. Server-set fields
 * (Status, Version, indexes, SubmitTime…) are ignored, so a job as `nomad job inspect` prints it
 * registers again unchanged.
 */
export function fromNomadJob(body: unknown, context: RegisterContext = {}): RegisterResult {
  if (!isObject(body) || !isObject(body['Job'])) return badRequest('Job must be specified');
  const job = body['Job'];
  const id = job['ID'];
  if (typeof id !== 'string' || id === '') return badRequest("Job ID hasn't been provided");
  if (context.pathJobId !== undefined && context.pathJobId !== id) return badRequest('Job ID does not match name');
  const options = registerOptions(body);
  if (typeof options === 'string') return badRequest(options);

  const namespace = registrationNamespace(body, job, context.queryNamespace);
  if (!dnsLabel.test(namespace))
    return invalid([
      `namespace ${JSON.stringify(namespace)} cannot be a Kubernetes namespace: it must be a DNS label (lowercase letters, digits and '-', at most 63 characters)`,
    ]);

  // The namespace is decided above; a job without groups is Nomad's validation error, not "not a job".
  const { Namespace: _namespace, ...rest } = job;
  const tree = apiJobTree(JSON.stringify({ Job: { ...rest, TaskGroups: Array.isArray(job['TaskGroups']) ? job['TaskGroups'] : [] } }));
  if (!tree.job) return invalid(tree.diagnostics.map((d) => d.message));
  const { manifest, ctx } = jobToManifest(tree.job);
  const refused = ctx.diagnostics.filter((d) => !isWarning(d)).map((d) => d.message);
  const parsed = parseNomadJob(id, namespace, manifest.spec);
  const validation = parsed.ok
    ? []
    : nomadValidationErrors(
        manifest.spec,
        parsed.errors.filter((e) => !ctx.reported.has(e.path)),
      );
  const errors = [...refused, ...validation];
  if (errors.length > 0) return invalid(errors);
  // Fields that do nothing on Kubernetes, left out: Nomad answers its own deprecations the same way.
  const warnings = [...ctx.diagnostics.filter(isWarning).map((d) => d.message), ...parsed.warnings];
  return { ok: true, name: id, namespace, spec: manifest.spec, options, warnings };
}

/**
 * Nomad's check-and-set on register (`EnforceIndex`): the error text when the job's current
 * JobModifyIndex (undefined: the job does not exist) is not the one the request expects. Nomad
 * answers these with 500; clients look for the `Enforcing job modify index` prefix.
 */
export function checkAndSetError(
  options: Pick<RegisterOptions, 'enforceIndex' | 'jobModifyIndex'>,
  currentJobModifyIndex: number | undefined,
): string | undefined {
  if (!options.enforceIndex) return undefined;
  const want = options.jobModifyIndex;
  if (currentJobModifyIndex === undefined) return want === 0 ? undefined : `Enforcing job modify index ${want}: job does not exist`;
  if (want === 0) return 'Enforcing job modify index 0: job already exists';
  if (want !== currentJobModifyIndex) return `Enforcing job modify index ${want}: job exists with conflicting job modify index: ${currentJobModifyIndex}`;
  return undefined;
}
