import { labelKeyError, labelValueError } from './label-selector.ts';

/**
 * `metadata` of a create or a PATCH (CC's MetadataValidator): labels and annotations, each key
 * set to a string or to null (delete). Caravan's own label prefix is reserved the way CC reserves
 * `cloudfoundry.org`: the controller finds a job's deployments by it.
 */
export interface MetadataUpdate {
  readonly labels: Readonly<Record<string, string | null>>;
  readonly annotations: Readonly<Record<string, string | null>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const reservedPrefix = 'caravan.dev';

export function parseMetadata(
  value: unknown,
): { readonly ok: true; readonly metadata: MetadataUpdate } | { readonly ok: false; readonly errors: readonly string[] } {
  if (value === undefined || value === null) return { ok: true, metadata: { labels: {}, annotations: {} } };
  if (!isObject(value)) return { ok: false, errors: ['Metadata must be an object'] };
  const errors: string[] = [];
  const extra = Object.keys(value).filter((k) => k !== 'labels' && k !== 'annotations');
  if (extra.length > 0) errors.push(`Metadata has unexpected field(s): ${extra.map((k) => `'${k}'`).join(', ')}`);
  const labels: Record<string, string | null> = {};
  const annotations: Record<string, string | null> = {};
  for (const [kind, into] of [
    ['labels', labels],
    ['annotations', annotations],
  ] as const) {
    const map = value[kind];
    if (map === undefined || map === null) continue;
    if (!isObject(map)) {
      errors.push(`Metadata '${kind}' is not an object`);
      continue;
    }
    const what = kind === 'labels' ? 'label' : 'annotation';
    for (const [key, v] of Object.entries(map)) {
      const keyError = key.split('/')[0]?.toLowerCase() === reservedPrefix && key.includes('/') ? `prefix '${reservedPrefix}' is reserved` : labelKeyError(key);
      if (keyError) {
        errors.push(`Metadata ${what} key error: ${keyError}`);
        continue;
      }
      if (v !== null && typeof v !== 'string') {
        errors.push(`Metadata ${what} value error: '${String(JSON.stringify(v))}' is not a string`);
        continue;
      }
      const valueError =
        v === null ? undefined : kind === 'labels' ? labelValueError(v) : v.length > 5000 ? `'${v.slice(0, 8)}...' is greater than 5000 characters` : undefined;
      if (valueError) errors.push(`Metadata ${what} value error: ${valueError}`);
      else into[key] = v;
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, metadata: { labels, annotations } };
}
