import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a pid file records about a process we started. */
export interface ProcessRecord {
  readonly pid: number;
  readonly binary: string;
  readonly startedAt: string;
}

export function readProcessRecord(pidFile: string): ProcessRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  try {
    return JSON.parse(readFileSync(pidFile, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

/**
 * True when the recorded process still runs the recorded binary. Checking /proc/<pid>/cmdline
 * guards against a recycled pid, and a zombie (exited, not yet reaped) has an empty cmdline.
 */
export function isAlive(record: ProcessRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.split('\0')[0] === record.binary;
  } catch {
    return false;
  }
}

/**
 * Starts a long-running process in its own session, detached from ours, appending its output to
 * logFile, so it outlives the command that started it. Records it in pidFile.
 */
export function startDetached(binary: string, args: readonly string[], logFile: string, pidFile: string): ProcessRecord {
  mkdirSync(path.dirname(logFile), { recursive: true });
  mkdirSync(path.dirname(pidFile), { recursive: true });
  const log = openSync(logFile, 'a');
  try {
    writeFileSync(log, `\n=== ${new Date().toISOString()} starting ${binary} ${args.join(' ')}\n`);
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${binary}`);
    // Reap it if it dies while we are still running, so it does not linger as a zombie.
    child.on('exit', () => {});
    child.on('error', () => {});
    child.unref();
    const record: ProcessRecord = { pid: child.pid, binary, startedAt: new Date().toISOString() };
    writeFileSync(pidFile, JSON.stringify(record));
    return record;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. Removes the pid file. */
export async function stopProcess(pidFile: string, graceMs = 10_000): Promise<void> {
  const record = readProcessRecord(pidFile);
  if (record && isAlive(record)) {
    signal(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(record) && Date.now() < deadline) await sleep(100);
    if (isAlive(record)) {
      signal(record.pid, 'SIGKILL');
      while (isAlive(record)) await sleep(50);
    }
  }
  rmSync(pidFile, { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The last lines of a log file, to show why a component died. */
export function tailFile(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file, 'utf8').trimEnd();
  return text.split('\n').slice(-lines).join('\n');
}
