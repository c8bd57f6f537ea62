import { describe, expect, it } from 'vitest';
import type { NomadJobSpec } from '../../../src/model/nomad-job-spec.ts';
import { nextVersion, specChanged } from '../../../src/model/spec-change.ts';
import { exampleSpec } from './fixtures.ts';

describe('when a submitted spec makes a new job version (Nomad SpecChanged)', () => {
  it.each<[string, NomadJobSpec, NomadJobSpec, boolean]>([
    ['an identical resubmission', exampleSpec(), exampleSpec(), false],
    ['keys in another order', { taskGroups: exampleSpec().taskGroups, type: 'service' }, { type: 'service', taskGroups: exampleSpec().taskGroups }, false],
    ['an empty meta map instead of none', exampleSpec({ meta: {} }), exampleSpec(), false],
    ['empty constraints instead of none', exampleSpec({ constraints: [] }), exampleSpec(), false],
    ['a changed count', exampleSpec(), exampleSpec({}, { count: 2 }), true],
    ['changed job meta', exampleSpec({ meta: { a: '1' } }), exampleSpec({ meta: { a: '2' } }), true],
    ['a changed update block', exampleSpec(), exampleSpec({ update: { canary: 1 } }), true],
    ['stop set', exampleSpec(), exampleSpec({ stop: true }), true],
    ['stop cleared again', exampleSpec({ stop: true }), exampleSpec({ stop: false }), true],
  ])('%s → new version: %s', (_what, previous, submitted, expected) => {
    expect(specChanged(previous, submitted)).toBe(expected);
  });

  it('numbers versions from 0 upwards', () => {
    expect(nextVersion(undefined)).toBe(0);
    expect(nextVersion(0)).toBe(1);
    expect(nextVersion(41)).toBe(42);
  });
});
