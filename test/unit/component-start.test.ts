import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { componentPidFile, type ComponentSpec } from '../../src/cluster/components.ts';
import { clusterLayout, type ClusterLayout } from '../../src/cluster/layout.ts';
import { ensureComponent } from '../../src/cluster/local-cluster.ts';
import { readArgv0 } from '../../src/cluster/proc-stat.ts';
import { readProcessRecord, stopProcess } from '../../src/cluster/processes.ts';

// Starting a component for real, with an executable that stands in for kwok: issue 11's first
// `npm start` reported kwok dead while it was starting, because /proc did not show its binary yet.

const layouts: ClusterLayout[] = [];
afterEach(async () => {
  for (const layout of layouts.splice(0)) await stopProcess(componentPidFile(layout, 'kwok'));
});

function newLayout(): ClusterLayout {
  const layout = clusterLayout(mkdtempSync(path.join(os.tmpdir(), 'caravan-start-')));
  layouts.push(layout);
  return layout;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An executable shell script: what the component's binary path points at. */
function script(layout: ClusterLayout, body: string): string {
  const file = path.join(layout.dir, 'kwok-stand-in');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function kwokLike(binary: string, port: number): ComponentSpec {
  return { name: 'kwok', binary, args: [String(port)], tier: 0, health: { kind: 'http', url: `http://127.0.0.1:${port}/healthz` } };
}

describe('starting a component', () => {
  it('does not report a process dead while its exec is still to come', async () => {
    const layout = newLayout();
    const port = await closedPort();
    // The shell runs for a while before it execs the real server, as a slow exec would.
    const server = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.argv[1]), '127.0.0.1')`;
    const binary = script(layout, `sleep 2\nexec '${process.execPath}' -e "${server}" "$1"`);
    const lines: string[] = [];
    const starting = ensureComponent(layout, kwokLike(binary, port), (line) => lines.push(line));

    let pid: number | undefined;
    for (let i = 0; i < 100 && pid === undefined; i++, await sleep(10)) pid = readProcessRecord(componentPidFile(layout, 'kwok'))?.pid;
    // What /proc showed was not the binary, which the old liveness check took for a dead process.
    expect(readArgv0(pid!)).not.toBe(binary);

    await starting;
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^kwok: up in [0-9.]+ s \\(pid ${pid}, log `))]);
    expect(readArgv0(pid!)).toBe(process.execPath);
  });

  it('reports a process that exits while starting as dead at once, with how it ended and its log lines', async () => {
    const layout = newLayout();
    const binary = script(layout, 'echo "kwok: --config: no such file" >&2\nexit 3');
    const began = Date.now();
    const error = await ensureComponent(layout, kwokLike(binary, await closedPort()), () => {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^kwok exited while starting \(exit code 3\); last lines of .*kwok\.log:\n/);
    expect(error?.message).toContain('    kwok: --config: no such file');
    expect(Date.now() - began).toBeLessThan(10_000);
  });
});
