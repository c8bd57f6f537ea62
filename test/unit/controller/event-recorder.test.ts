import { describe, expect, it } from 'vitest';
import { camelCaseReason, EventSeriesBook, reportingController, type TransitionEvent, truncateNote } from '../../../src/controller/event-recorder.ts';

const promoted: TransitionEvent = {
  regarding: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadDeployment', name: 'web-v1', namespace: 'shop', uid: 'u1' },
  type: 'Normal',
  reason: 'Promoted',
  note: 'Canaries promoted',
};

describe('Events like kubectl expects (issue 16)', () => {
  it('a first event is an events.k8s.io Event with reportingController, reportingInstance, action and a MicroTime', () => {
    const book = new EventSeriesBook('caravan-7d9f-abcde', () => 'x1');
    const write = book.next(promoted, Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(write.kind).toBe('create');
    if (write.kind !== 'create') return;
    expect(write.event).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web-v1.x1', namespace: 'shop' },
      reportingController,
      reportingInstance: 'caravan-7d9f-abcde',
      action: 'Promoted',
      reason: 'Promoted',
      note: 'Canaries promoted',
      type: 'Normal',
      regarding: promoted.regarding,
    });
    expect(reportingController).toBe('caravan.dev/controller');
    expect(JSON.stringify(write.event.eventTime)).toBe('"2026-01-02T03:04:05.678000Z"');
  });

  it('a repeat (same object, type and reason, any note) is the series of the first Event: the first repeat at once, later ones counted for flush', () => {
    let n = 0;
    const book = new EventSeriesBook('i', () => `s${++n}`);
    const t0 = 1_000_000;
    expect(book.next(promoted, t0).kind).toBe('create');
    expect(book.next({ ...promoted, note: 'web-app-1 is healthy' }, t0 + 5_000)).toMatchObject({
      kind: 'series',
      name: 'web-v1.s1',
      namespace: 'shop',
      series: { count: 2 },
    });
    expect(book.flush()).toEqual([]);
    expect(book.next(promoted, t0 + 6_000)).toEqual({ kind: 'counted' });
    expect(book.next(promoted, t0 + 7_000)).toEqual({ kind: 'counted' });
    const [update, ...rest] = book.flush();
    expect(rest).toEqual([]);
    expect(update).toMatchObject({ name: 'web-v1.s1', namespace: 'shop', series: { count: 4 } });
    expect(JSON.stringify(update!.series.lastObservedTime)).toBe(JSON.stringify(new Date(t0 + 7_000).toISOString().replace('Z', '000Z')));
    expect(book.flush()).toEqual([]);
    expect(book.next({ ...promoted, reason: 'Paused' }, t0 + 7_000)).toMatchObject({ kind: 'create', event: { metadata: { name: 'web-v1.s2' } } });
    expect(book.next({ ...promoted, type: 'Warning' }, t0 + 7_000).kind).toBe('create');
    expect(book.next({ ...promoted, regarding: { ...promoted.regarding, name: 'web-v2' } }, t0 + 7_000).kind).toBe('create');
  });

  it('after the 30-minute series window, or once the Event is gone, a repeat starts a new Event', () => {
    let n = 0;
    const book = new EventSeriesBook('i', () => `s${++n}`);
    book.next(promoted, 0);
    expect(book.next(promoted, 31 * 60_000)).toMatchObject({ kind: 'create', event: { metadata: { name: 'web-v1.s2' } } });
    book.forget('web-v1.s2');
    expect(book.next(promoted, 32 * 60_000)).toMatchObject({ kind: 'create', event: { metadata: { name: 'web-v1.s3' } } });
  });

  it.each([
    ['Promoted', 'Promoted'],
    ['IntentRefused', 'IntentRefused'],
    ['marked unhealthy', 'MarkedUnhealthy'],
    ['deadline-exceeded', 'DeadlineExceeded'],
  ])('reason %s is written as %s', (reason, camel) => {
    expect(camelCaseReason(reason)).toBe(camel);
  });

  it('notes are cut to 1 KiB of UTF-8, on a character boundary', () => {
    expect(truncateNote('short')).toBe('short');
    const long = truncateNote('é'.repeat(2000));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(1024);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toContain('\uFFFD');
  });
});
