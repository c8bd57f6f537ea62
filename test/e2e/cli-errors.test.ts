import type { CoreV1Api } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { fromProjectRoot } from '../../src/project.ts';
import { clusterClients, freshNamespace, simulatedPod } from './kube.ts';

// What a user sees of errors, from the built programs (dist/, as `npm test` builds it) against
// the run's real API server (issue 11).

const runBuilt = (program: 'cli' | 'plugin', args: string[], env: NodeJS.ProcessEnv = {}) =>
  promisify(execFile)(process.execPath, [fromProjectRoot('dist', program, 'main.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );

describe('caravan and kubectl nomad, built', () => {
  it.each([
    ['cli', ['controller', '--concurrency', 'abc'], "error: option '--concurrency <n>' argument 'abc' is invalid. It takes a whole number from 1 to 1000."],
    ['cli', ['controller', '--concurrency', '0'], "error: option '--concurrency <n>' argument '0' is invalid. It takes a whole number from 1 to 1000."],
    [
      'cli',
      ['controller', '--metrics-port', 'abc'],
      "error: option '--metrics-port <port>' argument 'abc' is invalid. It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.",
    ],
    [
      'cli',
      ['controller', '--api-port', 'abc'],
      "error: option '--api-port <port>' argument 'abc' is invalid. It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.",
    ],
    [
      'cli',
      ['controller', '--lease-duration', '0'],
      "error: option '--lease-duration <seconds>' argument '0' is invalid. It takes a whole number from 1 to 3600 (seconds).",
    ],
    [
      'cli',
      ['controller', '--log-level', 'loud'],
      "error: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent.",
    ],
    [
      'cli',
      ['start', '--api-port', '70000'],
      "error: option '--api-port <port>' argument '70000' is invalid. It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.",
    ],
    ['cli', ['start', '--nodes', 'many'], "error: option '--nodes <n>' argument 'many' is invalid. It takes a whole number from 1 to 1000."],
    ['cli', ['cluster', 'up', '--nodes', '0'], "error: option '--nodes <n>' argument '0' is invalid. It takes a whole number from 1 to 1000."],
    [
      'plugin',
      ['watch', 'web', '--timeout', '0'],
      "error: option '--timeout <duration>' argument '0' is invalid. It takes a duration longer than 0, such as 90s, 10m or 1h30m.",
    ],
    [
      'plugin',
      ['promote', 'web', '--wait', '5'],
      "error: option '--wait <duration>' argument '5' is invalid. It takes a duration such as 15s, 5m or 1h30m (at most 24h), or 0 to not wait.",
    ],
  ] as const)('%s %j exits with 2, naming the option and what it takes', async (program, args, message) => {
    const { code, stderr } = await runBuilt(program, [...args]);
    expect(stderr.split('\n')[0]).toBe(message);
    expect(code).toBe(2);
  });
});

describe('a Kubernetes API error', () => {
  let core: CoreV1Api;
  let namespace: string;
  /** The namespace's default ServiceAccount: authenticated, and allowed next to nothing. */
  let powerless: string;

  beforeAll(async () => {
    const { kc, core: client } = clusterClients();
    core = client;
    namespace = await freshNamespace(core, 'cli-errors');
    const token = await core.createNamespacedServiceAccountToken({ name: 'default', namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const cluster = kc.getCurrentCluster()!;
    powerless = path.join(mkdtempSync(path.join(os.tmpdir(), 'caravan-powerless-')), 'kubeconfig');
    writeFileSync(
      powerless,
      dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'local',
            cluster: {
              server: cluster.server,
              ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : { 'certificate-authority-data': cluster.caData }),
            },
          },
        ],
        users: [{ name: 'default', user: { token: token.status!.token } }],
        contexts: [{ name: 'default', context: { cluster: 'local', user: 'default', namespace } }],
        'current-context': 'default',
      }),
      { mode: 0o600 },
    );
  });

  it('caravan prints the API server message on one line, as kubectl does, and exits with 1', async () => {
    const { code, stderr } = await runBuilt('cli', ['controller', '--metrics-port', '-1', '--api-port', '-1', '--cf-api-port', '-1'], {
      KUBECONFIG: powerless,
    });
    expect(stderr).toBe(
      `caravan: Error from server (Forbidden): customresourcedefinitions.apiextensions.k8s.io is forbidden: User "system:serviceaccount:${namespace}:default" cannot create resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope\n`,
    );
    expect(code).toBe(1);
  });

  it('kubectl nomad prints it the same way', async () => {
    const { code, stderr } = await runBuilt('plugin', ['status', 'web', '--kubeconfig', powerless]);
    expect(stderr).toBe(
      `error: Error from server (Forbidden): nomadjobs.caravan.dev "web" is forbidden: User "system:serviceaccount:${namespace}:default" cannot get resource "nomadjobs" in API group "caravan.dev" in the namespace "${namespace}"\n`,
    );
    expect(code).toBe(1);
  });

  it('is logged on one line with its code, reason and message, next to the fields the caller gave', async () => {
    await core.createNamespacedPod({ namespace, body: simulatedPod('twice') });
    const error = await core.createNamespacedPod({ namespace, body: simulatedPod('twice') }).catch((e: unknown) => e);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    createLogger({ pretty: false, destination }).warn({ namespace, job: 'twice', err: error }, 'reconcile failed; retrying');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      namespace,
      job: 'twice',
      err: { type: 'KubernetesError', code: 409, reason: 'AlreadyExists', message: 'pods "twice" already exists' },
    });
    expect(lines[0]).not.toMatch(/audit-id|Headers|HTTP-Code/i);
  });
});
