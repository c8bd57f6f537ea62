import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fromProjectRoot } from '../../../src/project.ts';

/** A kubeconfig whose API server is a loopback port nothing listens on. */
async function kubeconfigForClosedPort(): Promise<{ file: string; server: string }> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const server = `https://127.0.0.1:${port}`;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'caravan-kubeconfig-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n`,
  );
  return { file, server };
}

const run = (entry: string[], args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, [fromProjectRoot(...entry), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );

// Each start loads the whole program on a two-core machine: one at a time, with time to spare.
describe('a command whose API server cannot be reached', () => {
  it('caravan controller says which address it tried and what to check, in one line, and exits with 1', { timeout: 60_000 }, async () => {
    const { file, server } = await kubeconfigForClosedPort();
    const { code, stderr } = await run(['src', 'cli', 'main.ts'], ['controller', '--metrics-port', '-1', '--api-port', '-1', '--cf-api-port', '-1'], {
      KUBECONFIG: file,
    });
    expect(stderr).toBe(
      `caravan: cannot reach the Kubernetes API server at ${server}: connection refused (ECONNREFUSED). Is the cluster running? For the local cluster: npm run caravan -- cluster status; otherwise check the server address in the KUBECONFIG in use (${file}).\n`,
    );
    expect(code).toBe(1);
  });

  it('kubectl nomad says the same', { timeout: 60_000 }, async () => {
    const { file, server } = await kubeconfigForClosedPort();
    const { code, stderr } = await run(['src', 'plugin', 'main.ts'], ['status', 'web', '--kubeconfig', file], {});
    expect(stderr).toBe(
      `error: cannot reach the Kubernetes API server at ${server}: connection refused (ECONNREFUSED). Is the cluster running? For the local cluster: npm run caravan -- cluster status; otherwise check the server address in the KUBECONFIG in use (${file}).\n`,
    );
    expect(code).toBe(1);
  });
});
