import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { fromProjectRoot } from '../../src/project.ts';
import { freePort, startController } from './controller-process.ts';
import { nomadJobs } from './nomad-jobs.ts';
import { clusterClients, freshNamespace } from './kube.ts';
import { tokenFor } from './nomad-api/api-harness.ts';

// What users run is dist/ (npm start, the image), each program bundled into one file by
// scripts/bundle.ts; the other end-to-end tests run the source. npm test builds dist/ first.
const { kc, core } = clusterClients();
const programs = { caravan: fromProjectRoot('dist', 'cli', 'main.js'), 'kubectl-nomad': fromProjectRoot('dist', 'plugin', 'main.js') };
const { version } = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { version: string };
/** The image's environment (Dockerfile's ENV lines), as bench/scale.ts runs the controller. */
const imageEnv = Object.fromEntries(
  [...readFileSync(fromProjectRoot('Dockerfile'), 'utf8').matchAll(/^ENV (NODE_OPTIONS|GLIBC_TUNABLES)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
);

const spec = (image: string): NomadJobSpec => ({
  update: { maxParallel: 1, minHealthyTime: '1s', healthyDeadline: '1m', progressDeadline: '3m' },
  taskGroups: [{ name: 'app', count: 2, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
});

describe('the built programs', () => {
  it.each(Object.entries(programs))('%s is one file that carries client-node and prints its version', (_, file) => {
    // Bundled so that client-node's ~1,000 generated modules are not loaded whole (scripts/bundle.ts).
    expect(readFileSync(file, 'utf8')).not.toMatch(/from\s*["']@kubernetes\/client-node/);
    const env = { ...process.env };
    delete env['npm_package_version'];
    expect(execFileSync(process.execPath, [file, '--version'], { encoding: 'utf8', env }).trim()).toBe(version);
  });

  it('the built controller rolls a job out and serves it on the Nomad API', async () => {
    const namespace = await freshNamespace(core, 'built');
    const apiPort = await freePort();
    const controller = startController(namespace, 3, 0, ['--api-port', String(apiPort)], programs.caravan, imageEnv);
    try {
      const jobs = nomadJobs(kc, namespace);
      await jobs.register('app', spec('app:1'));
      await jobs.waitStable('app', 0, 'version 0 stable');
      await jobs.replaceSpec('app', spec('app:2'));
      const done = await jobs.waitStable('app', 1, 'version 1 stable');
      expect(done.status).toMatchObject({ version: 1, stableVersion: 1, running: 2 });

      // A token with RBAC's say (TokenReview and SubjectAccessReview through the bundled client).
      const token = await tokenFor(namespace, 'reader', [
        { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      ]);
      const res = await fetch(`http://127.0.0.1:${apiPort}/v1/job/app?namespace=${namespace}`, { headers: { 'X-Nomad-Token': token } });
      expect(res.status).toBe(200);
      const job = (await res.json()) as { ID: string; Version: number; Stable: boolean; Status: string };
      expect({ ID: job.ID, Version: job.Version, Stable: job.Stable, Status: job.Status }).toEqual({ ID: 'app', Version: 1, Stable: true, Status: 'running' });
    } finally {
      controller.kill('SIGKILL');
    }
  });
});
