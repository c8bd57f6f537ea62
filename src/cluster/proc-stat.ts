import { readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says about a process: its state, and when it started. */
export interface ProcStat {
  /** R, S, D, T, … ; Z is a zombie (exited, not reaped) and X a dead task: neither runs. */
  readonly state: string;
  /**
   * Field 22, starttime: clock ticks after boot when the process was forked. exec keeps it, so it
   * is known from the moment spawn returns, and no later process on a recycled pid shares it.
   */
  readonly startTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. Field 2 is the command name in parentheses and may itself
 * hold spaces and parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come field 3 (state), 4 (ppid), … so field 22 is the 20th.
  const fields = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const startTicks = Number(fields[22 - 3]);
  if (!state || !Number.isSafeInteger(startTicks)) return undefined;
  return { state, startTicks };
}

/** The process's stat, or undefined when no process has that pid. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function isRunningState(stat: ProcStat): boolean {
  return stat.state !== 'Z' && stat.state !== 'X' && stat.state !== 'x';
}

/** Changes at every boot: start ticks only name a process together with the boot they count from. */
export function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** argv[0] of a running process ('' while a zombie, or in the instant of exec before argv is mapped). */
export function readArgv0(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}
