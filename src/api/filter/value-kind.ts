/**
 * The JSON value kinds evaluation cares about, with the words messages use for them. A plain
 * object is a Go map or a Go struct depending on the field (see field-kinds.ts); JSON cannot say.
 */
export type ValueKind = 'string' | 'number' | 'bool' | 'list' | 'object' | 'null';

export function valueKind(value: unknown): ValueKind {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (value === null || value === undefined) return 'null';
  return 'object';
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> => valueKind(value) === 'object';

/** Own property that holds a value (undefined counts as absent, as JSON has no undefined). */
export function ownValue(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
