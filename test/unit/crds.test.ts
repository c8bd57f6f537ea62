import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nomadJobCrd } from '../../src/crd/nomad-job-crd.ts';
import type { Schema } from '../../src/crd/openapi.ts';
import { renderCrdFiles } from '../../src/crd/render.ts';
import { defaultResources, defaultUpdateStrategy } from '../../src/model/defaults.ts';
import { parseDuration } from '../../src/model/duration.ts';
import { fromProjectRoot } from '../../src/project.ts';

const specSchema = (nomadJobCrd() as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } }).spec.versions[0]!.schema.openAPIV3Schema.properties![
  'spec'
]!;

describe('crds/', () => {
  it.each(Object.entries(renderCrdFiles()))('%s is what `npm run gen:crds` writes (regenerate after changing src/crd/)', (name, text) => {
    expect(readFileSync(path.join(fromProjectRoot('crds'), name), 'utf8')).toBe(text);
    expect(load(text)).toMatchObject({ kind: 'CustomResourceDefinition' });
  });

  it.each(Object.entries(renderCrdFiles()))("%s is also the Helm chart's copy in charts/caravan/files/crds", (name, text) => {
    expect(readFileSync(fromProjectRoot('charts', 'caravan', 'files', 'crds', name), 'utf8')).toBe(text);
  });
});

describe("the CRD and the model agree on Nomad's defaults", () => {
  const update = specSchema.properties!['update']!.properties!;
  it.each(Object.entries(defaultUpdateStrategy).filter(([field]) => field !== 'canarySteps'))(
    "job-level update.%s defaults to the model's value",
    (field, value) => {
      const schemaDefault = update[field]!.default;
      expect(typeof value === 'number' && typeof schemaDefault === 'string' ? parseDuration(schemaDefault) : schemaDefault).toBe(value);
    },
  );

  it('group-level update fields have no defaults (Nomad overlays only the fields a group sets)', () => {
    const groupUpdate = specSchema.properties!['taskGroups']!.items!.properties!['update']!.properties!;
    expect(Object.values(groupUpdate).filter((s) => s.default !== undefined)).toEqual([]);
  });

  it("task resources default to the model's", () => {
    const resources = specSchema.properties!['taskGroups']!.items!.properties!['tasks']!.items!.properties!['resources']!.properties!;
    expect(resources['cpu']!.default).toBe(defaultResources.cpu);
    expect(resources['memoryMB']!.default).toBe(defaultResources.memoryMB);
  });

  it('every node of the schema is described, so kubectl explain documents it', () => {
    const undocumented: string[] = [];
    const walk = (s: Schema, at: string) => {
      if (!s.description) undocumented.push(at);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
      if (s.items?.properties) for (const [k, v] of Object.entries(s.items.properties)) walk(v, `${at}[].${k}`);
    };
    walk(specSchema, 'spec');
    expect(undocumented).toEqual([]);
  });
});
