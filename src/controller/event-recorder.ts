import { type EventsV1Event, V1MicroTime } from '@kubernetes/client-node';
import os from 'node:os';

/**
 * Events as kubectl and client-go's events.k8s.io recorder (k8s.io/client-go/tools/events) write
 * them (issues 15 and 16):
 * - reportingController and reportingInstance say who wrote it (kubectl events shows them);
 * - events are isomorphic when they say the same thing of the same object: same object, type,
 *   reason and action, whatever the note (client-go's getKey leaves the note out). A repeat
 *   becomes a series on the first Event, not one more object, so a deployment's hundred
 *   AllocationHealthy events are one Event with count 100, as in Kubernetes;
 * - the first repeat is written at once (count 2); later ones are counted in memory and written
 *   together by `flush` (client-go writes them on a 30-minute heartbeat; Caravan every few
 *   seconds, see event-sink.ts), so a rollout of N allocations makes O(1) writes per reason;
 * - the reason is CamelCase, the note at most 1 KiB (the API server refuses longer ones).
 */
export const reportingController = 'caravan.dev/controller';

/** The Pod's name in a cluster (the Deployment sets no POD_NAME, so its hostname), else host and pid. */
export function reportingInstance(): string {
  const name = process.env['POD_NAME'] ?? (process.env['KUBERNETES_SERVICE_HOST'] ? os.hostname() : `${os.hostname()}-${process.pid}`);
  return name.slice(0, 128);
}

export interface EventRegarding {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
}

export interface TransitionEvent {
  readonly regarding: EventRegarding;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  /** What happened, for a person. */
  readonly note: string;
  /** What Caravan did (events.k8s.io requires it): the reason unless said otherwise. */
  readonly action?: string;
}

const maxNoteBytes = 1024;
/** client-go's series window: a repeat after this long starts a new Event. */
const seriesWindowMs = 30 * 60_000;
// Enough for a rollout of every job at 10k jobs (a few reasons per deployment); the oldest go first.
const maxTracked = 16_384;

/** "marked unhealthy" → "MarkedUnhealthy"; CamelCase reasons pass unchanged. */
export function camelCaseReason(reason: string): string {
  if (/^[A-Z][A-Za-z0-9]*$/.test(reason)) return reason;
  return reason
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** At most 1 KiB of UTF-8, cut on a character boundary, marked with an ellipsis when cut. */
export function truncateNote(note: string): string {
  if (Buffer.byteLength(note) <= maxNoteBytes) return note;
  let cut = note.slice(0, maxNoteBytes - 3);
  while (Buffer.byteLength(`${cut}…`) > maxNoteBytes) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export type EventWrite =
  | { readonly kind: 'create'; readonly event: EventsV1Event }
  | { readonly kind: 'series'; readonly name: string; readonly namespace: string; readonly series: EventSeries }
  /** Counted in memory; `flush` writes it. */
  | { readonly kind: 'counted' };

export interface EventSeries {
  readonly count: number;
  readonly lastObservedTime: V1MicroTime;
}

/** A series update that `flush` hands back for writing. */
export interface SeriesUpdate {
  readonly name: string;
  readonly namespace: string;
  readonly series: EventSeries;
}

interface Seen {
  name: string;
  namespace: string;
  first: number;
  count: number;
  last: number;
  /** Counted since the series was last written. */
  dirty: boolean;
}

/**
 * Remembers the Events this process wrote, keyed by what makes them isomorphic, so a repeat
 * becomes a series update. In memory only: after a restart the first repeat starts a new Event,
 * as in client-go.
 */
export class EventSeriesBook {
  private readonly seen = new Map<string, Seen>();
  private readonly instance: string;
  private readonly suffix: () => string;

  constructor(instance: string = reportingInstance(), suffix: () => string = () => Math.random().toString(36).slice(2, 10)) {
    this.instance = instance;
    this.suffix = suffix;
  }

  /** What to write for `event` at `now`: a new Event, the series of the one written before, or nothing yet. */
  next(event: TransitionEvent, now: number): EventWrite {
    const reason = camelCaseReason(event.reason);
    const action = camelCaseReason(event.action ?? reason);
    const r = event.regarding;
    const key = JSON.stringify([r.namespace, r.apiVersion, r.kind, r.name, r.uid ?? '', event.type, reason, action]);
    const seen = this.seen.get(key);
    if (seen && now - seen.first < seriesWindowMs) {
      seen.count += 1;
      seen.last = now;
      if (seen.count > 2) {
        seen.dirty = true;
        return { kind: 'counted' };
      }
      return { kind: 'series', name: seen.name, namespace: seen.namespace, series: { count: seen.count, lastObservedTime: new V1MicroTime(now) } };
    }
    const name = `${r.name}.${this.suffix()}`;
    this.remember(key, { name, namespace: r.namespace, first: now, count: 1, last: now, dirty: false });
    return {
      kind: 'create',
      event: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace: r.namespace },
        // MicroTime: the API server wants six fractional digits.
        eventTime: new V1MicroTime(now),
        reportingController,
        reportingInstance: this.instance,
        action,
        reason,
        note: truncateNote(event.note),
        type: event.type,
        regarding: { apiVersion: r.apiVersion, kind: r.kind, name: r.name, namespace: r.namespace, ...(r.uid ? { uid: r.uid } : {}) },
      },
    };
  }

  /** The series counted since they were last written, each once, newest count. */
  flush(): SeriesUpdate[] {
    const out: SeriesUpdate[] = [];
    for (const seen of this.seen.values()) {
      if (!seen.dirty) continue;
      seen.dirty = false;
      out.push({ name: seen.name, namespace: seen.namespace, series: { count: seen.count, lastObservedTime: new V1MicroTime(seen.last) } });
    }
    return out;
  }

  /** The Event named `name` is gone (expired after its TTL): its next repeat starts a new one. */
  forget(name: string): void {
    for (const [key, seen] of this.seen) if (seen.name === name) this.seen.delete(key);
  }

  private remember(key: string, seen: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, seen);
    // Oldest first: a Map iterates in insertion order.
    while (this.seen.size > maxTracked) this.seen.delete(this.seen.keys().next().value!);
  }
}
