import { describe, expect, it } from 'vitest';
import {
  dispatchChildId,
  dispatchChildName,
  periodicChildId,
  periodicChildName,
  periodicLaunchOf,
  tokenDispatchChildName,
} from '../../../src/model/child-job-id.ts';

describe("children's Nomad IDs and object names (spec §1.5, §2.3)", () => {
  it.each([
    [periodicChildId('backup', 1767232800), 'backup/periodic-1767232800'],
    [dispatchChildId('report', 1767225600, '4f1c9a2b'), 'report/dispatch-1767225600-4f1c9a2b'],
    [dispatchChildId('report', 1767225600, '4f1c9a2b', 'acme'), 'report/dispatch-acme-1767225600-4f1c9a2b'],
    [periodicChildName('backup', 1767232800), 'backup-periodic-1767232800'],
    [dispatchChildName('report', 1767225600, '4f1c9a2b'), 'report-dispatch-1767225600-4f1c9a2b'],
  ])('%s', (actual, expected) => expect(actual).toBe(expected));

  it('a parent name too long for the suffix is cut and hashed, and stays a DNS label', () => {
    const long = 'a'.repeat(60);
    const name = periodicChildName(long, 1767232800);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name).not.toBe(periodicChildName(`${'a'.repeat(59)}b`, 1767232800));
  });

  it.each([
    ['backup/periodic-1767232800', 1767232800000],
    ['report/dispatch-1767225600-4f1c9a2b', undefined],
  ])('the launch time of %s', (id, ms) => expect(periodicLaunchOf(id)).toBe(ms));

  it('an idempotency token names the child, so the same token is the same create', () => {
    expect(tokenDispatchChildName('report', 'abc')).toBe(tokenDispatchChildName('report', 'abc'));
    expect(tokenDispatchChildName('report', 'abc')).not.toBe(tokenDispatchChildName('report', 'abd'));
    expect(tokenDispatchChildName('report', 'abc')).toMatch(/^report-dispatch-t[0-9a-f]{16}$/);
  });
});
