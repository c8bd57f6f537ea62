import { describe, expect, it } from 'vitest';
import { findByIdPrefix, isUuid, jobIdMatches, parseIdPrefix, shortId } from '../../../../src/api/nomad/ids.ts';

const ids = ['c0c0c0c0-0000-4000-8000-00000000000c', 'c0c1d2e3-0000-4000-8000-000000000001', 'd1d1d1d1-2b3c-4d5e-8f60-718293a4b5c6'];

describe('allocation and deployment IDs are full UUIDs', () => {
  it.each([
    ['c0c0c0c0-0000-4000-8000-00000000000c', true],
    ['C0C0C0C0-0000-4000-8000-00000000000C', true],
    ['c0c0c0c0', false],
    ['c0c0c0c0-0000-4000-8000-00000000000g', false],
  ])('%s is a UUID: %s', (id, uuid) => expect(isUuid(id)).toBe(uuid));
});

describe("prefix lookups follow Nomad's UUID index (nomad-semantics §3.1 rule 7)", () => {
  it.each([
    ['an even number of hex digits', 'c0c0', [ids[0]]],
    ['hyphens are left out', 'c0c0c0c0-00', [ids[0]]],
    ['case does not matter', 'C0C1', [ids[1]]],
    ['two digits can match several', 'c0', [ids[0], ids[1]]],
    ['the empty prefix matches all', '', ids],
    ['a whole ID', ids[2]!, [ids[2]]],
    ['no match is an empty list, not an error', 'ffff', []],
  ])('%s: %s', (_rule, prefix, expected) => {
    expect(findByIdPrefix(ids, (id) => id, prefix)).toEqual({ ok: true, matches: expected });
  });

  it.each([
    ['an odd number of hex digits', 'c0c', 'Input (without hyphens) must be even length'],
    ['odd once hyphens are left out', 'c0c0c0c0-0', 'Input (without hyphens) must be even length'],
    ['a character that is not hex', 'c0g0', "Invalid UUID: encoding/hex: invalid byte: U+0067 'g'"],
    ['more than 36 characters', `${ids[0]}00`, 'Invalid UUID length. UUID have 36 characters; got 38'],
    ['more than four hyphens', 'c0-c0-c0-c0-c0-c0', 'UUID should have maximum of 4 "-"; got 5'],
  ])("refuses %s with Nomad's error", (_rule, prefix, error) => {
    expect(parseIdPrefix(prefix)).toEqual({ ok: false, error });
  });

  it('a direct lookup wants the whole ID', () => {
    expect(parseIdPrefix('c0c0c0c0', true)).toEqual({ ok: false, error: 'UUID must be 36 characters' });
    expect(parseIdPrefix(ids[0]!, true).ok).toBe(true);
  });
});

describe('job IDs', () => {
  it.each([
    ['web', 'we', true],
    ['web', 'Web', false],
    ['web', '', true],
  ])('%s starts with %j: %s', (id, prefix, match) => expect(jobIdMatches(id, prefix)).toBe(match));
});

describe('shortId', () => {
  it("is the 8 characters Nomad's CLI shows", () => {
    expect(shortId(ids[2]!)).toBe('d1d1d1d1');
    expect(shortId(ids[2]!, 36)).toBe(ids[2]);
  });
});
