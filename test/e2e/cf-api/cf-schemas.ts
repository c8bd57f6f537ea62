/**
 * CF v3 response shapes written from the spec (/work/shared/spec/cf-v3-deployments.md §1, §4,
 * §5, §6), and a strict decoder: every required key present, no key the schema does not name,
 * every value of the named type. It reports every mismatch with its path.
 */
export type Schema =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'null'
  | 'timestamp'
  | 'uuid'
  | { readonly enum: readonly string[] }
  | { readonly oneOf: readonly Schema[] }
  | { readonly array: Schema }
  | { readonly record: Schema }
  | { readonly object: Readonly<Record<string, Schema>>; readonly optional?: Readonly<Record<string, Schema>> };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function shapeErrors(value: unknown, schema: Schema, path = '$'): string[] {
  if (schema === 'string') return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
  if (schema === 'integer') return Number.isInteger(value) ? [] : [`${path}: expected an integer, got ${JSON.stringify(value)}`];
  if (schema === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: expected a boolean, got ${JSON.stringify(value)}`];
  if (schema === 'null') return value === null ? [] : [`${path}: expected null, got ${JSON.stringify(value)}`];
  if (schema === 'uuid') return typeof value === 'string' && uuid.test(value) ? [] : [`${path}: expected a guid, got ${JSON.stringify(value)}`];
  if (schema === 'timestamp')
    return typeof value === 'string' && timestamp.test(value) ? [] : [`${path}: expected YYYY-MM-DDThh:mm:ssZ, got ${JSON.stringify(value)}`];
  if ('enum' in schema)
    return typeof value === 'string' && schema.enum.includes(value) ? [] : [`${path}: expected one of ${schema.enum.join('|')}, got ${JSON.stringify(value)}`];
  if ('oneOf' in schema) {
    const tries = schema.oneOf.map((s) => shapeErrors(value, s, path));
    return tries.some((t) => t.length === 0) ? [] : tries.flat();
  }
  if ('array' in schema) return Array.isArray(value) ? value.flatMap((v, i) => shapeErrors(v, schema.array, `${path}[${i}]`)) : [`${path}: expected an array`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const obj = value as Record<string, unknown>;
  if ('record' in schema) return Object.entries(obj).flatMap(([k, v]) => shapeErrors(v, schema.record, `${path}.${k}`));
  const errors: string[] = [];
  for (const [k, s] of Object.entries(schema.object)) {
    if (!(k in obj)) errors.push(`${path}.${k}: missing`);
    else errors.push(...shapeErrors(obj[k], s, `${path}.${k}`));
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k in schema.object) continue;
    const s = schema.optional?.[k];
    if (!s) errors.push(`${path}.${k}: not in the schema`);
    else errors.push(...shapeErrors(v, s, `${path}.${k}`));
  }
  return errors;
}

const link: Schema = { object: { href: 'string' } };
const actionLink: Schema = { object: { href: 'string', method: { enum: ['POST'] } } };
const guidRef: Schema = { object: { guid: 'uuid' } };
const relationship: Schema = { object: { data: { object: { guid: 'uuid' } } } };
const metadata: Schema = { object: { labels: { record: 'string' }, annotations: { record: 'string' } } };

export const deploymentSchema: Schema = {
  object: {
    guid: 'uuid',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    status: {
      object: {
        value: { enum: ['ACTIVE', 'FINALIZED'] },
        reason: { enum: ['DEPLOYING', 'PAUSED', 'CANCELING', 'DEPLOYED', 'CANCELED', 'SUPERSEDED'] },
        details: { object: { last_successful_healthcheck: 'timestamp', last_status_change: 'timestamp' }, optional: { error: 'string' } },
      },
      optional: { canary: { object: { steps: { object: { current: 'integer', total: 'integer' } } } } },
    },
    strategy: { enum: ['rolling', 'canary'] },
    options: {
      object: { max_in_flight: 'integer' },
      optional: {
        web_instances: 'integer',
        memory_in_mb: 'integer',
        disk_in_mb: 'integer',
        log_rate_limit_in_bytes_per_second: 'integer',
        canary: { object: { steps: { array: { object: { instance_weight: 'integer' } } } } },
      },
    },
    droplet: guidRef,
    previous_droplet: { object: { guid: { oneOf: ['uuid', 'null'] } } },
    new_processes: { array: { object: { guid: 'uuid', type: 'string' } } },
    revision: { oneOf: ['null', { object: { guid: 'uuid', version: 'integer' } }] },
    relationships: { object: { app: relationship } },
    metadata,
    links: { object: { self: link, app: link }, optional: { cancel: actionLink, continue: actionLink } },
  },
  // The deprecated `state` (issue 14 §3; the cli decodes it when present).
  optional: { state: { enum: ['DEPLOYING', 'PREPAUSED', 'PAUSED', 'CANCELING', 'DEPLOYED', 'CANCELED'] } },
};

export const listSchema = (resource: Schema): Schema => ({
  object: {
    pagination: {
      object: {
        total_results: 'integer',
        total_pages: 'integer',
        first: link,
        last: link,
        next: { oneOf: ['null', link] },
        previous: { oneOf: ['null', link] },
      },
    },
    resources: { array: resource },
  },
});

export const errorSchema: Schema = { object: { errors: { array: { object: { detail: 'string', title: 'string', code: 'integer' } } } } };

export const appSchema: Schema = {
  object: {
    guid: 'uuid',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    name: 'string',
    state: { enum: ['STARTED', 'STOPPED'] },
    lifecycle: { object: { type: { enum: ['buildpack', 'cnb', 'docker'] }, data: { object: {} } } },
    relationships: {
      object: {
        space: { object: { data: { object: { guid: 'string' } } } },
        current_droplet: { object: { data: { object: { guid: { oneOf: ['uuid', 'null'] } } } } },
      },
    },
    metadata,
    links: {
      object: {
        self: link,
        environment_variables: link,
        space: link,
        processes: link,
        packages: link,
        current_droplet: link,
        droplets: link,
        tasks: link,
        start: actionLink,
        stop: actionLink,
        clear_buildpack_cache: actionLink,
        revisions: link,
        deployed_revisions: link,
        features: link,
      },
    },
  },
};

export const revisionSchema: Schema = {
  object: {
    guid: 'uuid',
    version: 'integer',
    droplet: guidRef,
    processes: { record: { object: { command: { oneOf: ['string', 'null'] } } } },
    sidecars: { array: 'string' },
    description: 'string',
    relationships: { object: { app: relationship } },
    created_at: 'timestamp',
    updated_at: 'timestamp',
    links: { object: { self: link, app: link, environment_variables: link } },
    metadata,
    deployable: 'boolean',
  },
};

export const dropletSchema: Schema = {
  object: {
    guid: 'uuid',
    state: { enum: ['AWAITING_UPLOAD', 'PROCESSING_UPLOAD', 'STAGED', 'COPYING', 'FAILED', 'EXPIRED'] },
    error: { oneOf: ['string', 'null'] },
    lifecycle: { object: { type: { enum: ['buildpack', 'cnb', 'docker'] }, data: { object: {} } } },
    execution_metadata: 'string',
    process_types: { record: 'string' },
    image: { oneOf: ['string', 'null'] },
    checksum: { oneOf: ['null', { object: { type: 'string', value: 'string' } }] },
    buildpacks: { oneOf: ['null', { array: { record: 'string' } }] },
    stack: { oneOf: ['string', 'null'] },
    created_at: 'timestamp',
    updated_at: 'timestamp',
    relationships: { object: { app: relationship } },
    metadata,
    links: { object: { self: link, app: link, assign_current_droplet: actionLink } },
  },
};

const rootLink: Schema = { oneOf: ['null', { object: { href: 'string' }, optional: { meta: { record: 'string' } } }] };
export const rootSchema: Schema = {
  object: {
    links: {
      object: {
        self: link,
        cloud_controller_v3: { object: { href: 'string', meta: { object: { version: 'string' } } } },
        network_policy_v0: rootLink,
        network_policy_v1: rootLink,
        login: rootLink,
        uaa: rootLink,
        credhub: rootLink,
        routing: rootLink,
        logging: rootLink,
        log_cache: rootLink,
        log_stream: rootLink,
        app_ssh: rootLink,
      },
    },
  },
};
export const v3RootSchema: Schema = { object: { links: { record: link } } };
