import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { inject } from 'vitest';
import { fromProjectRoot } from '../../src/project.ts';

/**
 * The controller as users run it: its own process, so kill -9 is real. A short lease, in the
 * test's namespace, lets the next process take over quickly from the one just killed. Its log
 * goes to <cluster dir>/logs/controller-<namespace>.log, kept for a failing run. `extraArgs`
 * go after the others (`--shards 4`). `entry` is the program: the source by default, or the
 * built one (dist/cli/main.js) with `env` as the image sets it.
 */
export function startController(
  leaseNamespace: string,
  leaseSeconds = 2,
  metricsPort = 0,
  extraArgs: readonly string[] = [],
  entry = fromProjectRoot('src', 'cli', 'main.ts'),
  env: Record<string, string> = {},
): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      entry,
      'controller',
      '--lease-namespace',
      leaseNamespace,
      '--lease-duration',
      String(leaseSeconds),
      '--metrics-port',
      String(metricsPort),
      '--api-port',
      '0',
      '--cf-api-port',
      '0',
      ...extraArgs,
    ],
    {
      env: { ...process.env, ...env, KUBECONFIG: inject('kubeconfig') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logDir = path.join(inject('clusterDir'), 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(path.join(logDir, `controller-${leaseNamespace}.log`), { flags: 'a' });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

/** A port nothing listens on now, for a process under test to serve on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
