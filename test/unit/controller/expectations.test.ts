import { describe, expect, it } from 'vitest';
import { Expectations, type ObservedVersions } from '../../../src/controller/expectations.ts';

const caches = (versions: Record<string, string>): ObservedVersions => ({ resourceVersionOf: (kind, name) => versions[`${kind}/${name}`] });

describe('expectations: acting only on caches that show our own writes', () => {
  it('waits until a written object shows its resourceVersion, then forgets it', () => {
    const e = new Expectations();
    e.expectVersion('ns/web', 'deployment', 'web-v1', '120', 0);
    expect(e.satisfied('ns/web', caches({ 'deployment/web-v1': '119' }), 1)).toBe(false);
    expect(e.satisfied('ns/web', caches({ 'deployment/web-v1': '121' }), 2)).toBe(true);
    expect(e.satisfied('ns/web', caches({}), 3)).toBe(true);
  });

  it('waits until a deleted Pod leaves the cache', () => {
    const e = new Expectations();
    e.expectGone('ns/web', 'pod', 'web-frontend-0-v0', 0);
    expect(e.satisfied('ns/web', caches({ 'pod/web-frontend-0-v0': '50' }), 1)).toBe(false);
    expect(e.satisfied('ns/web', caches({}), 2)).toBe(true);
  });

  it('gives up after the timeout, so a lost event never stalls a job for good', () => {
    const e = new Expectations(1000);
    e.expectVersion('ns/web', 'pod', 'p', '10', 0);
    expect(e.satisfied('ns/web', caches({}), 500)).toBe(false);
    expect(e.satisfied('ns/web', caches({}), 1001)).toBe(true);
  });

  it('keeps jobs apart', () => {
    const e = new Expectations();
    e.expectVersion('ns/a', 'pod', 'p', '10', 0);
    expect(e.satisfied('ns/b', caches({}), 1)).toBe(true);
  });
});
