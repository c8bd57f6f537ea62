import { describe, expect, it } from 'vitest';
import type { JobVersion } from '../../../src/model/job-versions.ts';
import { versionFromRevision, versionRevision } from '../../../src/resources/job-version.ts';
import { exampleSpec } from '../model/fixtures.ts';

const v = (version: number, stable = false, count = version + 1): JobVersion => ({
  version,
  stable,
  spec: exampleSpec({}, { count }),
  submitTime: '2026-11-22T09:00:00.000Z',
});

describe('job versions', () => {
  it('round-trips through its ControllerRevision', () => {
    const revision = versionRevision({ name: 'example', namespace: 'default', uid: 'u1' }, v(3, true));
    expect(revision.metadata).toMatchObject({ name: 'example-v3', labels: { 'caravan.dev/job': 'example' }, annotations: { 'caravan.dev/stable': 'true' } });
    expect(revision.revision).toBe(3);
    expect(versionFromRevision(revision)).toEqual(v(3, true));
  });

  it('round-trips revertedFrom through its ControllerRevision', () => {
    const reverted: JobVersion = { ...v(0, true), version: 2, revertedFrom: 1 };
    const revision = versionRevision({ name: 'example', namespace: 'default', uid: 'u1' }, reverted);
    expect(revision.metadata?.annotations?.['caravan.dev/reverted-from']).toBe('1');
    expect(versionFromRevision(revision)).toEqual(reverted);
  });
});
