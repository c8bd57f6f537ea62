import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { fromProjectRoot } from '../../src/project.ts';

/**
 * The controller as users run it: its own process, so kill -9 is real. A short lease, in the
 * test's namespace, lets the next process take over quickly from the one just killed. Its log
 * goes to <cluster dir>/logs/controller-<namespace>.log, kept for a failing run. `extraArgs`
 * go after the others (`--shards 4`).
 */
export function startController(leaseNamespace: string, leaseSeconds = 2, metricsPort = 0, extraArgs: readonly string[] = []): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      fromProjectRoot('src', 'cli', 'main.ts'),
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
      env: { ...process.env, KUBECONFIG: inject('kubeconfig') },
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
