import { InvalidArgumentError } from 'commander';
import { parseDuration, type Millis } from '../model/duration.ts';

// Checked when the command line is read: a bad value stops the command with exit code 2 and
// commander's "error: option '--wait <duration>' argument 'x' is invalid. …" (issue 11).

/** A parser for a Go duration (30s, 5m, 1h30m) in milliseconds, from minMs to maxMs. */
export function durationOption(minMs: Millis, maxMs: Millis, accepted: string): (value: string) => Millis {
  return (value: string) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs || ms > maxMs) throw new InvalidArgumentError(`It takes ${accepted}.`);
    return ms;
  };
}

const day = 86_400_000;

/** How long to wait for the controller to act on an intent; 0 does not wait. */
export const parseWait = durationOption(0, day, 'a duration such as 15s, 5m or 1h30m (at most 24h), or 0 to not wait');

/** --timeout of watch: a time limit, so longer than nothing (no --timeout waits for ever). */
export const parseTimeout = durationOption(Number.MIN_VALUE, Number.MAX_VALUE, 'a duration longer than 0, such as 90s, 10m or 1h30m');

/** How often watch reads the deployment: not more than 10 times a second, and at least hourly. */
export const parseInterval = durationOption(100, 3_600_000, 'a duration from 100ms to 1h, such as 1s or 5s');

/** A job version as `kubectl nomad history` lists them: 0, 1, 2, … */
export function parseJobVersion(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('It takes a job version number, as kubectl nomad history lists them.');
  return n;
}
