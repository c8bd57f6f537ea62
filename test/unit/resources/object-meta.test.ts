import { describe, expect, it } from 'vitest';
import { isOwnedBy } from '../../../src/resources/object-meta.ts';

const owned = (...uids: string[]) => ({ metadata: { ownerReferences: uids.map((uid) => ({ uid })) } });

// A job deleted and created again under the same name: its old Pods, deployments and versions
// linger until garbage collection and must not be shown as the new job's.
describe('isOwnedBy: objects of this job, not of an earlier one of the same name', () => {
  it.each<[string, Parameters<typeof isOwnedBy>[0], string | undefined, boolean]>([
    ['owned by this job', owned('job-2'), 'job-2', true],
    ['owned by the earlier job of the same name', owned('job-1'), 'job-2', false],
    ['one of several owners', owned('other', 'job-2'), 'job-2', true],
    ["no owner references: taken as this job's", { metadata: {} }, 'job-2', true],
    ["the job's UID not known yet: taken as its", owned('job-1'), undefined, true],
  ])('%s', (_case, obj, uid, expected) => {
    expect(isOwnedBy(obj, uid)).toBe(expected);
  });
});
