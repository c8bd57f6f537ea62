import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunningState, readArgv0, readBootId, readProcStat } from './proc-stat.ts';

/** What a pid file records about a process we started. */
export interface ProcessRecord {
  readonly pid: number;
  readonly binary: string;
  readonly startedAt: string;
  /**
   * The process's start time (/proc/<pid>/stat field 22) and the boot it counts from: with the pid
   * they name this one process, never a later one that got the pid recycled. Absent in pid files
   * written before issue 11.
   */
  readonly startTicks?: number;
  readonly bootId?: string;
}

export function readProcessRecord(pidFile: string): ProcessRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  let record: Partial<ProcessRecord>;
  try {
    record = JSON.parse(readFileSync(pidFile, 'utf8')) as Partial<ProcessRecord>;
  } catch {
    return undefined;
  }
  // A pid of 0 or -1 would make kill() signal a whole process group, or everything we may signal.
  if (typeof record !== 'object' || record === null || !Number.isSafeInteger(record.pid) || record.pid! <= 1 || typeof record.binary !== 'string')
    return undefined;
  return record as ProcessRecord;
}

/**
 * True while the process a pid file records (started by an earlier run) still runs. A zombie counts
 * as dead. The pid's start time must match the recorded one, so a recycled pid is never taken for
 * ours; a pid file without one (written before issue 11) falls back to comparing argv[0].
 */
export function isAlive(record: ProcessRecord): boolean {
  const stat = readProcStat(record.pid);
  if (!stat || !isRunningState(stat)) return false;
  if (record.startTicks === undefined || record.bootId === undefined) return readArgv0(record.pid) === record.binary;
  return stat.startTicks === record.startTicks && readBootId() === record.bootId;
}

/** How a process we spawned ended, as its exit event (or spawn's error) told us. */
export type ProcessEnd =
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'failed'; readonly error: Error };

export function describeEnd(end: ProcessEnd): string {
  if (end.kind === 'failed') return end.error.message;
  return end.signal ? `killed by ${end.signal}` : `exit code ${end.code}`;
}

/** A process this process spawned: Node sees it exit, so no guess from /proc is needed. */
export interface StartedProcess {
  readonly record: ProcessRecord;
  /** Undefined while it runs; how it ended once it has. */
  ended(): ProcessEnd | undefined;
}

/**
 * Starts a long-running process in its own session, detached from ours, appending its output to
 * logFile, so it outlives the command that started it. Records it in pidFile, with its start time.
 */
export async function startDetached(
  binary: string,
  args: readonly string[],
  logFile: string,
  pidFile: string,
  env?: Readonly<Record<string, string>>,
): Promise<StartedProcess> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  mkdirSync(path.dirname(pidFile), { recursive: true });
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    writeFileSync(log, `\n=== ${new Date().toISOString()} starting ${binary} ${args.join(' ')}\n`);
    child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log], ...(env ? { env: { ...process.env, ...env } } : {}) });
  } finally {
    closeSync(log);
  }
  let end: ProcessEnd | undefined;
  // Node reaps it when it exits while we still run (no zombie), and tells us how it ended.
  child.on('exit', (code, signal) => (end ??= { kind: 'exited', code, signal }));
  // Read before the event loop turns: until then the child cannot have been reaped.
  const stat = child.pid === undefined ? undefined : readProcStat(child.pid);
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  // Later errors (a failed kill) do not mean it ended; without a listener they would throw.
  child.on('error', () => {});
  child.unref();
  if (spawnError || child.pid === undefined) {
    end ??= { kind: 'failed', error: spawnError ?? new Error('no pid') };
    throw new Error(`could not start ${binary}: ${describeEnd(end)}`);
  }
  const bootId = readBootId();
  const record: ProcessRecord = {
    pid: child.pid,
    binary,
    startedAt: new Date().toISOString(),
    ...(stat && bootId ? { startTicks: stat.startTicks, bootId } : {}),
  };
  writeFileSync(pidFile, JSON.stringify(record));
  return { record, ended: () => end };
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
