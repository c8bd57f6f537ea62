import { describe, expect, it } from 'vitest';
import { parseVersionsEnv, readControlPlaneVersions } from '../../src/cluster/versions.ts';

describe('versions.env', () => {
  it('reads the pinned versions the build script uses', () => {
    const v = readControlPlaneVersions();
    expect(v.kubernetes).toMatch(/^v1\.34\.\d+$/);
    expect(v.etcd).toMatch(/^v3\.6\.\d+$/);
    expect(v.kwok).toMatch(/^v0\.\d+\.\d+$/);
  });

  it.each([
    { text: 'K8S_VERSION=v1.34.4\nETCD_VERSION=v3.6.16\n', error: 'missing KWOK_VERSION' },
    { text: 'K8S_VERSION = v1\n', error: 'cannot read line' },
  ])('rejects $text with "$error"', ({ text, error }) => {
    expect(() => parseVersionsEnv(text)).toThrow(error);
  });

  it('ignores comments, blank lines and unknown keys', () => {
    expect(parseVersionsEnv('# c\n\nK8S_VERSION=a\nOTHER=x\nETCD_VERSION=b\nKWOK_VERSION=c\n')).toEqual({ kubernetes: 'a', etcd: 'b', kwok: 'c' });
  });
});
