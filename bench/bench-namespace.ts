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

/**
 * Deletes a benchmark namespace without waiting for it to go: its Pods first with no grace period
 * (they are kwok's fake ones), so neither the namespace controller nor kwok spends minutes on
 * graceful deletion. One already gone is not an error.
 */
export async function removeBenchNamespace(core: CoreV1Api, namespace: string): Promise<void> {
  await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }).catch(() => {});
  try {
    await core.deleteNamespace({ name: namespace });
  } catch (error) {
    if (apiErrorCode(error) !== 404) throw error;
  }
}
