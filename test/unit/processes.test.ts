import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, readProcessRecord, startDetached, stopProcess, tailFile } from '../../src/cluster/processes.ts';

describe('detached component processes', () => {
  it('start, are recorded, log to their file, and stop on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caravan-proc-'));
    const pidFile = path.join(dir, 'run', 'x.pid');
    const logFile = path.join(dir, 'logs', 'x.log');
    const record = startDetached(process.execPath, ['-e', "console.log('hello from x'); setTimeout(() => {}, 60_000)"], logFile, pidFile);
    expect(readProcessRecord(pidFile)).toEqual(record);
    expect(isAlive(record)).toBe(true);
    await stopProcess(pidFile);
    expect(isAlive(record)).toBe(false);
    expect(readProcessRecord(pidFile)).toBeUndefined();
    expect(tailFile(logFile)).toContain(`starting ${process.execPath}`);
  });

  it('does not mistake another program on a recycled pid for the component', () => {
    expect(isAlive({ pid: process.pid, binary: '/not/our/binary', startedAt: '' })).toBe(false);
  });
});
