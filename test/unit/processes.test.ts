import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcStat, readBootId, readProcStat } from '../../src/cluster/proc-stat.ts';
import { isAlive, readProcessRecord, startDetached, stopProcess, tailFile, type ProcessRecord } from '../../src/cluster/processes.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'caravan-proc-'));
const sleeper = 'setTimeout(() => {}, 60_000)';

const children: ChildProcess[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A plain child of this test, as an earlier run of caravan would have left one. */
async function runningChild(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', sleeper], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child as ChildProcess & { pid: number };
}

function recordOf(pid: number, binary: string): ProcessRecord {
  return { pid, binary, startedAt: new Date().toISOString(), startTicks: readProcStat(pid)!.startTicks, bootId: readBootId()! };
}

describe('detached component processes', () => {
  it('start, are recorded with their start time, log to their file, and stop on SIGTERM', async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, 'run', 'x.pid');
    const logFile = path.join(dir, 'logs', 'x.log');
    const started = await startDetached(process.execPath, ['-e', `console.log('hello from x'); ${sleeper}`], logFile, pidFile);
    pids.push(started.record.pid);
    expect(readProcessRecord(pidFile)).toEqual(started.record);
    expect(started.record.startTicks).toBe(readProcStat(started.record.pid)!.startTicks);
    expect(started.record.bootId).toBe(readBootId());
    expect(isAlive(started.record)).toBe(true);
    expect(started.ended()).toBeUndefined();
    await stopProcess(pidFile);
    expect(isAlive(started.record)).toBe(false);
    expect(started.ended()).toEqual({ kind: 'exited', code: null, signal: 'SIGTERM' });
    expect(readProcessRecord(pidFile)).toBeUndefined();
    expect(tailFile(logFile)).toContain('hello from x');
  });

  it('say how a process they started ended, from its exit event', async () => {
    const dir = tempDir();
    const started = await startDetached(process.execPath, ['-e', 'process.exit(3)'], path.join(dir, 'x.log'), path.join(dir, 'x.pid'));
    for (let i = 0; i < 100 && !started.ended(); i++) await sleep(50);
    expect(started.ended()).toEqual({ kind: 'exited', code: 3, signal: null });
  });

  it('refuse a binary that cannot be started, saying why', async () => {
    const dir = tempDir();
    await expect(startDetached(path.join(dir, 'missing'), [], path.join(dir, 'x.log'), path.join(dir, 'x.pid'))).rejects.toThrow(
      /could not start .*missing: spawn .* ENOENT/,
    );
    expect(readProcessRecord(path.join(dir, 'x.pid'))).toBeUndefined();
  });
});

describe('a process recorded by an earlier run', () => {
  it('is alive while the pid runs with the recorded start time', async () => {
    const child = await runningChild();
    expect(isAlive(recordOf(child.pid, process.execPath))).toBe(true);
  });

  it.each([
    ['a recycled pid (another start time)', (r: ProcessRecord) => ({ ...r, startTicks: r.startTicks! - 1 })],
    ['a pid from before a reboot (another boot)', (r: ProcessRecord) => ({ ...r, bootId: '00000000-0000-0000-0000-000000000000' })],
  ])('is not mistaken for ours on %s', async (_, change) => {
    const child = await runningChild();
    expect(isAlive(change(recordOf(child.pid, process.execPath)))).toBe(false);
  });

  it('is dead once it exited', async () => {
    const child = await runningChild();
    const record = recordOf(child.pid, process.execPath);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isAlive(record)).toBe(false);
  });

  it('is dead as a zombie (exited, not reaped)', async () => {
    // The shell starts `sleep 0` and then becomes `sleep 30`, which never waits for its child.
    const parent = spawn('/bin/sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const zombie = Number(line.toString().trim());
    for (let i = 0; i < 100 && readProcStat(zombie)?.state !== 'Z'; i++) await sleep(20);
    expect(readProcStat(zombie)?.state).toBe('Z');
    expect(isAlive({ pid: zombie, binary: '/bin/sleep', startedAt: '', startTicks: readProcStat(zombie)!.startTicks, bootId: readBootId()! })).toBe(false);
  });

  it('from a pid file without a start time (before issue 11) is judged by its binary', async () => {
    const child = await runningChild();
    expect(isAlive({ pid: child.pid, binary: process.execPath, startedAt: '' })).toBe(true);
    expect(isAlive({ pid: child.pid, binary: '/not/our/binary', startedAt: '' })).toBe(false);
  });

  it.each([
    ['not JSON', 'not json'],
    ['pid 0 (would signal our process group)', JSON.stringify({ pid: 0, binary: '/x', startedAt: '' })],
    ['pid -1 (would signal every process)', JSON.stringify({ pid: -1, binary: '/x', startedAt: '' })],
    ['no binary', JSON.stringify({ pid: 1234, startedAt: '' })],
    ['null', 'null'],
  ])('is not read from a pid file with %s', (_, text) => {
    const file = path.join(tempDir(), 'x.pid');
    writeFileSync(file, text);
    expect(readProcessRecord(file)).toBeUndefined();
  });
});

describe('/proc/<pid>/stat', () => {
  it.each([
    ['a plain name', '4242 (kwok) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 987654 1000 200', { state: 'S', startTicks: 987654 }],
    ['a name with spaces and parentheses', '4242 (a) b (c) Z 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 55 1000 200', { state: 'Z', startTicks: 55 }],
  ])('is read with %s', (_, line, expected) => {
    expect(parseProcStat(line)).toEqual(expected);
  });

  it('of this process matches what the kernel says', () => {
    expect(readProcStat(process.pid)?.state).toMatch(/^[RS]$/);
    expect(readProcStat(process.pid)?.startTicks).toBeGreaterThan(0);
  });

  it.each([['garbage'], ['1 (x) S 1 2']])('is refused when truncated: %s', (line) => {
    expect(parseProcStat(line)).toBeUndefined();
  });
});
