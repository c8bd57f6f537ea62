import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadKubeConfig } from '../../../src/kube/client.ts';

// Issue 16: with no cluster, say which KUBECONFIG was tried and what to run.
describe('loadKubeConfig with no cluster to talk to', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('names a kubeconfig file that does not exist, and says what to run', () => {
    expect(() => loadKubeConfig('/nonexistent/config')).toThrow(
      /^the kubeconfig \/nonexistent\/config does not exist\. Start the local cluster with `npm start`/,
    );
  });

  it('names KUBECONFIG when none of its files exists', () => {
    vi.stubEnv('KUBECONFIG', '/nope/a:/nope/b');
    expect(() => loadKubeConfig()).toThrow('KUBECONFIG=/nope/a:/nope/b: /nope/a, /nope/b does not exist.');
  });

  it('says that KUBECONFIG is unset and ~/.kube/config missing, instead of trying http://localhost:8080', () => {
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    const home = mkdtempSync(path.join(os.tmpdir(), 'caravan-home-'));
    vi.stubEnv('HOME', home);
    expect(() => loadKubeConfig()).toThrow(`no cluster: KUBECONFIG is not set, ${path.join(home, '.kube', 'config')} does not exist, and this is not a Pod.`);
  });
});
