import { describe, expect, it } from 'vitest';
import { ParsedSpecs } from '../../../src/controller/parsed-specs.ts';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';

const spec = (image: string): NomadJobSpec => ({ taskGroups: [{ name: 'app', count: 1, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }] });

describe('ParsedSpecs', () => {
  it('parses a spec object once, and a changed one (a new object from the informer) again', () => {
    const specs = new ParsedSpecs();
    const v1 = spec('app:1');
    const first = specs.parse('web', 'shop', v1);
    expect(first.ok).toBe(true);
    expect(specs.parse('web', 'shop', v1)).toBe(first);
    const v2 = spec('app:2');
    const second = specs.parse('web', 'shop', v2);
    expect(second).not.toBe(first);
    expect(second.ok && second.job.taskGroups[0]?.tasks[0]?.config).toMatchObject({ image: 'app:2' });
  });

  it('does not hand one job the parse of another with the same spec object', () => {
    const specs = new ParsedSpecs();
    const shared = spec('app:1');
    const web = specs.parse('web', 'shop', shared);
    const api = specs.parse('api', 'shop', shared);
    expect(web.ok && web.job.name).toBe('web');
    expect(api.ok && api.job.name).toBe('api');
  });
});
