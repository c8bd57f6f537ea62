import { InvalidArgumentError, type CommanderError } from 'commander';
import { parseDuration } from '../model/duration.ts';

// Option values are checked when the command line is read, so that `--concurrency abc` or
// `--api-port abc` stop the command with exit code 2 instead of becoming NaN and quietly
// reconciling nothing or serving nothing (issue 11). commander puts the option and the value
// in front of these messages: "error: option '--concurrency <n>' argument 'abc' is invalid. …"

/** A parser for a whole number from min to max; `meaning` explains special values. */
export function wholeNumber(min: number, max: number, meaning = ''): (value: string) => number {
  return (value: string) => {
    // Number() would also take '', ' ', '1e3', '0x10' and '+4'.
    const n = /^-?[0-9]+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`It takes a whole number from ${min} to ${max}${meaning}.`);
    return n;
  };
}

/** `--kube-api-qps` and `--kube-api-burst`: the client-side rate limit's requests a second and burst. */
export const parseKubeApiRate = wholeNumber(1, 100_000);

/** Reconciles at once: at least one, or nothing would ever run. */
export const parseConcurrency = wholeNumber(1, 1000);

/**
 * `--shards`: replicas split the jobs this many ways (issue 15 §5). Each shard is a Lease every
 * replica reads every retry period, so the count stays small; more shards than replicas only
 * serves to spread them evenly.
 */
export const parseShards = wholeNumber(1, 256);

/**
 * Whole seconds, as the Lease's spec.leaseDurationSeconds holds them. The renew deadline and retry
 * period are derived from it (controller-command.ts), so an hour is plenty.
 */
export const parseLeaseSeconds = wholeNumber(1, 3600, ' (seconds)');

/** A TCP port to serve on; 0 asks the kernel for a free one, -1 serves nothing. */
export function parseServePort(value: string): number {
  if (value === '-1') return -1;
  try {
    return wholeNumber(0, 65_535)(value);
  } catch {
    throw new InvalidArgumentError('It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.');
  }
}

/** A Go duration (`4h`, `90s`) in ms, as Nomad's job_gc_threshold takes it. */
export function parseGoDurationMs(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('It takes a positive Go duration such as 4h, 30m or 90s.');
  return ms;
}

/** kwok fake nodes in the local cluster. */
export const parseNodeCount = wholeNumber(1, 1000);

/**
 * What a CommanderError means as an exit code: 0 for --help and --version, 2 for every usage error
 * (an unknown option, a missing argument, a value an option does not take), as `convert` does.
 */
export function usageExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? 0 : 2;
}
