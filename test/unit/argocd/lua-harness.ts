import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { LuaFactory } from 'wasmoon';

/** `argocd/resource_customizations/caravan.dev`: one folder per kind, in Argo CD's layout. */
export const customizationsDir = fileURLToPath(new URL('../../../argocd/resource_customizations/caravan.dev/', import.meta.url));

export type HealthStatusCode = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
export interface HealthStatus {
  status: HealthStatusCode;
  message?: string;
}
export interface DiscoveredAction {
  name: string;
  disabled: boolean;
  displayName?: string;
  iconClass?: string;
}

/**
 * Argo CD gives scripts from argocd-cm only the base, table and package libraries and an `os` with
 * just `time` and `date` (util/lua/lua.go, oslib_safe.go), and runs them in gopher-lua, which is
 * Lua 5.1. wasmoon is Lua 5.4, so the prelude takes away what Argo does not give (string, math,
 * io, debug, coroutine, utf8, and `s:method()` calls on strings) and adds 5.1's global `unpack`.
 */
const sandbox = `
unpack = table.unpack
local time, date = os.time, os.date
os = { time = time, date = date }
package.loaded.os = os
for _, name in ipairs({ "string", "math", "io", "debug", "coroutine", "utf8" }) do
  _G[name] = nil
  package.loaded[name] = nil
end
getmetatable("").__index = nil
`;

const factory = new LuaFactory();

/** Argo CD hands the object over as JSON: null is absent (nil) in Lua. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === null ? [] : [[k, withoutNulls(v)]])));
  }
  return value;
}

/** Runs `script` with the global `obj` in a fresh VM, as Argo CD does for every evaluation, and returns its result as JSON. */
export async function runLua(script: string, obj: object): Promise<unknown> {
  const engine = await factory.createEngine({ enableProxy: false, injectObjects: false });
  try {
    await engine.doString(sandbox);
    engine.global.set('obj', withoutNulls(obj));
    return await engine.doString(script);
  } finally {
    engine.global.close();
  }
}

export async function evaluateHealth(script: string, obj: object): Promise<HealthStatus> {
  const result = await runLua(script, obj);
  if (result === null || typeof result !== 'object' || Array.isArray(result)) throw new Error(`health.lua returned ${JSON.stringify(result)}, not a table`);
  return result as HealthStatus;
}

/** discovery.lua returns `{ [name] = { disabled = bool } }`; an action without `disabled` is enabled (Argo CD's rule). */
export async function discoverActions(script: string, obj: object): Promise<DiscoveredAction[]> {
  const result = (await runLua(script, obj)) as Record<string, Partial<Omit<DiscoveredAction, 'name'>>> | unknown[];
  if (Array.isArray(result)) return [];
  return Object.entries(result)
    .map(([name, a]) => ({ ...a, name, disabled: a.disabled === true }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * action.lua returns the changed object. Lua cannot tell an empty array from an empty map; like
 * Argo CD (cleanReturnedObj) an empty table where the input had something else takes the input's shape.
 */
export async function runAction(script: string, obj: object): Promise<Record<string, unknown>> {
  const result = await runLua(script, obj);
  if (result === null || typeof result !== 'object' || Array.isArray(result)) throw new Error(`action.lua returned ${JSON.stringify(result)}, not an object`);
  return cleanReturned(result, withoutNulls(obj)) as Record<string, unknown>;
}

function cleanReturned(returned: unknown, input: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isMap(returned) && Object.keys(returned).length === 0 && Array.isArray(input)) return input;
  if (Array.isArray(returned) && Array.isArray(input)) return returned.map((v, i) => cleanReturned(v, input[i]));
  if (isMap(returned) && isMap(input)) return Object.fromEntries(Object.entries(returned).map(([k, v]) => [k, cleanReturned(v, input[k])]));
  return returned;
}

export function readScript(kindDir: string, file: string): string {
  return readFileSync(path.join(kindDir, file), 'utf8');
}

export function readYaml<T>(file: string): T {
  return load(readFileSync(file, 'utf8')) as T;
}

/**
 * Constructs Lua 5.4 has and gopher-lua (5.1) lacks, or libraries Argo CD does not give user
 * scripts. Checked on the code with comments and string literals taken out.
 */
const notIn51: readonly [RegExp, string][] = [
  [/\/\//, 'floor division // (5.3)'],
  [/\bgoto\b|::/, 'goto and labels (5.2)'],
  [/[&|]|~(?!=)|<<|>>/, 'bitwise operators (5.3)'],
  [/\//, 'division: 5.4 formats its float result as "2.0" where 5.1 says "2"'],
  [/\b(string|math|utf8|io|debug|coroutine)\s*\./, 'a library Argo CD does not give scripts from argocd-cm'],
  [/\btable\s*\.\s*(unpack|move|pack)\b/, 'table.unpack/move/pack (5.2+)'],
  [/\b(load|loadstring|setfenv|getfenv|require)\s*\(/, 'loading code or environments'],
  [/:\s*[A-Za-z_]\w*\s*\(/, 'method calls (strings have no methods without the string library)'],
];

export function luaCodeOnly(source: string): string {
  let code = '';
  let i = 0;
  const longBracket = (at: number) => /^\[(=*)\[/.exec(source.slice(at));
  const skipLong = (open: RegExpExecArray) => {
    const close = source.indexOf(`]${open[1]}]`, i + open[0].length);
    const end = close < 0 ? source.length : close + open[1]!.length + 2;
    const skipped = source.slice(i, end);
    i = end;
    return skipped.replace(/[^\n]/g, '');
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '-' && source[i + 1] === '-') {
      i += 2;
      const open = longBracket(i);
      if (open) code += skipLong(open);
      else while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      i++;
      code += '""';
    } else if (c === '[' && longBracket(i)) {
      code += `""${skipLong(longBracket(i)!)}`;
    } else {
      code += c;
      i++;
    }
  }
  return code;
}

/** What in `source` would break or behave differently under Argo CD; empty when nothing. */
export function lua51Problems(source: string): string[] {
  const code = luaCodeOnly(source);
  return code.split('\n').flatMap((line, i) => notIn51.filter(([pattern]) => pattern.test(line)).map(([, why]) => `line ${i + 1}: ${why}: ${line.trim()}`));
}
