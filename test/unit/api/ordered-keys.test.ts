import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventIndex } from '../../../src/api/event-index.ts';
import { objectKey } from '../../../src/kube/informer.ts';
import { OrderedKeys } from '../../../src/api/ordered-keys.ts';
import { compareTokens } from '../../../src/api/paginate.ts';
import { MemoryCache } from './memory-cluster.ts';

// Reads are rare enough that many changes pile up between two (the order is then sorted again at once).
const op = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 150 }), index: fc.integer({ min: 0, max: 20 }) }), weight: 200 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 150 }) }), weight: 80 },
  { arbitrary: fc.record({ kind: fc.constant('read' as const) }), weight: 1 },
);

describe('OrderedKeys: the keys in token order, whatever came and went before a read', () => {
  it('equals sorting what is there now (few changes by insertion, many by sorting once)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 600 }), (ops) => {
        const order = new OrderedKeys();
        const now = new Map<string, string>();
        const check = () => {
          const expected = [...now].sort(([ka, a], [kb, b]) => compareTokens(a, b) || (ka < kb ? -1 : 1)).map(([k]) => k);
          expect(order.keys().map((e) => e.item)).toEqual(expected);
        };
        for (const o of ops) {
          if (o.kind === 'set') {
            // Tokens as Nomad's: `<CreateIndex>.<ID>`, or a namespace and a name.
            const token = o.index % 3 === 0 ? `ns-${o.index}.job-${o.key}` : `${o.index}.uid-${o.key}`;
            order.set(`k${o.key}`, token);
            now.set(`k${o.key}`, token);
          } else if (o.kind === 'delete') {
            order.delete(`k${o.key}`);
            now.delete(`k${o.key}`);
          } else check();
        }
        check();
      }),
    );
  });
});

describe('EventIndex: objects by a value, following add, update and delete', () => {
  type Obj = { metadata: { name: string; namespace: string; labels: Record<string, string> } };
  const obj = (name: string, team: string): Obj => ({ metadata: { name, namespace: 'ns', labels: { team } } });

  it('files one key or several under a value, and moves an object whose value changes', () => {
    const cache = new MemoryCache<Obj>();
    const index = new EventIndex<Obj>(cache, (o) => o.metadata.labels['team']);
    const apply = (o: Obj) => {
      const old = cache.put(o);
      index.observe(old ? 'update' : 'add', o, old, objectKey(o));
    };
    apply(obj('a', 'red'));
    apply(obj('b', 'red'));
    apply(obj('c', 'blue'));
    expect([index.get('red').map((o) => o.metadata.name), index.count('red'), index.only('blue')?.metadata.name]).toEqual([['a', 'b'], 2, 'c']);
    apply(obj('b', 'blue'));
    expect([index.get('red').map((o) => o.metadata.name), index.get('blue').map((o) => o.metadata.name)]).toEqual([['a'], ['c', 'b']]);
    const gone = cache.remove('ns/a')!;
    index.observe('delete', gone, gone, 'ns/a');
    expect([index.get('red'), index.count('red'), [...index.values()]]).toEqual([[], 0, ['blue']]);
  });
});
