import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromProjectRoot } from '../../src/project.ts';

// Issue 16: kubectl nomad installs with krew. scripts/krew-package.sh fills in the placeholders.
describe('plugins/krew/nomad.yaml', () => {
  const manifest = load(readFileSync(fromProjectRoot('plugins', 'krew', 'nomad.yaml'), 'utf8')) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: { version: string; shortDescription: string; platforms: { uri: string; sha256: string; bin: string; selector: object }[] };
  };
  const pkg = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { bin: Record<string, string> };

  it('is a krew Plugin named nomad, so `kubectl nomad` runs it', () => {
    expect(manifest).toMatchObject({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin', metadata: { name: 'nomad' } });
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(60);
  });

  it('has one linux/amd64 platform whose bin is the kubectl-nomad launcher, with the placeholders the script fills in', () => {
    expect(manifest.spec.platforms).toEqual([
      { selector: { matchLabels: { os: 'linux', arch: 'amd64' } }, uri: '{{URL}}', sha256: '{{SHA256}}', bin: 'kubectl-nomad' },
    ]);
    expect(manifest.spec.version).toBe('{{VERSION}}');
    expect(pkg.bin['kubectl-nomad']).toBe('bin/kubectl-nomad.js');
    expect(readFileSync(fromProjectRoot('scripts', 'krew-package.sh'), 'utf8')).toContain('exec node "$here/dist/plugin/main.js"');
  });
});
