import { type EventsV1Event, V1MicroTime } from '@kubernetes/client-node';
import os from 'node:os';

/**
 * Events as kubectl and client-go's events.k8s.io recorder write them (issue 16):
 * - reportingController and reportingInstance say who wrote it (kubectl events shows them);
 * - a repeat of the same event (same object, type, reason and note) within the series window
 *   becomes a series on the first Event (count, lastObservedTime), not one more object;
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
const maxTracked = 4096;

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
  | { readonly kind: 'series'; readonly name: string; readonly series: { count: number; lastObservedTime: V1MicroTime } };

interface Seen {
  name: string;
  first: number;
  count: number;
}

/**
 * Remembers the Events this process wrote, keyed by what they say, so a repeat becomes a series
 * update. In memory only: after a restart the first repeat starts a new Event, as in client-go.
 */
export class EventSeriesBook {
  private readonly seen = new Map<string, Seen>();
  private readonly instance: string;
  private readonly suffix: () => string;

  constructor(instance: string = reportingInstance(), suffix: () => string = () => Math.random().toString(36).slice(2, 10)) {
    this.instance = instance;
    this.suffix = suffix;
  }

  /** What to write for `event` at `now`: a new Event, or the series of the one written before. */
  next(event: TransitionEvent, now: number): EventWrite {
    const reason = camelCaseReason(event.reason);
    const note = truncateNote(event.note);
    const r = event.regarding;
    const key = JSON.stringify([r.namespace, r.kind, r.name, r.uid ?? '', event.type, reason, note]);
    const seen = this.seen.get(key);
    if (seen && now - seen.first < seriesWindowMs) {
      seen.count += 1;
      return { kind: 'series', name: seen.name, series: { count: seen.count, lastObservedTime: new V1MicroTime(now) } };
    }
    const name = `${r.name}.${this.suffix()}`;
    this.remember(key, { name, first: now, count: 1 });
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
        action: camelCaseReason(event.action ?? reason),
        reason,
        note,
        type: event.type,
        regarding: { apiVersion: r.apiVersion, kind: r.kind, name: r.name, namespace: r.namespace, ...(r.uid ? { uid: r.uid } : {}) },
      },
    };
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
