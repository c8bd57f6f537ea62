/**
 * Durations are written as Go duration strings ("10s", "5m", "1h30m", "250ms"), as in Nomad job
 * files and as CEL's duration() reads them in the CRD's validation rules.
 */
export type Millis = number;

const unitMillis: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The pattern the CRD schema enforces for duration fields. */
export const durationPattern = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$';
const durationRegExp = new RegExp(durationPattern);

/** Milliseconds of a Go duration string, or undefined when it is not one. */
export function parseDuration(text: string): Millis | undefined {
  if (!durationRegExp.test(text)) return undefined;
  if (text === '0') return 0;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * unitMillis[unit!]!;
  }
  return total;
}

/** Go's formatting of a duration (5m0s, 1h30m0s, 250ms), as Nomad's messages print them. */
export function formatDuration(ms: Millis): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${Number((rest / 1000).toFixed(9))}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
