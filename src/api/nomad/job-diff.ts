/**
 * Nomad's job diff (structs.Job.Diff in nomad/structs/diff.go), over the api.Job Caravan shows:
 * what `nomad job plan` prints and `/v1/job/:id/versions?diffs=true` returns.
 *
 * Nomad's rules, kept here because clients render the result as they get it:
 * - the primitive fields of a job, group and task (strings, numbers, bools, and Meta/Env entries
 *   as `Meta[key]`) are FieldDiffs whose values are Go's fmt of the value (durations as integer
 *   nanoseconds); nested blocks and pointers are ObjectDiffs, or not diffed at all (a task's
 *   Lifecycle and RestartPolicy, a job's Update and Spreads: Nomad skips them too);
 * - a value missing on one side is "" there; "" to "x" is Added, "x" to "" Deleted;
 * - the primitive fields of a job, group and task are listed only when they changed, even with
 *   `contextual`; contextual diffs list the unchanged fields of the blocks that changed;
 * - groups are matched by Name, tasks by Name, checks by Name, ports by Label, services by a score
 *   of name, port label and position; constraints, affinities and networks by their whole content
 *   (an edited one is a Deleted and an Added object);
 * - a nil Go slice is JSON null: no changed fields is `"Fields": null`, not `[]`. An unchanged job
 *   still lists its groups and tasks, each with Type "None".
 */
import { isDeepStrictEqual } from 'node:util';
import type {
  DiffType,
  NomadAffinity,
  NomadApiJob,
  NomadConstraint,
  NomadFieldDiff,
  NomadJobDiff,
  NomadNetworkResource,
  NomadObjectDiff,
  NomadPort,
  NomadService,
  NomadServiceCheck,
  NomadTask,
  NomadTaskDiff,
  NomadTaskGroup,
  NomadTaskGroupDiff,
} from './types.ts';

/** Flattened values by their Nomad names ("Count", "Meta[team]", "ports[0]"). */
type Flat = ReadonlyMap<string, string>;
type Scalar = string | number | boolean;

const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Go's `%v` of a float64 (`%g` with the shortest digits): exponent form below 1e-4 and from 1e6
 * on, as `1e+06`. Driver config numbers arrive in Nomad's server as float64 (JSON decoding into
 * interface{}), so `count = 1000000` in a config prints so.
 */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** Go's `%v` of a struct field: Caravan's numbers there are Go integers (counts, nanoseconds). */
function goScalar(v: Scalar): string {
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? BigInt(v).toString() : goFloat(v);
}

/** The map-typed fields flatmap walks into even when flattening primitives only. */
const goMaps = new Set(['Meta', 'Env']);

/**
 * Nomad's flatmap.Flatten(obj, filter, primitiveOnly=true) of one Go struct shown as JSON:
 * scalars, and the entries of its string maps as `Name[key]`; pointers, slices and nested structs
 * are not entered.
 */
function primitiveFlat(obj: object | null | undefined, filter: readonly string[] = []): Map<string, string> {
  const flat = new Map<string, string>();
  if (!obj) return flat;
  for (const [key, value] of Object.entries(obj)) {
    if (filter.includes(key)) continue;
    if (isScalar(value)) flat.set(key, goScalar(value));
    else if (goMaps.has(key) && isRecord(value)) {
      for (const [k, v] of Object.entries(value)) if (isScalar(v)) flat.set(`${key}[${k}]`, goScalar(v));
    }
  }
  return flat;
}

/**
 * flatmap.Flatten(config, nil, primitiveOnly=false) of a task's driver config: lists as
 * `name[0]`, maps as `name[key]`, numbers as Go float64s, JSON null as "nil".
 */
