import { isDeepStrictEqual } from 'node:util';

/** One changed field between two specs: added, removed or edited, at a readable path. */
export interface SpecDiffLine {
  readonly change: '+' | '-' | '~';
  /** `taskGroups[frontend].tasks[nginx].config.image`: named list items by name. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key a list item is known by: Nomad blocks carry a name (groups, tasks, services) or a label (ports). */
function itemKey(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  const key = item['name'] ?? item['label'];
  return typeof key === 'string' ? key : undefined;
}

function keyedItems(list: readonly unknown[]): Map<string, unknown> | undefined {
  const keys = list.map(itemKey);
  if (keys.some((k) => k === undefined) || new Set(keys).size !== keys.length) return undefined;
  return new Map(list.map((item, i) => [keys[i]!, item]));
}

function walk(before: unknown, after: unknown, path: string, out: SpecDiffLine[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (before === undefined) {
    out.push({ change: '+', path, after });
    return;
  }
  if (after === undefined) {
    out.push({ change: '-', path, before });
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const b = keyedItems(before);
    const a = keyedItems(after);
    if (b && a && (b.size > 0 || a.size > 0)) {
      for (const key of [...new Set([...b.keys(), ...a.keys()])]) walk(b.get(key), a.get(key), `${path}[${key}]`, out);
      return;
    }
  }
  out.push({ change: '~', path, before, after });
}

/** The fields that differ between two job specs, in a stable order. */
export function specDiff(before: unknown, after: unknown): SpecDiffLine[] {
  const out: SpecDiffLine[] = [];
  walk(before, after, '', out);
  return out;
}

const show = (v: unknown) => JSON.stringify(v);

/** `~ path: before => after`, `+ path: value`, `- path: value`. */
export function formatSpecDiff(lines: readonly SpecDiffLine[]): string {
  return lines
    .map((l) =>
      l.change === '~' ? `~ ${l.path}: ${show(l.before)} => ${show(l.after)}` : `${l.change} ${l.path}: ${show(l.change === '+' ? l.after : l.before)}`,
    )
    .join('\n');
}
