import { describe, expect, it } from 'vitest';
import { CreateIndexBook, indexOf, jobIndexes, objectIndexes } from '../../../../src/api/nomad/indexes.ts';
import { jobUid, revisions, webJob } from './fixtures.ts';

describe('indexOf: a resourceVersion as a Nomad index', () => {
  it.each([
    ['1450', 1450],
    ['0', 0],
    [undefined, 0],
    ['', 0],
    ['opaque-v1', 0],
    ['99999999999999999999', 0],
  ])('%j → %d', (rv, index) => expect(indexOf(rv)).toBe(index));
});

describe('CreateIndex: the first index an object was seen with', () => {
  it('stays put while the object changes', () => {
    const book = new CreateIndexBook();
    expect(book.observeObject({ metadata: { uid: 'a', resourceVersion: '100' } })).toBe(100);
    expect(book.observeObject({ metadata: { uid: 'a', resourceVersion: '180' } })).toBe(100);
    expect(objectIndexes({ metadata: { uid: 'a', resourceVersion: '250' } }, book.lookup)).toEqual({ createIndex: 100, modifyIndex: 250 });
  });

  it('goes down to an older copy delivered late, never up', () => {
    const book = new CreateIndexBook();
    book.observe('a', 180);
    expect(book.observe('a', 100)).toBe(100);
    expect(book.observe('a', 200)).toBe(100);
  });

  it('forgets deleted objects: a new object with the same name has a new UID anyway', () => {
    const book = new CreateIndexBook();
    book.observe('a', 100);
    book.forget('a');
    expect(book.size).toBe(0);
    expect(book.observe('a', 300)).toBe(300);
  });

  it('without a book, CreateIndex is the ModifyIndex', () => {
    expect(objectIndexes({ metadata: { uid: 'a', resourceVersion: '250' } })).toEqual({ createIndex: 250, modifyIndex: 250 });
  });
});

describe("a job's indexes at its versions", () => {
  const job = webJob(); // resourceVersion 1450; revisions v0 at 1210, v1 at 1402

  it.each([
    // version, CreateIndex, ModifyIndex, JobModifyIndex
    ['the current version: ModifyIndex moves with status writes, JobModifyIndex with the spec', 1, 1210, 1450, 1402],
    ['an older version: as its revision was last written', 0, 1210, 1210, 1210],
  ])('%s', (_what, version, createIndex, modifyIndex, jobModifyIndex) => {
    expect(jobIndexes(job, revisions, version)).toEqual({ createIndex, modifyIndex, jobModifyIndex });
  });

  it('CreateIndex <= JobModifyIndex <= ModifyIndex at every version, as in Nomad', () => {
    const book = new CreateIndexBook();
    for (const version of [1, 0]) {
      const i = jobIndexes(job, revisions, version, book.lookup);
      expect(i.createIndex).toBeLessThanOrEqual(i.jobModifyIndex);
      expect(i.jobModifyIndex).toBeLessThanOrEqual(i.modifyIndex);
    }
  });

  it('a status write moves ModifyIndex only; a new version moves JobModifyIndex; CreateIndex stays (with a book)', () => {
    const book = new CreateIndexBook();
    const before = jobIndexes(job, revisions, 1, book.lookup);
    const statusWritten = jobIndexes({ metadata: { uid: jobUid, resourceVersion: '1500' } }, revisions, 1, book.lookup);
    expect(statusWritten).toEqual({ ...before, modifyIndex: 1500 });
    const v2 = { ...revisions[1]!, revision: 2, metadata: { ...revisions[1]!.metadata, resourceVersion: '1600' } };
    const newVersion = jobIndexes({ metadata: { uid: jobUid, resourceVersion: '1601' } }, [...revisions, v2], 2, book.lookup);
    expect(newVersion).toEqual({ createIndex: before.createIndex, modifyIndex: 1601, jobModifyIndex: 1600 });
  });

  it('a job not yet versioned takes its own index for all three', () => {
    expect(jobIndexes(job, [], 0)).toEqual({ createIndex: 1450, modifyIndex: 1450, jobModifyIndex: 1450 });
  });
});