function configFlat(config: Record<string, unknown> | null): Map<string, string> {
  const flat = new Map<string, string>();
  const walk = (prefix: string, value: unknown): void => {
    if (value === null || value === undefined) flat.set(prefix, 'nil');
    else if (typeof value === 'number') flat.set(prefix, goFloat(value));
    else if (isScalar(value)) flat.set(prefix, String(value));
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(`${prefix}[${i}]`, v);
    } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}[${k}]`, v);
  };
  if (config) walk('', config);
  return flat;
}

// ---- fields ---------------------------------------------------------------------------------

function fieldDiff(old: string, next: string, name: string, contextual: boolean): NomadFieldDiff | null {
  if (old === next) return contextual ? { Type: 'None', Name: name, Old: old, New: next, Annotations: null } : null;
  const Type: DiffType = old === '' ? 'Added' : next === '' ? 'Deleted' : 'Edited';
  return { Type, Name: name, Old: old, New: next, Annotations: null };
}

/** Nomad sorts fields by name, then old value, then new value. */
function compareFields(a: NomadFieldDiff, b: NomadFieldDiff): number {
  return compareStrings(a.Name, b.Name) || compareStrings(a.Old, b.Old) || compareStrings(a.New, b.New);
}

/** Go compares strings bytewise; for the ASCII Caravan's names use, code units agree. */
const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function fieldDiffs(old: Flat, next: Flat, contextual: boolean): NomadFieldDiff[] | null {
  const diffs: NomadFieldDiff[] = [];
  for (const name of new Set([...old.keys(), ...next.keys()])) {
    const diff = fieldDiff(old.get(name) ?? '', next.get(name) ?? '', name, contextual);
    if (diff) diffs.push(diff);
  }
  return diffs.length > 0 ? diffs.sort(compareFields) : null;
}

// ---- objects --------------------------------------------------------------------------------

/** Edited > Added > Deleted > None, the order Nomad sorts same-named objects in. */
const typeRank: Record<DiffType, number> = { Edited: 0, Added: 1, Deleted: 2, None: 3 };

/** Nomad's ObjectDiff.Less: name, type, then how much changed. */
function compareObjects(a: NomadObjectDiff, b: NomadObjectDiff): number {
  if (isDeepStrictEqual(a, b)) return 0;
  const byName = compareStrings(a.Name, b.Name) || typeRank[a.Type] - typeRank[b.Type];
  if (byName !== 0) return byName;
  const fa = a.Fields ?? [];
  const fb = b.Fields ?? [];
  const oa = a.Objects ?? [];
  const ob = b.Objects ?? [];
  if (fa.length !== fb.length) return fa.length - fb.length;
  if (oa.length !== ob.length) return oa.length - ob.length;
  for (let i = 0; i < fa.length; i++) {
    const c = compareFields(fa[i]!, fb[i]!);
    if (c !== 0) return c;
  }
  for (let i = 0; i < oa.length; i++) {
    const c = compareObjects(oa[i]!, ob[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

const sortedObjects = (diffs: NomadObjectDiff[]): NomadObjectDiff[] => diffs.sort(compareObjects);
const orNull = <T>(items: T[]): T[] | null => (items.length > 0 ? items : null);

/** The type of an object from its fields' (Nomad's primitiveObjectDiff); null when none changed. */
function typeFromFields(fields: readonly NomadFieldDiff[] | null): DiffType | null {
  const types = new Set((fields ?? []).map((f) => f.Type));
  if (types.has('Edited') || (types.has('Added') && types.has('Deleted'))) return 'Edited';
  if (types.has('Added')) return 'Added';
  if (types.has('Deleted')) return 'Deleted';
  return null;
}

/** A block of primitives (RestartPolicy, Update, a port, a constraint): null when unchanged. */
function primitiveObjectDiff(
  old: object | null | undefined,
  next: object | null | undefined,
  filter: readonly string[],
  name: string,
  contextual: boolean,
): NomadObjectDiff | null {
  const Fields = fieldDiffs(primitiveFlat(old, filter), primitiveFlat(next, filter), contextual);
  const Type = typeFromFields(Fields);
  return Type ? { Type, Name: name, Fields, Objects: null } : null;
}

/**
 * Blocks matched by their whole content (Nomad hashes them): an edited one is the old one Deleted
 * and the new one Added.
 */
function primitiveObjectSetDiff(old: readonly object[], next: readonly object[], name: string, contextual: boolean): NomadObjectDiff[] {
  const setOf = (items: readonly object[]) => new Map(items.map((item) => [JSON.stringify(item), item]));
  const oldSet = setOf(old);
  const newSet = setOf(next);
  const diffs: NomadObjectDiff[] = [];
  for (const [key, item] of oldSet) {
    const diff = primitiveObjectDiff(item, newSet.get(key), [], name, contextual);
    if (diff) diffs.push(diff);
  }
  for (const [key, item] of newSet) {
    const diff = oldSet.has(key) ? null : primitiveObjectDiff(null, item, [], name, contextual);
    if (diff) diffs.push(diff);
  }
  return sortedObjects(diffs);
}

/** A set of strings (Datacenters, Tags): each member is a field named after the set. */
function stringSetDiff(old: readonly string[] | null, next: readonly string[] | null, name: string, contextual: boolean): NomadObjectDiff | null {
  const oldSet = new Set(old ?? []);
  const newSet = new Set(next ?? []);
  const removed = [...oldSet].filter((s) => !newSet.has(s));
  const added = [...newSet].filter((s) => !oldSet.has(s));
  if (removed.length === 0 && added.length === 0 && !contextual) return null;
  const fields = [
    ...removed.map((s) => fieldDiff(s, '', name, contextual)!),
    ...(contextual ? [...oldSet].filter((s) => newSet.has(s)).map((s) => fieldDiff(s, s, name, contextual)!) : []),
    ...added.map((s) => fieldDiff('', s, name, contextual)!),
  ].sort(compareFields);
  if (fields.length === 0) return null;
  const Type: DiffType = added.length > 0 && removed.length > 0 ? 'Edited' : added.length > 0 ? 'Added' : removed.length > 0 ? 'Deleted' : 'None';
  return { Type, Name: name, Fields: fields, Objects: null };
}

/** Added, Deleted or Edited by which side exists; null when both are equal. */
function presenceType(old: unknown, next: unknown): DiffType | null {
  if (isDeepStrictEqual(old, next)) return null;
  if (old === null || old === undefined) return 'Added';
  if (next === null || next === undefined) return 'Deleted';
  return 'Edited';
}

/** Nomad fills an affinity's missing weight with 50 (api.Affinity.Canonicalize). */
const canonicalAffinity = (a: NomadAffinity) => ({ LTarget: a.LTarget, RTarget: a.RTarget, Operand: a.Operand, Weight: a.Weight ?? 50 });
const constraintsDiff = (old: readonly NomadConstraint[] | null, next: readonly NomadConstraint[] | null, contextual: boolean) =>
  primitiveObjectSetDiff(old ?? [], next ?? [], 'Constraint', contextual);
const affinitiesDiff = (old: readonly NomadAffinity[] | null, next: readonly NomadAffinity[] | null, contextual: boolean) =>
  primitiveObjectSetDiff((old ?? []).map(canonicalAffinity), (next ?? []).map(canonicalAffinity), 'Affinity', contextual);

/** Ports by label; a dynamic port's Value is the scheduler's, so it is left out. */
function portDiffs(old: readonly NomadPort[] | null, next: readonly NomadPort[] | null, dynamic: boolean, contextual: boolean): NomadObjectDiff[] {
  const byLabel = (ports: readonly NomadPort[] | null) => new Map((ports ?? []).map((p) => [p.Label, p]));
  const oldPorts = byLabel(old);
  const newPorts = byLabel(next);
  const name = dynamic ? 'Dynamic Port' : 'Static Port';
  const filter = dynamic ? ['Value'] : [];
  const diffs: NomadObjectDiff[] = [];
  for (const [label, port] of oldPorts) {
    const diff = primitiveObjectDiff(port, newPorts.get(label), filter, name, contextual);
    if (diff) diffs.push(diff);
  }
  for (const [label, port] of newPorts) {
    const diff = oldPorts.has(label) ? null : primitiveObjectDiff(null, port, filter, name, contextual);
    if (diff) diffs.push(diff);
  }
  return sortedObjects(diffs);
}

function networkDiff(old: NomadNetworkResource | null, next: NomadNetworkResource | null, contextual: boolean): NomadObjectDiff | null {
  const Type = presenceType(old, next);
  if (!Type) return null;
  const Objects = [
    ...portDiffs(old?.ReservedPorts ?? null, next?.ReservedPorts ?? null, false, contextual),
    ...portDiffs(old?.DynamicPorts ?? null, next?.DynamicPorts ?? null, true, contextual),
  ];
  return { Type, Name: 'Network', Fields: fieldDiffs(primitiveFlat(old), primitiveFlat(next), contextual), Objects: orNull(Objects) };
}

/** Networks by their whole content, as Nomad hashes them. */
function networksDiff(old: readonly NomadNetworkResource[] | null, next: readonly NomadNetworkResource[] | null, contextual: boolean): NomadObjectDiff[] {
  const setOf = (items: readonly NomadNetworkResource[] | null) => new Map((items ?? []).map((n) => [JSON.stringify(n), n]));
  const oldSet = setOf(old);
  const newSet = setOf(next);
  const diffs: NomadObjectDiff[] = [];
  for (const [key, n] of oldSet) if (!newSet.has(key)) diffs.push(networkDiff(n, null, contextual)!);
  for (const [key, n] of newSet) if (!oldSet.has(key)) diffs.push(networkDiff(null, n, contextual)!);
  return sortedObjects(diffs);
}

function checkDiff(old: NomadServiceCheck | undefined, next: NomadServiceCheck | undefined, contextual: boolean): NomadObjectDiff | null {
  const Type = presenceType(old, next);
  if (!Type) return null;
  return { Type, Name: 'Check', Fields: fieldDiffs(primitiveFlat(old), primitiveFlat(next), contextual), Objects: null };
}

/** Checks by name. */
function checksDiff(old: readonly NomadServiceCheck[] | null, next: readonly NomadServiceCheck[] | null, contextual: boolean): NomadObjectDiff[] {
  const byName = (checks: readonly NomadServiceCheck[] | null) => new Map((checks ?? []).map((c) => [c.Name, c]));
  const oldChecks = byName(old);
  const newChecks = byName(next);
  const diffs: NomadObjectDiff[] = [];
  for (const [name, c] of oldChecks) {
    const diff = checkDiff(c, newChecks.get(name), contextual);
    if (diff) diffs.push(diff);
  }
  for (const [name, c] of newChecks) {
    const diff = oldChecks.has(name) ? null : checkDiff(undefined, c, contextual);
    if (diff) diffs.push(diff);
  }
  return sortedObjects(diffs);
}

function serviceDiff(old: NomadService | undefined, next: NomadService | undefined, contextual: boolean): NomadObjectDiff | null {
  const Type = presenceType(old, next);
  if (!Type) return null;
  const tags = stringSetDiff(old?.Tags ?? null, next?.Tags ?? null, 'Tags', contextual);
  const Objects = [...(tags ? [tags] : []), ...checksDiff(old?.Checks ?? null, next?.Checks ?? null, contextual)];
  return { Type, Name: 'Service', Fields: fieldDiffs(primitiveFlat(old), primitiveFlat(next), contextual), Objects: orNull(Objects) };
}

/**
 * Services have no identity, so Nomad pairs each old one with the unpaired new one scoring best
 * above 2: same name 3, same port label 2, same position 1 (nomad/structs/diff.go
 * findServiceMatch). Unpaired ones are Deleted or Added.
 */
function servicesDiff(old: readonly NomadService[] | null, next: readonly NomadService[] | null, contextual: boolean): NomadObjectDiff[] {
  const olds = old ?? [];
  const news = next ?? [];
  if (olds.length === 1 && news.length === 1) {
    const diff = serviceDiff(olds[0], news[0], contextual);
    return diff ? [diff] : [];
  }
  const paired = new Set<number>();
  const diffs: NomadObjectDiff[] = [];
  olds.forEach((service, oldIndex) => {
    let best = -1;
    let bestScore = 0;
    news.forEach((candidate, i) => {
      if (paired.has(i)) return;
      const score = (i === oldIndex ? 1 : 0) + (service.PortLabel === candidate.PortLabel ? 2 : 0) + (service.Name === candidate.Name ? 3 : 0);
      if (score > 2 && score > bestScore) [best, bestScore] = [i, score];
    });
    if (best >= 0) paired.add(best);
    const diff = serviceDiff(service, best >= 0 ? news[best] : undefined, contextual);
    if (diff) diffs.push(diff);
  });
  news.forEach((service, i) => {
    if (!paired.has(i)) diffs.push(serviceDiff(undefined, service, contextual)!);
  });
  return sortedObjects(diffs);
}

/** A task's driver config: one object named "Config" whose fields are the flattened keys. */
function configDiff(old: Record<string, unknown> | null, next: Record<string, unknown> | null, contextual: boolean): NomadObjectDiff | null {
  if (isDeepStrictEqual(old, next)) return null;
  const empty = (c: Record<string, unknown> | null) => !c || Object.keys(c).length === 0;
  const Type: DiffType = empty(old) ? 'Added' : empty(next) ? 'Deleted' : 'Edited';
  return { Type, Name: 'Config', Fields: fieldDiffs(configFlat(old), configFlat(next), contextual), Objects: null };
}

function resourcesDiff(old: NomadTask['Resources'] | null, next: NomadTask['Resources'] | null, contextual: boolean): NomadObjectDiff | null {
  const Type = presenceType(old, next);
  if (!Type) return null;
  return { Type, Name: 'Resources', Fields: fieldDiffs(primitiveFlat(old), primitiveFlat(next), contextual), Objects: null };
}

const present = <T>(diff: T | null): T[] => (diff ? [diff] : []);

// ---- tasks, groups, job ---------------------------------------------------------------------

/** Nomad's Task.Diff: Lifecycle and RestartPolicy are not diffed (they only make the task Edited). */
function taskDiff(old: NomadTask | undefined, next: NomadTask | undefined, contextual: boolean): NomadTaskDiff {
  const Type: DiffType = !old ? 'Added' : !next ? 'Deleted' : isDeepStrictEqual(old, next) ? 'None' : 'Edited';
  const filter = ['Name', 'Config'];
  const Objects = [
    ...present(configDiff(old?.Config ?? null, next?.Config ?? null, contextual)),
    ...present(resourcesDiff(old?.Resources ?? null, next?.Resources ?? null, contextual)),
    ...servicesDiff(old?.Services ?? null, next?.Services ?? null, contextual),
  ];
  return {
    Type,
    Name: (next ?? old)!.Name,
    Fields: fieldDiffs(primitiveFlat(old, filter), primitiveFlat(next, filter), false),
    Objects: orNull(Objects),
    Annotations: null,
  };
}

/** Groups and tasks are matched by name and listed by name. */
function byName<T extends { Name: string }, D>(old: readonly T[], next: readonly T[], diff: (a: T | undefined, b: T | undefined) => D): D[] {
  const olds = new Map(old.map((x) => [x.Name, x]));
  const news = new Map(next.map((x) => [x.Name, x]));
  const names = [...new Set([...olds.keys(), ...news.keys()])].sort(compareStrings);
  return names.map((name) => diff(olds.get(name), news.get(name)));
}

/**
 * A group's ShutdownDelay is a pointer Nomad diffs by hand, and only between two existing groups
 * ("" when unset).
 */
function shutdownDelayFlat(group: NomadTaskGroup): [string, string] {
  return ['ShutdownDelay', group.ShutdownDelay === null ? '' : goScalar(group.ShutdownDelay)];
}

/** Nomad's TaskGroup.Diff; Spreads are not diffed, as in Nomad. */
function taskGroupDiff(old: NomadTaskGroup | undefined, next: NomadTaskGroup | undefined, contextual: boolean): NomadTaskGroupDiff {
  const Type: DiffType = !old ? 'Added' : !next ? 'Deleted' : isDeepStrictEqual(old, next) ? 'None' : 'Edited';
  const filter = ['Name', 'ShutdownDelay'];
  const oldFlat = primitiveFlat(old, filter);
  const newFlat = primitiveFlat(next, filter);
  if (old && next) {
    oldFlat.set(...shutdownDelayFlat(old));
    newFlat.set(...shutdownDelayFlat(next));
  }
  const Objects = [
    ...constraintsDiff(old?.Constraints ?? null, next?.Constraints ?? null, contextual),
    ...affinitiesDiff(old?.Affinities ?? null, next?.Affinities ?? null, contextual),
    ...present(primitiveObjectDiff(old?.RestartPolicy, next?.RestartPolicy, [], 'RestartPolicy', contextual)),
    ...present(primitiveObjectDiff(old?.ReschedulePolicy, next?.ReschedulePolicy, [], 'ReschedulePolicy', contextual)),
    ...present(primitiveObjectDiff(old?.EphemeralDisk, next?.EphemeralDisk, [], 'EphemeralDisk', contextual)),
    // Stagger is a job-level setting Nomad leaves out of a group's diff.
    ...present(primitiveObjectDiff(old?.Update, next?.Update, ['Stagger'], 'Update', contextual)),
    ...networksDiff(old?.Networks ?? null, next?.Networks ?? null, contextual),
    ...servicesDiff(old?.Services ?? null, next?.Services ?? null, contextual),
  ];
  return {
    Type,
    Name: (next ?? old)!.Name,
    Fields: fieldDiffs(oldFlat, newFlat, false),
    Objects: orNull(Objects),
    Tasks: orNull(byName(old?.Tasks ?? [], next?.Tasks ?? [], (a, b) => taskDiff(a, b, contextual))),
    Updates: null,
  };
}

/** What changes every version and is not the job's specification. */
const jobFilter = ['ID', 'Status', 'StatusDescription', 'Version', 'Stable', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex', 'Update', 'SubmitTime'];

/**
 * The diff from `old` (null: the job is new) to `next`, as Nomad's server writes api.JobDiff.
 * `contextual` lists the unchanged fields of changed blocks, as plans and version diffs ask for.
 */
export function jobDiff(old: NomadApiJob | null, next: NomadApiJob, contextual = false): NomadJobDiff {
  const datacenters = stringSetDiff(old?.Datacenters ?? null, next.Datacenters, 'Datacenters', contextual);
  const parameterized = parameterizedJobDiff(old?.ParameterizedJob ?? null, next.ParameterizedJob, contextual);
  const Objects = [
    ...(datacenters && datacenters.Type !== 'None' ? [datacenters] : []),
    ...constraintsDiff(old?.Constraints ?? null, next.Constraints, contextual),
    ...affinitiesDiff(old?.Affinities ?? null, next.Affinities, contextual),
    ...present(primitiveObjectDiff(old?.Periodic, next.Periodic, [], 'Periodic', contextual)),
    ...present(parameterized),
  ];
  const Fields = fieldDiffs(primitiveFlat(old, jobFilter), primitiveFlat(next, jobFilter), false);
  const TaskGroups = byName(old?.TaskGroups ?? [], next.TaskGroups, (a, b) => taskGroupDiff(a, b, contextual));
  const changed = [...(Fields ?? []), ...Objects, ...TaskGroups].some((d) => d.Type !== 'None');
  return { Type: old === null ? 'Added' : changed ? 'Edited' : 'None', ID: next.ID, Fields, Objects: orNull(Objects), TaskGroups: orNull(TaskGroups) };
}

function parameterizedJobDiff(old: NomadApiJob['ParameterizedJob'], next: NomadApiJob['ParameterizedJob'], contextual: boolean): NomadObjectDiff | null {
  const Type = presenceType(old, next);
  if (!Type) return null;
  const Objects = [
    ...present(stringSetDiff(old?.MetaOptional ?? null, next?.MetaOptional ?? null, 'MetaOptional', contextual)),
    ...present(stringSetDiff(old?.MetaRequired ?? null, next?.MetaRequired ?? null, 'MetaRequired', contextual)),
  ];
  return { Type, Name: 'ParameterizedJob', Fields: fieldDiffs(primitiveFlat(old), primitiveFlat(next), contextual), Objects: orNull(Objects) };
}
