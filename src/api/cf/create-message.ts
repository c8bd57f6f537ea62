import { parseMetadata, type MetadataUpdate } from './metadata-message.ts';

/**
 * The body of `POST /v3/deployments` (CC's DeploymentCreateMessage, §3.3): the app, a droplet or
 * a revision, the strategy and its options, with CC's 422 messages. Every option takes `null`
 * for unset, as the cf CLI sends them.
 */
export type CfStrategy = 'rolling' | 'canary';

export interface CreateDeployment {
  readonly appGuid: string | undefined;
  readonly dropletGuid?: string;
  readonly revisionGuid?: string;
  readonly strategy: CfStrategy;
  readonly maxInFlight?: number;
  /** Canary step weights (percent of the instances), when given. */
  readonly canarySteps?: readonly number[];
  /** Scale options CC applies to the new web process; set ones are named here. */
  readonly scaleOptions: readonly string[];
  readonly metadata: MetadataUpdate;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const topLevel = ['relationships', 'droplet', 'revision', 'strategy', 'options', 'metadata'];
const optionKeys = ['max_in_flight', 'web_instances', 'memory_in_mb', 'disk_in_mb', 'log_rate_limit_in_bytes_per_second', 'canary'];
const int32Max = 2147483647;

function integerErrors(name: string, v: unknown, min: number, max: number): string[] {
  if (typeof v !== 'number' || Number.isNaN(v)) return [`${name} is not a number`];
  if (!Number.isInteger(v)) return [`${name} must be an integer`];
  if (v < min) return [min === 1 ? `${name} must be greater than 0` : `${name} must be greater than or equal to ${min}`];
  if (v > max) return [`${name} must be less than or equal to ${max}`];
  return [];
}

function canaryErrors(canary: unknown, strategy: unknown, into: { steps?: number[] }): string[] {
  if (!isObject(canary)) return ['Options canary must be an object'];
  const errors: string[] = [];
  if (strategy !== 'canary') errors.push('Options canary are only valid for Canary deployments');
  const steps = canary['steps'];
  if (steps === undefined || steps === null) return errors;
  if (!Array.isArray(steps) || !steps.every(isObject)) return [...errors, 'Options canary steps must be an array of objects'];
  const weights: number[] = [];
  for (const step of steps as Record<string, unknown>[]) {
    const extra = Object.keys(step).filter((k) => k !== 'instance_weight');
    if (extra.length > 0) errors.push(`Options canary steps has unsupported key(s): ${extra.join(', ')}`);
    if (!('instance_weight' in step)) errors.push('Options canary steps missing key: "instance_weight"');
    else {
      const w = step['instance_weight'];
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 100)
        errors.push('Options canary steps instance weight must be an Integer between 1-100 (inclusive)');
      else weights.push(w);
    }
  }
  if (weights.some((w, i) => i > 0 && w < weights[i - 1]!)) errors.push('Options canary steps instance weight must be sorted in ascending order');
  // CC accepts an empty list but cannot plan it (spec §9); here it means "no steps".
  if (weights.length > 0) into.steps = weights;
  return [...new Set(errors)];
}

export function parseCreateDeployment(
  body: unknown,
): { readonly ok: true; readonly create: CreateDeployment } | { readonly ok: false; readonly errors: readonly string[] } {
  if (!isObject(body)) return { ok: false, errors: ['Request body must be an object'] };
  const errors: string[] = [];
  const unknown = Object.keys(body).filter((k) => !topLevel.includes(k));
  if (unknown.length > 0) errors.push(`Unknown field(s): ${unknown.map((k) => `'${k}'`).join(', ')}`);
  const droplet = body['droplet'];
  const revision = body['revision'];
  if (droplet !== undefined && droplet !== null && revision !== undefined && revision !== null)
    errors.push("Droplet Cannot set both fields 'droplet' and 'revision'");
  const strategy = body['strategy'] ?? 'rolling';
  if (strategy !== 'rolling' && strategy !== 'canary') errors.push(`Strategy '${String(strategy)}' is not a supported deployment strategy`);
  const options = body['options'];
  let maxInFlight: number | undefined;
  const scaleOptions: string[] = [];
  const canary: { steps?: number[] } = {};
  if (options !== undefined && options !== null) {
    if (!isObject(options)) errors.push('Options must be an object');
    else {
      const extra = Object.keys(options).filter((k) => !optionKeys.includes(k));
      if (extra.length > 0) errors.push(`Options has unsupported key(s): ${extra.join(', ')}`);
      const m = options['max_in_flight'];
      if (m !== undefined && m !== null) {
        if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) errors.push('Max in flight must be an integer greater than 0');
        else maxInFlight = m;
      }
      const ranges: [string, string, number, number][] = [
        ['web_instances', 'Web instances', 0, int32Max],
        ['memory_in_mb', 'Memory in mb', 1, int32Max],
        ['disk_in_mb', 'Disk in mb', 1, int32Max],
        ['log_rate_limit_in_bytes_per_second', 'Log rate limit in bytes per second', -1, Number.MAX_SAFE_INTEGER],
      ];
      for (const [key, name, min, max] of ranges) {
        const v = options[key];
        if (v === undefined || v === null) continue;
        const e = integerErrors(name, v, min, max);
        errors.push(...e);
        if (e.length === 0) scaleOptions.push(key);
      }
      if (options['canary'] !== undefined && options['canary'] !== null) errors.push(...canaryErrors(options['canary'], strategy, canary));
    }
  }
  const metadata = parseMetadata(body['metadata']);
  if (!metadata.ok) errors.push(...metadata.errors);
  if (errors.length > 0 || !metadata.ok) return { ok: false, errors };
  const guidOf = (v: unknown) => (isObject(v) && typeof v['guid'] === 'string' ? v['guid'] : undefined);
  const relationships = body['relationships'];
  const app = isObject(relationships) && isObject(relationships['app']) ? guidOf(relationships['app']['data']) : undefined;
  const dropletGuid = guidOf(droplet);
  const revisionGuid = guidOf(revision);
  return {
    ok: true,
    create: {
      appGuid: app,
      ...(dropletGuid ? { dropletGuid } : {}),
      ...(revisionGuid ? { revisionGuid } : {}),
      strategy: strategy as CfStrategy,
      ...(maxInFlight !== undefined ? { maxInFlight } : {}),
      ...(canary.steps ? { canarySteps: canary.steps } : {}),
      scaleOptions,
      metadata: metadata.metadata,
    },
  };
}
