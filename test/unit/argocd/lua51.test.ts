import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { customizationsDir, lua51Problems, luaCodeOnly, runLua } from './lua-harness.ts';

const scripts = readdirSync(customizationsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.lua'))
  .sort();

/**
 * wasmoon runs Lua 5.4; Argo CD runs gopher-lua (5.1) without the string and math libraries.
 * What the VM would not catch is kept out of the scripts by reading them.
 */
describe('the scripts stay within what Argo CD runs', () => {
  it('finds the scripts', () => {
    expect(scripts).toEqual(expect.arrayContaining(['NomadJob/health.lua', 'NomadDeployment/health.lua', 'NomadDeployment/actions/discovery.lua']));
  });

  it.each(scripts)('%s uses only Lua 5.1 and the base and table libraries', (file) => {
    expect(lua51Problems(readFileSync(path.join(customizationsDir, file), 'utf8'))).toEqual([]);
  });

  it.each([
    ['local x = a // 2', 'floor division'],
    ['goto done', 'goto'],
    ['local x = a / 2', 'division'],
    ['local s = string.format("%d", 1)', 'a library'],
    ['local n = math.max(1, 2)', 'a library'],
    ['local s = name:upper()', 'method calls'],
    ['local a, b = table.unpack(t)', 'table.unpack'],
    ['local x = a ~ b', 'bitwise'],
  ])('flags %s', (line, why) => {
    expect(lua51Problems(line).join()).toContain(why);
  });

  it.each([
    ['local m = "a // b: c:d() / e"', 'inside a string'],
    ['-- a / b, string.format, x:y()', 'inside a comment'],
    ['if a ~= b then return { status = "Healthy" } end', '~= is not bitwise'],
    ['local s = [[ long / string ]]', 'inside a long string'],
  ])('does not flag %s (%s)', (line) => {
    expect(lua51Problems(line)).toEqual([]);
  });

  it('keeps line numbers when it removes comments and strings', () => {
    expect(luaCodeOnly('--[[ a\nb ]]\nx = [[c\nd]]\ny = 1').split('\n')).toHaveLength(5);
  });
});

describe('the harness gives scripts what Argo CD gives them', () => {
  it.each([
    ['return type(string)', 'nil'],
    ['return type(math)', 'nil'],
    ['return type(io)', 'nil'],
    ['return pcall(function() return ("x"):upper() end) and "method" or "no method"', 'no method'],
    ['return type(os.time) .. " " .. type(os.execute)', 'function nil'],
    ['return type(unpack)', 'function'],
    ['return type(table.sort) .. " " .. type(table.concat)', 'function function'],
    ['return obj.metadata.name .. " " .. obj.metadata.generation', 'web 3'],
    ['return type(obj.status.gone)', 'nil'],
  ])('%s → %s', async (script, expected) => {
    expect(await runLua(script, { metadata: { name: 'web', generation: 3 }, status: { gone: null } })).toBe(expected);
  });
});
