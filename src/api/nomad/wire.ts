import { parseDuration, type Millis } from '../../model/duration.ts';
import type { GoTime, Nanos, UnixNanos } from './types.ts';

/** What Kubernetes objects carry as a time: the client's Date, or the RFC 3339 text a cache keeps. */
export type KubeTime = Date | string | null | undefined;

/** Go's zero time.Time, as encoding/json writes it. */
export const zeroGoTime: GoTime = '0001-01-01T00:00:00Z';

/** Milliseconds as a Go time.Duration. Whole nanoseconds: Go decodes only integers into int64. */
export function msToNanos(ms: Millis): Nanos {
  return Math.round(ms * 1e6);
}

/** A Go duration string ("2m0s", as Caravan stores them in status) as nanoseconds; 0 when unreadable. */
export function durationNanos(text: string | undefined): Nanos {
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms === undefined ? 0 : msToNanos(ms);
}

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Unix nanoseconds as a JSON-safe number. Today's Unix nanoseconds (~1.8e18) are beyond 2^53, so
 * the sum is made exactly in BigInt and rounded once: the nearest double to a value ending in
 * three or more zeros (Kubernetes' seconds, milliseconds and microseconds) prints as exactly that
 * value, which Go decodes into int64 without loss.
 */
function nanosOf(wholeMs: number, extraNanos = 0): UnixNanos {
  return Number(BigInt(Math.trunc(wholeMs)) * 1_000_000n + BigInt(extraNanos));
}

/**
 * Unix nanoseconds of a Kubernetes time, 0 when there is none. Kubernetes writes seconds
 * (metav1.Time) or microseconds (MicroTime); the fraction is read from the text, not through
 * Date, so microseconds survive.
 */
export function unixNanos(time: KubeTime): UnixNanos {
  if (time === undefined || time === null) return 0;
  // A Date's own text: the client's MicroTime (a Date) prints its microseconds there.
  if (time instanceof Date) return Number.isNaN(time.getTime()) ? 0 : unixNanos(time.toISOString());
  const match = rfc3339.exec(time);
  if (!match) {
    const ms = Date.parse(time);
    return Number.isNaN(ms) ? 0 : nanosOf(ms);
  }
  const wholeSeconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(wholeSeconds)) return 0;
  return nanosOf(wholeSeconds, Number((match[2] ?? '').slice(0, 9).padEnd(9, '0')));
}

/** Epoch milliseconds (possibly fractional) as Unix nanoseconds; 0 when there are none. */
export function msToUnixNanos(ms: Millis | undefined): UnixNanos {
  if (ms === undefined || !Number.isFinite(ms)) return 0;
  const whole = Math.floor(ms);
  return nanosOf(whole, Math.round((ms - whole) * 1e6));
}

/**
 * A time as Go's encoding/json writes a time.Time: RFC 3339 in UTC, the fraction without trailing
 * zeros (Go's RFC3339Nano), and the zero time when there is none.
 */
export function goTime(time: KubeTime | number): GoTime {
  if (time === undefined || time === null) return zeroGoTime;
  if (typeof time === 'number') return Number.isFinite(time) ? trimFraction(new Date(time).toISOString()) : zeroGoTime;
  if (time instanceof Date) return Number.isNaN(time.getTime()) ? zeroGoTime : goTime(time.toISOString());
  const match = rfc3339.exec(time);
  if (!match) {
    const ms = Date.parse(time);
    return Number.isNaN(ms) ? zeroGoTime : trimFraction(new Date(ms).toISOString());
  }
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return zeroGoTime;
  const whole = new Date(seconds).toISOString().slice(0, 19);
  const fraction = (match[2] ?? '').slice(0, 9).replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''}Z`;
}

function trimFraction(iso: string): GoTime {
  return iso.replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** Epoch milliseconds of a Kubernetes time, or undefined. */
export function kubeMillis(time: KubeTime): Millis | undefined {
  if (time === undefined || time === null) return undefined;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}
