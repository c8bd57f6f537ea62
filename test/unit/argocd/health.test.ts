import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { customizationsDir, evaluateHealth, readScript, readYaml, type HealthStatus } from './lua-harness.ts';

interface HealthTest {
  inputPath: string;
  healthStatus: HealthStatus;
}

/** Argo CD's health_test.yaml is the spec: every case runs health.lua on its fixture in a Lua VM. */
describe.each(['NomadJob', 'NomadDeployment'])('%s health.lua', (kind) => {
  const dir = path.join(customizationsDir, kind);
  const script = readScript(dir, 'health.lua');
  const { tests } = readYaml<{ tests: HealthTest[] }>(path.join(dir, 'health_test.yaml'));

  it.each(tests.map((t) => [t.inputPath, t] as const))('%s', async (_name, t) => {
    const obj = readYaml<object>(path.join(dir, t.inputPath));
    expect(await evaluateHealth(script, obj)).toEqual(t.healthStatus);
  });

  it('has a case for every fixture in testdata/', () => {
    const fixtures = readdirSync(path.join(dir, 'testdata'))
      .map((f) => `testdata/${f}`)
      .sort();
    expect([...new Set(tests.map((t) => t.inputPath))].sort()).toEqual(fixtures);
  });

  it('never answers Unknown or fails, whatever part of the status is missing', async () => {
    const bare = [
      {},
      { metadata: {} },
      { metadata: { generation: 1 }, status: {} },
      { metadata: { generation: 1 }, spec: {}, status: { observedGeneration: 1 } },
    ];
    for (const obj of bare) {
      const health = await evaluateHealth(script, obj);
      expect(['Healthy', 'Progressing', 'Degraded', 'Suspended']).toContain(health.status);
      expect(typeof health.message).toBe('string');
    }
  });
});
