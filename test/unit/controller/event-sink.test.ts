import type { EventsV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EventSeriesBook, type EventSeries, type TransitionEvent } from '../../../src/controller/event-recorder.ts';
import { EventSink, type EventWrites } from '../../../src/controller/event-sink.ts';

const healthy = (alloc: string): TransitionEvent => ({
  regarding: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadDeployment', name: 'web-v1', namespace: 'shop', uid: 'u1' },
  type: 'Normal',
  reason: 'AllocationHealthy',
  note: `${alloc} is healthy`,
});

/** Records the writes; an Event named in `gone` answers a series patch with 404. */
function recording() {
  const created: EventsV1Event[] = [];
  const patched: { name: string; series: EventSeries }[] = [];
  const gone = new Set<string>();
  let release: () => void = () => {};
  let held: Promise<void> | undefined;
  const writes: EventWrites = {
    create: async (_ns, event) => {
      if (held) await held;
      created.push(event);
    },
    patchSeries: async (_ns, name, series) => {
      if (gone.has(name)) return false;
      patched.push({ name, series });
      return true;
    },
  };
  const hold = () => {
    held = new Promise((r) => (release = r));
  };
  return { created, patched, gone, writes, hold, release: () => release() };
}

describe('EventSink: Events off the reconcile path (issue 15)', () => {
  it("a rollout's hundred AllocationHealthy events are one Event and two series writes", async () => {
    const w = recording();
    let n = 0;
    const sink = new EventSink({ writes: w.writes, book: new EventSeriesBook('i', () => `e${++n}`), flushEveryMs: 60_000 });
    for (let i = 0; i < 100; i++) sink.record('shop', healthy(`web-app-${i}`), 1_000 + i);
    await sink.close();
    expect(w.created.map((e) => [e.metadata?.name, e.note])).toEqual([['web-v1.e1', 'web-app-0 is healthy']]);
    expect(w.patched.map((p) => [p.name, p.series.count])).toEqual([
      ['web-v1.e1', 2],
      ['web-v1.e1', 100],
    ]);
  });

  it('record returns before the write is done; flush waits for it', async () => {
    const w = recording();
    w.hold();
    const sink = new EventSink({ writes: w.writes, flushEveryMs: 60_000 });
    sink.record('shop', healthy('web-app-0'), 1_000);
    expect(w.created).toHaveLength(0);
    const flushed = sink.flush();
    w.release();
    await flushed;
    expect(w.created).toHaveLength(1);
    await sink.close();
  });

  it("an Event's writes go in order: its series waits for its create, and the last count is the one written last", async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const writes: EventWrites = {
      create: async (_ns, event) => {
        await held;
        order.push(`create ${event.metadata?.name}`);
      },
      patchSeries: async (_ns, name, series) => {
        order.push(`series ${name} ${series.count}`);
        return true;
      },
    };
    const sink = new EventSink({ writes, book: new EventSeriesBook('i', () => 'e1'), flushEveryMs: 60_000 });
    for (let i = 0; i < 3; i++) sink.record('shop', healthy('web-app-0'), 1_000 + i);
    const flushed = sink.flush();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    release();
    await flushed;
    expect(order).toEqual(['create web-v1.e1', 'series web-v1.e1 2', 'series web-v1.e1 3']);
    await sink.close();
  });

  it('a series whose Event expired starts a new Event', async () => {
    const w = recording();
    let n = 0;
    const sink = new EventSink({ writes: w.writes, book: new EventSeriesBook('i', () => `e${++n}`), flushEveryMs: 60_000 });
    sink.record('shop', healthy('web-app-0'), 1_000);
    await sink.flush();
    w.gone.add('web-v1.e1');
    sink.record('shop', healthy('web-app-1'), 2_000);
    await sink.close();
    expect(w.created.map((e) => e.metadata?.name)).toEqual(['web-v1.e1', 'web-v1.e2']);
  });

  it('drops Events beyond maxPending instead of growing without bound', async () => {
    const w = recording();
    w.hold();
    const sink = new EventSink({ writes: w.writes, flushEveryMs: 60_000, maxPending: 2, concurrency: 1 });
    for (let i = 0; i < 10; i++) sink.record('shop', { ...healthy('x'), regarding: { ...healthy('x').regarding, name: `web-v${i}` } }, 1_000);
    w.release();
    await sink.close();
    // Two were taken while they waited; the rest were dropped.
    expect(w.created).toHaveLength(2);
  });
});
