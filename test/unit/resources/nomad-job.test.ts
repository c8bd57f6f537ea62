import { describe, expect, it } from 'vitest';
import { cachedJob, lastAppliedAnnotation, type NomadJob } from '../../../src/resources/nomad-job.ts';

const job: NomadJob = {
  apiVersion: 'caravan.dev/v1alpha1',
  kind: 'NomadJob',
  metadata: { name: 'web', namespace: 'shop', annotations: { 'caravan.dev/evaluate-requested': 'x' } },
  spec: { taskGroups: [{ name: 'app', count: 1, tasks: [{ name: 'app', driver: 'docker', config: { image: 'app:1' } }] }] },
};

describe('cachedJob: what the NomadJob informer keeps (issue 15)', () => {
  it("drops kubectl apply's copy of the spec and keeps the other annotations", () => {
    const applied = { ...job, metadata: { ...job.metadata, annotations: { ...job.metadata.annotations, [lastAppliedAnnotation]: JSON.stringify(job) } } };
    expect(cachedJob(applied)).toEqual(job);
  });

  it('returns a job without it as it is', () => {
    expect(cachedJob(job)).toBe(job);
  });
});
