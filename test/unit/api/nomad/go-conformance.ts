import { goStructs, type GoKind } from './go-structs.ts';

/**
 * Keys Nomad's server writes that the Go client's structs leave out (the client ignores them):
 * Caravan writes them too, for clients that read the JSON themselves (the web UI, scripts).
 */
export const serverOnlyFields: Readonly<Record<string, readonly string[]>> = {
  // nomad/structs DeploymentState.AutoPromote and Deployment.EvalPriority.
  DeploymentState: ['AutoPromote'],
  Deployment: ['EvalPriority'],
  // The server's QueryMeta is flattened into the body as Index (the Go client reads X-Nomad-Index).
  JobVersionsResponse: ['Index'],
};

const goTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Where `value` would not decode into the Go struct `struct` without loss: unknown keys, values of
 * the wrong JSON type, null where Go has no nil. Checked on the JSON text, as a client reads it.
 */
export function goProblems(value: unknown, struct: string): string[] {
  const problems: string[] = [];
  checkStruct(JSON.parse(JSON.stringify(value)), struct, struct, problems);
  return problems;
}

function checkStruct(value: unknown, struct: string, path: string, problems: string[]): void {
  const fields = goStructs[struct];
  if (!fields) return void problems.push(`${path}: no Go struct ${struct} in the table`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return void problems.push(`${path}: expected a ${struct} object, got ${JSON.stringify(value)}`);
  for (const [key, v] of Object.entries(value)) {
    const kind = fields[key];
    if (kind === undefined) {
      if (!serverOnlyFields[struct]?.includes(key)) problems.push(`${path}.${key}: not a field of api.${struct}`);
      continue;
    }
    checkKind(v, kind, `${path}.${key}`, problems);
  }
}

function checkKind(value: unknown, kind: GoKind, path: string, problems: string[]): void {
  const wrong = (what: string) => problems.push(`${path}: expected ${what}, got ${JSON.stringify(value)}`);
  if (typeof kind === 'object' && 'nullable' in kind) {
    if (value !== null) checkKind(value, kind.nullable, path, problems);
    return;
  }
  if (value === null) return void wrong(`a non-null ${JSON.stringify(kind)}`);
  if (typeof kind === 'string') {
    switch (kind) {
      case 'string':
      case 'bytes':
        if (typeof value !== 'string') wrong('a string');
        return;
      case 'bool':
        if (typeof value !== 'boolean') wrong('a boolean');
        return;
      case 'int':
      case 'duration':
        if (!Number.isInteger(value)) wrong('an integer');
        return;
      case 'uint':
        if (!Number.isInteger(value) || (value as number) < 0) wrong('a non-negative integer');
        return;
      case 'float':
        if (typeof value !== 'number') wrong('a number');
        return;
      case 'time':
        if (typeof value !== 'string' || !goTimePattern.test(value)) wrong('an RFC 3339 time');
        return;
      case 'any':
        return;
    }
  }
  if ('struct' in kind) {
    checkStruct(value, kind.struct, path, problems);
    return;
  }
  if ('list' in kind || 'listOf' in kind) {
    if (!Array.isArray(value)) {
      wrong('a list');
      return;
    }
    for (const [i, item] of value.entries()) {
      if ('list' in kind) checkStruct(item, kind.list, `${path}[${i}]`, problems);
      else checkKind(item, kind.listOf, `${path}[${i}]`, problems);
    }
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return void wrong('a map');
  for (const [k, item] of Object.entries(value as object)) {
    if ('map' in kind) checkStruct(item, kind.map, `${path}[${JSON.stringify(k)}]`, problems);
    else checkKind(item, kind.mapOf, `${path}[${JSON.stringify(k)}]`, problems);
  }
}
