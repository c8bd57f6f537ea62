import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runController, type RunningController } from '../../../src/controller/controller.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import { clusterClients, freshNamespace } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from './api-harness.ts';

const { kc, core } = clusterClients();

/**
 * Nomad's official Go client (github.com/hashicorp/nomad/api) against Caravan: the conformance
 * suite in test/conformance, run by scripts/conformance.sh with a token that may do everything a
 * Nomad operator does in one namespace, and one that may do nothing.
 */
describe("the Nomad API conformance suite (Go, Nomad's official client)", () => {
  let api: ApiUnderTest;
  let controller: RunningController;
  let namespace: string;
  let operator: string;
  let nobody: string;
  beforeAll(async () => {
    api = await startApi();
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'conformance');
    operator = await tokenFor(namespace, 'operator', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch', 'delete'] },
      // alloc restart and alloc signal (TestAllocLifecycle)
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
    ]);
    nobody = await tokenFor(namespace, 'nobody');
  });
  afterAll(async () => {
    await controller?.stop();
    await api?.stop();
  });

  it('passes', async () => {
    mkdirSync(path.join(inject('clusterDir'), 'logs'), { recursive: true });
    const output: string[] = [];
    const code = await new Promise<number>((resolve) => {
      const child = spawn(fromProjectRoot('scripts', 'conformance.sh'), [], {
        env: {
          ...process.env,
          NOMAD_ADDR: api.url,
          NOMAD_TOKEN: operator,
          CARAVAN_CONFORMANCE_NAMESPACE: namespace,
          CARAVAN_UNPRIVILEGED_TOKEN: nobody,
          CARAVAN_CONFORMANCE_TIMEOUT: '8m',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
      child.on('close', (c) => resolve(c ?? 1));
    });
    const text = output.join('');
    // The whole run, for a failing CI: next to the cluster's component logs.
    writeFileSync(path.join(inject('clusterDir'), 'logs', 'conformance.log'), text);
    writeFileSync(path.join(os.tmpdir(), 'caravan-conformance-last.log'), text);
    const failures = text.split('\n').filter((l) => /--- FAIL|^\s+\S+_test\.go:\d+:/.test(l));
    expect({ code, failures: failures.slice(0, 80), summary: text.split('\n').filter((l) => l.startsWith('[conformance] tests:')) }).toMatchObject({ code: 0 });
  }, 600_000);
});
