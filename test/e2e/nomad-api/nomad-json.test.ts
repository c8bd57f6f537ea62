import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runController, type RunningController } from '../../../src/controller/controller.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import { clusterClients, freshNamespace } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from './api-harness.ts';

const { kc, core } = clusterClients();

/**
 * Nomad's own job JSON (issue 11 §4): the sample payload of Nomad's Jobs API page and a job as
 * `nomad job inspect` prints it (test/fixtures/nomad-json), POSTed as they are to /v1/jobs by
 * the conformance suite's TestNomadJSON, which waits for their allocations to run and their first
 * deployment to succeed. The whole suite (conformance.test.ts) runs it too; this file runs just it.
 */
describe("Nomad's own job JSON through the Nomad API", () => {
  let api: ApiUnderTest;
  let controller: RunningController;
  let namespace: string;
  let operator: string;
  beforeAll(async () => {
    api = await startApi();
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'nomad-json');
    operator = await tokenFor(namespace, 'operator', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
  });
  afterAll(async () => {
    await controller?.stop();
    await api?.stop();
  });

  it('registers both fixtures, runs them and rolls them out', async () => {
    const output: string[] = [];
    const code = await new Promise<number>((resolve) => {
      const child = spawn(fromProjectRoot('scripts', 'conformance.sh'), ['-run', '^TestNomadJSON'], {
        env: { ...process.env, NOMAD_ADDR: api.url, NOMAD_TOKEN: operator, CARAVAN_CONFORMANCE_NAMESPACE: namespace, CARAVAN_CONFORMANCE_TIMEOUT: '6m' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
      child.on('close', (c) => resolve(c ?? 1));
    });
    const text = output.join('');
    mkdirSync(path.join(inject('clusterDir'), 'logs'), { recursive: true });
    writeFileSync(path.join(inject('clusterDir'), 'logs', 'conformance-nomad-json.log'), text);
    writeFileSync(path.join(os.tmpdir(), 'caravan-conformance-nomad-json-last.log'), text);
    const lines = text.split('\n');
    const failures = lines.filter((l) => /--- FAIL|^\s+\S+_test\.go:\d+:/.test(l));
    const passed = lines.filter((l) => /--- PASS: TestNomadJSON\/[\w-]+\/Deployment /.test(l)).length;
    expect({ code, failures: failures.slice(0, 40), passed }).toEqual({ code: 0, failures: [], passed: 2 });
  }, 420_000);
});
