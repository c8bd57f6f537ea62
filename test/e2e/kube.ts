import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { apiErrorCode, loadKubeConfig } from '../../src/kube/client.ts';

/** Clients for the run's local cluster (started by global-setup.ts). */
export function clusterClients(): { kc: KubeConfig; core: CoreV1Api; apps: AppsV1Api } {
  const kc = loadKubeConfig(inject('kubeconfig'));
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

/** Polls `check` until it returns a value that is not undefined; fails naming `what` and the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** A fresh namespace per test, ready for pods once its default ServiceAccount exists. */
export async function freshNamespace(core: CoreV1Api, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name } } });
  await waitFor(`ServiceAccount ${name}/default`, async () => {
    try {
      return await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
    } catch (error) {
      if (apiErrorCode(error) === 404) return undefined;
      throw error;
    }
  });
  return name;
}

export function simulatedPod(name: string, annotations: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name, annotations },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * The reasons of the namespace's Events once all of `wanted` are among them. The controller writes
 * Events off the reconcile's path (src/controller/event-sink.ts), so they may land a moment after
 * the status that reports the same pass.
 */
export async function eventReasons(core: CoreV1Api, namespace: string, wanted: readonly string[], fieldSelector?: string): Promise<string[]> {
  return waitFor(
    `Events ${wanted.join(', ')} in ${namespace}`,
    async () => {
      const reasons = (await core.listNamespacedEvent({ namespace, ...(fieldSelector ? { fieldSelector } : {}) })).items.map((e) => e.reason ?? '');
      return wanted.every((r) => reasons.includes(r)) ? reasons : undefined;
    },
    30_000,
    250,
  );
}
