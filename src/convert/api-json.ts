import { jobShape, type FieldRule, type Shape } from './api-json-fields.ts';
import type { Diagnostic, Position } from './diagnostics.ts';
import { isObject, type Attribute, type Block, type HclValue } from './job-tree.ts';
import { jsonPositions, pathKey, type JsonPath } from './json-positions.ts';

export type ApiJob = { readonly job: Block; readonly diagnostics: Diagnostic[] } | { readonly job?: undefined; readonly diagnostics: Diagnostic[] };

/**
 * A job in Nomad's API JSON, `{"Job": {…}}` as `nomad job run -output` prints it or a bare Job
 * object, as the same tree a job file gives: HCL names, durations as Go duration strings, and
 * each field at the position of its key.
 */
export function apiJobTree(source: string): ApiJob {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    return { diagnostics: [jsonSyntaxError(source, (error as Error).message)] };
  }
  const wrapped = isObject(data) && isObject(data['Job']);
  const job = wrapped ? (data as Record<string, HclValue>)['Job'] : data;
  const base: JsonPath = wrapped ? ['Job'] : [];
  if (isObject(data) && Object.hasOwn(data, 'job') && !wrapped) {
    return fatal(
      'this is HCL\'s JSON syntax (a lowercase "job" key), which caravan convert does not read: convert the HCL job file, or the API JSON that `nomad job run -output` prints',
    );
  }
  if (!isObject(job) || typeof job['ID'] !== 'string' || !Array.isArray(job['TaskGroups'])) {
    return fatal('not a Nomad job: expected {"Job": {…}} as `nomad job run -output` prints it, or a Job object with ID and TaskGroups');
  }
  const positions = jsonPositions(source);
  const { ID, ...fields } = job;
  // Nomad's parser sets Name to the ID; only a different Name was written by the user.
  const written = fields['Name'] === ID ? Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'Name')) : fields;
  const pos = positions.get(pathKey(base)) ?? { line: 1, column: 1 };
  return { job: toBlock('job', [ID as string], written, jobShape, base, pos, positions), diagnostics: [] };
}

function fatal(message: string): ApiJob {
  return { diagnostics: [{ severity: 'fatal', message }] };
}

/** V8 says "… in JSON at position 42 (line 3 column 5)"; keep the position, drop the offset. */
function jsonSyntaxError(source: string, message: string): Diagnostic {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  const offset = /at position (\d+)/.exec(message);
  let pos: Position | undefined;
  if (lineColumn) pos = { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  else if (offset) {
    const before = source.slice(0, Number(offset[1]));
    pos = { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
  }
  return { severity: 'fatal', pos, message: message.replace(/ in JSON at position \d+.*$/, '') };
}

function toBlock(
  type: string,
  labels: readonly string[],
  obj: Readonly<Record<string, HclValue>>,
  shape: Shape,
  path: JsonPath,
  pos: Position,
  positions: ReadonlyMap<string, Position>,
): Block {
  const attributes: Attribute[] = [];
  const blocks: Block[] = [];
  for (const [key, given] of Object.entries(obj)) {
    const rule: FieldRule | undefined = shape.fields[key];
    const value = rule?.kind === 'block' && rule.shape.written && isObject(given) ? rule.shape.written(given) : given;
    const at = positions.get(pathKey([...path, key])) ?? pos;
    if (rule?.kind === 'ignore' || isUnset(value, rule, shape)) continue;
    if (!rule) attributes.push({ name: key, value, pos: at });
    else if (rule.kind === 'attr' || rule.kind === 'refused') attributes.push({ name: rule.hcl, value, pos: at });
    else if (rule.kind === 'duration')
      attributes.push({ name: rule.hcl, value: typeof value === 'number' && Number.isInteger(value) ? goDuration(value) : value, pos: at });
    else if (rule.kind === 'block' && isObject(value)) blocks.push(toBlock(rule.hcl, [], value, rule.shape, [...path, key], at, positions));
    else if (rule.kind === 'blocks' && Array.isArray(value)) {
      (value as readonly HclValue[]).forEach((item, i) => {
        if (!isObject(item)) return;
        const itemPath = [...path, key, i];
        const itemPos = positions.get(pathKey(itemPath)) ?? at;
        const label = rule.label === undefined ? [] : [String(item[rule.label] ?? '')];
        const rest = rule.label === undefined ? item : Object.fromEntries(Object.entries(item).filter(([k]) => k !== rule.label));
        blocks.push(toBlock(rule.hcl, label, rest, rule.shape, itemPath, itemPos, positions));
      });
    } else attributes.push({ name: rule.hcl, value, pos: at }); // the wrong shape: reported by the mapping
  }
  return { type, labels, pos, attributes, blocks };
}

/** Whether a key holds nothing the user wrote: null, an empty list or map, a Go zero value, or a value Nomad fills in itself. */
function isUnset(value: HclValue, rule: FieldRule | undefined, shape: Shape): boolean {
  if (value === null || isEmptyCollection(value)) return true;
  if (rule === undefined || rule.kind === 'refused') return isEmptyDeep(value);
  if (shape.zeroIsUnset && (value === 0 || value === false || value === '')) return true;
  return rule.kind === 'attr' && (rule.unset ?? []).includes(value);
}

function isEmptyCollection(value: HclValue): boolean {
  return (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

function isEmptyDeep(value: HclValue): boolean {
  if (value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return (value as readonly HclValue[]).every(isEmptyDeep);
  return isObject(value) && Object.values(value).every(isEmptyDeep);
}

const units: readonly [string, number][] = [
  ['h', 3_600_000_000_000],
  ['m', 60_000_000_000],
  ['s', 1_000_000_000],
  ['ms', 1_000_000],
  ['us', 1_000],
  ['ns', 1],
];

/** Nanoseconds as a Go duration string without zero units: 300000000000 → "5m", 90000000000 → "1m30s". */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  let rest = Math.abs(nanoseconds);
  let out = nanoseconds < 0 ? '-' : '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
