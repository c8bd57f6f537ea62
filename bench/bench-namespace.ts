import type { CoreV1Api } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { apiErrorCode } from '../src/kube/client.ts';

/** A fresh namespace for one benchmark run, ready for Pods once its default ServiceAccount exists. */
export async function benchNamespace(core: CoreV1Api): Promise<string> {
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  for (;;) {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace });
      return namespace;
    } catch (error) {
      if (apiErrorCode(error) !== 404) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
