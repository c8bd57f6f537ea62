import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { customizationsDir, discoverActions, readScript, readYaml, runAction, type DiscoveredAction } from './lua-harness.ts';

interface ActionTests {
  discoveryTests: { inputPath: string; result: DiscoveredAction[] }[];
  actionTests: { action: string; inputPath: string; expectedOutputPath: string }[];
}

/** Argo CD's action_test.yaml is the spec: discovery on each input, each action from input to expected output. */
describe('NomadDeployment actions', () => {
  const dir = path.join(customizationsDir, 'NomadDeployment', 'actions');
  const spec = readYaml<ActionTests>(path.join(dir, 'action_test.yaml'));
  const discovery = readScript(dir, 'discovery.lua');

  it.each(spec.discoveryTests.map((t) => [t.inputPath, t] as const))('discovery on %s', async (_name, t) => {
    const obj = readYaml<object>(path.join(dir, t.inputPath));
    const byName = (a: DiscoveredAction, b: DiscoveredAction) => a.name.localeCompare(b.name);
    expect(await discoverActions(discovery, obj)).toEqual([...t.result].sort(byName));
  });

  it.each(spec.actionTests.map((t) => [`${t.action} on ${t.inputPath}`, t] as const))('%s', async (_name, t) => {
    const input = readYaml<object>(path.join(dir, t.inputPath));
    const expected = readYaml<object>(path.join(dir, t.expectedOutputPath));
    expect(await runAction(readScript(dir, `${t.action}/action.lua`), input)).toEqual(expected);
  });

  it('uses every file in testdata/', () => {
    const used = new Set([...spec.discoveryTests.map((t) => t.inputPath), ...spec.actionTests.flatMap((t) => [t.inputPath, t.expectedOutputPath])]);
    expect([...used].sort()).toEqual(
      readdirSync(path.join(dir, 'testdata'))
        .map((f) => `testdata/${f}`)
        .sort(),
    );
  });

  it('tests every action the discovery offers', async () => {
    const offered = new Set(spec.discoveryTests.flatMap((t) => t.result.map((a) => a.name)));
    expect(new Set(spec.actionTests.map((t) => t.action))).toEqual(offered);
  });
});
