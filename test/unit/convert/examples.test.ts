import { load } from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNomadJob } from '../../../src/model/validate.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';
import { convertFile, exampleFile, messages } from './helpers.ts';

const nomadFiles = readdirSync(fromProjectRoot('examples', 'nomad')).sort();

/**
 * Each job file mirrors a NomadJob of examples/. A job file cannot say what only Kubernetes has
 * (metadata.labels, a group's `kubernetes` Pod settings), so those are the intended differences.
 */
const mirrors: readonly (readonly [string, string])[] = [
  ['example.nomad.hcl', 'example.yaml'],
  ['example.json', 'example.yaml'],
  ['web.nomad.hcl', 'web-canary.yaml'],
  ['orders.nomad.hcl', 'api-rolling.yaml'],
  ['nightly-report.nomad.hcl', 'nightly-report.yaml'],
  ['log-shipper.nomad.hcl', 'node-agent.yaml'],
  ['billing.nomad.hcl', 'migrations-manual.yaml'],
  ['node-cleanup.nomad.hcl', 'node-cleanup.yaml'],
  ['report-dispatch.nomad.hcl', 'report-dispatch.yaml'],
];

function withoutKubernetesOnlyFields(job: NomadJob): NomadJob {
  const { labels: _labels, ...metadata } = job.metadata;
  const taskGroups = job.spec.taskGroups.map(({ kubernetes: _kubernetes, ...group }) => group);
  return { ...job, metadata, spec: { ...job.spec, taskGroups } };
}

describe('examples/nomad/', () => {
  it('holds the example job in HCL and API JSON, and at least five more jobs', () => {
    expect(nomadFiles).toEqual(expect.arrayContaining(['example.nomad.hcl', 'example.json']));
    expect(nomadFiles.length).toBeGreaterThanOrEqual(7);
  });

  it.each(nomadFiles)("%s converts completely (exit 0) and passes Caravan's validation", async (file) => {
    const result = await convertFile(exampleFile(file));
    expect(messages(result, file).filter((m) => !m.includes('warning:'))).toEqual([]);
    expect(result.exitCode).toBe(0);
    const job = result.manifest!;
    const parsed = parseNomadJob(job.metadata.name, job.metadata.namespace ?? 'default', job.spec);
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  it.each(mirrors)('%s converts to the NomadJob of examples/%s', async (file, yaml) => {
    const expected = load(readFileSync(fromProjectRoot('examples', yaml), 'utf8')) as NomadJob;
    const { manifest } = await convertFile(exampleFile(file));
    expect(manifest).toEqual(withoutKubernetesOnlyFields(expected));
  });

  it('example.nomad.hcl is exactly examples/example.yaml, with no difference at all', async () => {
    const expected = load(readFileSync(fromProjectRoot('examples', 'example.yaml'), 'utf8'));
    expect((await convertFile(exampleFile('example.nomad.hcl'))).manifest).toEqual(expected);
  });

  it('the example job gives the same manifest from HCL and from its API JSON', async () => {
    const fromHcl = await convertFile(exampleFile('example.nomad.hcl'));
    const fromJson = await convertFile(exampleFile('example.json'));
    expect(fromJson.manifest).toEqual(fromHcl.manifest);
    expect(fromJson.manifest?.spec.update).toEqual({
      maxParallel: 1,
      minHealthyTime: '10s',
      healthyDeadline: '3m',
      progressDeadline: '10m',
      autoRevert: false,
      canary: 0,
    });
  });
});
