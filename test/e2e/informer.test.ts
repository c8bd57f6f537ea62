import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Informer, type InformerEvent } from '../../src/kube/informer.ts';
import { clusterClients, freshNamespace, waitFor } from './kube.ts';

const { kc, core } = clusterClients();

describe('the informer against the real API server', () => {
  it('lists in pages, then follows adds, updates and deletes, without managedFields', async () => {
    const namespace = await freshNamespace(core, 'informer');
    for (let i = 0; i < 7; i++)
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `cm-${i}`, labels: { app: 'x' } }, data: { v: '0' } } });
    const events: [InformerEvent, string][] = [];
    const informer = new Informer<V1ConfigMap>({
      kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      labelSelector: 'app=x',
      pageSize: 3,
      onEvent: (event, obj) => events.push([event, obj.metadata!.name!]),
    });
    await informer.start();
    try {
      expect(informer.synced).toBe(true);
      expect(informer.size).toBe(7);
      expect(informer.get(`${namespace}/cm-3`)?.metadata?.managedFields).toBeUndefined();
      expect(events.filter(([e]) => e === 'add')).toHaveLength(7);

      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cm-new', labels: { app: 'x' } } } });
      await core.patchNamespacedConfigMap({ namespace, name: 'cm-0', body: [{ op: 'replace', path: '/data/v', value: '1' }] });
      await core.deleteNamespacedConfigMap({ namespace, name: 'cm-1' });
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'not-mine', labels: { app: 'y' } } } });
      await waitFor('the watch to deliver three changes', async () => (events.length >= 10 ? true : undefined), 20_000);
      expect(events.slice(7)).toEqual([
        ['add', 'cm-new'],
        ['update', 'cm-0'],
        ['delete', 'cm-1'],
      ]);
      expect(informer.get(`${namespace}/cm-0`)?.data).toEqual({ v: '1' });
      expect(informer.get(`${namespace}/cm-1`)).toBeUndefined();
      expect(informer.get(`${namespace}/not-mine`)).toBeUndefined();
    } finally {
      informer.stop();
    }
  });

  it('lists page by page, each page applied as it comes', async () => {
    const namespace = await freshNamespace(core, 'informer-pages');
    for (const name of ['a', 'b', 'c', 'd', 'e']) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name } } });
    const added: string[] = [];
    const informer = new Informer<V1ConfigMap>({
      kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      pageSize: 2,
      onEvent: (event, obj) => event === 'add' && added.push(obj.metadata!.name!),
    });
    await informer.start();
    try {
      expect(['a', 'b', 'c', 'd', 'e'].every((n) => informer.get(`${namespace}/${n}`) !== undefined)).toBe(true);
      expect(added.filter((n) => n.length === 1).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      informer.stop();
    }
  });

  it('keeps its indexes in step with adds, updates that move an object, deletes and relists', async () => {
    const namespace = await freshNamespace(core, 'informer-index');
    const color = (cm: V1ConfigMap) => cm.data?.['color'];
    for (const [name, c] of [
      ['a', 'red'],
      ['b', 'red'],
      ['c', 'blue'],
    ] as const)
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: { app: 'x' } }, data: { color: c } } });
    const informer = new Informer<V1ConfigMap>({
      kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      labelSelector: 'app=x',
      indexes: { color },
      onEvent: () => {},
    });
    await informer.start();
    const names = (c: string) =>
      informer
        .byIndex('color', c)
        .map((cm) => cm.metadata!.name)
        .sort();
    try {
      expect([names('red'), names('blue')]).toEqual([['a', 'b'], ['c']]);
      await core.patchNamespacedConfigMap({ namespace, name: 'a', body: [{ op: 'replace', path: '/data/color', value: 'blue' }] });
      await core.deleteNamespacedConfigMap({ namespace, name: 'b' });
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'd', labels: { app: 'x' } }, data: {} } });
      await waitFor(
        'the index to follow',
        async () => (names('red').length === 0 && names('blue').length === 2 && informer.size === 3 ? true : undefined),
        20_000,
      );
      expect(names('blue')).toEqual(['a', 'c']);
      expect(() => informer.byIndex('size', 'x')).toThrow('has no index "size"');
    } finally {
      informer.stop();
    }
  });
});
