import { Cron } from 'croner';
import type { Millis } from './duration.ts';
import type { PeriodicSpec } from './nomad-job-spec.ts';

/**
 * Nomad's cron grammar (hashicorp/cronexpr) on croner: 5 fields are `min hour dom month dow`, 6
 * fields append a *year* (not seconds, unlike croner), 7 fields are `sec min hour dom month dow
 * year`, and the @macros. Every expression is handed to croner as 7 fields so each keeps Nomad's
 * meaning (spec §1.2).
 */
function sevenFields(expression: string): string {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) return trimmed;
  const fields = trimmed.split(/\s+/);
  if (fields.length === 5) return ['0', ...fields, '*'].join(' ');
  if (fields.length === 6) return ['0', ...fields].join(' ');
  return fields.join(' ');
}

function cronOf(expression: string, timeZone: string): Cron {
  return new Cron(sevenFields(expression), { paused: true, timezone: timeZone, mode: 'auto', legacyMode: true });
}

/** Nomad's zone rule: an empty time zone is UTC. */
export function periodicTimeZone(p: PeriodicSpec): string {
  return p.timeZone === undefined || p.timeZone === '' ? 'UTC' : p.timeZone;
}

/** Why an IANA zone name is refused, in Go's words (`unknown time zone Mars/Base`); undefined when it is known. */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (timeZone === '' || timeZone === 'UTC' || timeZone === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
    return undefined;
  } catch {
    return `unknown time zone ${timeZone}`;
  }
}

/** Why a cron expression is refused (croner's reason); undefined when it parses. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (!expression.trim().startsWith('@') && (fields.length < 5 || fields.length > 7))
    return `expected 5 to 7 fields (min hour dom month dow [year], or sec min hour dom month dow year), found ${fields.length}`;
  try {
    cronOf(expression, 'UTC');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether a croner run time is the wall-clock time the pattern asked for in its zone. */
function onTheWallClock(cron: Cron, run: Date): boolean {
  return cron.match(run);
}

/**
 * The first launch of one expression strictly after `after`, in `timeZone`. A local time that a
 * spring-forward DST change skips does not fire that day (Nomad's cronexpr fork, PR #7894):
 * croner moves such a fixed-time run to the end of the gap, so those runs are passed over.
 */
function nextOf(expression: string, timeZone: string, after: Millis): Millis | undefined {
  const cron = cronOf(expression, timeZone);
  let from = new Date(after);
  for (let guard = 0; guard < 8; guard++) {
    const run = cron.nextRun(from);
    if (run === null) return undefined;
    if (onTheWallClock(cron, run)) return run.getTime();
    from = run;
  }
  return undefined;
}

/**
 * The next periodic launch strictly after `after`: the earliest over every cron (coinciding ones
 * make one launch), or undefined when none fires again (a past year). Pure: time is an input.
 */
export function nextLaunchAfter(p: PeriodicSpec, after: Millis): Millis | undefined {
  const zone = periodicTimeZone(p);
  const times = p.crons.flatMap((c) => nextOf(c, zone, after) ?? []);
  return times.length > 0 ? Math.min(...times) : undefined;
}
