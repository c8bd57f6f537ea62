import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { down, status, up } from '../../src/cluster/local-cluster.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { installCrds } from '../../src/kube/install-crds.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    clusterDir: string;
  }
}

/**
 * Starts one local cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok
 * with 10 fake nodes) with Caravan's CRDs in a fresh folder for the whole run, and stops and
 * deletes it afterwards.
 * A component that died during the run fails the run with its last log lines.
 * CARAVAN_E2E_KEEP=1 leaves the cluster running for a look afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caravan-e2e-'));
  const started = Date.now();
  const say = (line: string) => process.stderr.write(`[e2e cluster] ${line}\n`);
  let cluster: Awaited<ReturnType<typeof up>>;
  try {
    cluster = await up({ dir, nodes: 10, report: say });
  } catch (error) {
    await down({ dir, purge: false });
    throw error;
  }
  // Once per run: the garbage collector notices new CRDs only every 30 s.
  await installCrds(loadKubeConfig(cluster.kubeconfig));
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cluster.server}, KUBECONFIG=${cluster.kubeconfig}`);
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('clusterDir', dir);

  return async () => {
    const after = await status(dir);
    const dead = after.components.filter((c) => c.state !== 'running');
    if (process.env['CARAVAN_E2E_KEEP'] === '1') {
      say(`kept running (CARAVAN_E2E_KEEP=1): export KUBECONFIG=${cluster.kubeconfig}; stop with: caravan cluster --dir ${dir} down --purge`);
    } else {
      await down({ dir, purge: dead.length === 0 });
      if (dead.length > 0) say(`logs kept in ${after.layout.logsDir}`);
    }
    if (dead.length > 0) {
      throw new Error(`control-plane components failed during the run:\n${dead.map((c) => `${c.name}: ${c.state} ${c.detail}`).join('\n')}`);
    }
  };
}
