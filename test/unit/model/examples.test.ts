import { loadAll } from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNomadJob } from '../../../src/model/validate.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';

const dir = fromProjectRoot('examples');
const jobs = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) => (loadAll(readFileSync(path.join(dir, file), 'utf8')) as NomadJob[]).map((job) => ({ file, job })))
  .filter(({ job }) => job.kind === 'NomadJob');

describe('examples/', () => {
  it('holds at least five NomadJobs', () => expect(jobs.length).toBeGreaterThanOrEqual(5));

  it.each(jobs.map(({ file, job }) => [file, job] as const))("%s passes Caravan's validation", (_file, job) => {
    const parsed = parseNomadJob(job.metadata.name, 'default', job.spec);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });
});
