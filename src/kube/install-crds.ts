import { ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { nomadDeploymentCrd } from '../crd/nomad-deployment-crd.ts';
import { nomadJobCrd } from '../crd/nomad-job-crd.ts';
import { apiErrorCode } from './client.ts';

/**
 * Caravan's CRDs, as crds/ holds them, as client-node model objects. The typed API re-serializes
 * request bodies through its models, which know fields by their TypeScript names
 * (xKubernetesValidations, _default, _enum): a plain JSON object would silently lose its CEL
 * rules, defaults and enums on the way. loadYaml (JSON is YAML) deserializes into those models.
 */
export function caravanCrds(): V1CustomResourceDefinition[] {
  return [nomadJobCrd(), nomadDeploymentCrd()].map((crd) => loadYaml<V1CustomResourceDefinition>(JSON.stringify(crd)));
}

/**
 * Creates each CRD, or replaces it (guarded by its resourceVersion, retried on conflict) when it
 * exists, then waits until the API server serves it (condition Established).
 */
export async function installCrds(kc: KubeConfig, crds = caravanCrds(), timeoutMs = 30_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    for (let attempt = 0; ; attempt++) {
      try {
        await api.createCustomResourceDefinition({ body: crd });
        break;
      } catch (error) {
        if (apiErrorCode(error) !== 409) throw error;
      }
      const current = await api.readCustomResourceDefinition({ name });
      try {
        await api.replaceCustomResourceDefinition({
          name,
          body: { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata!.resourceVersion! } },
        });
        break;
      } catch (error) {
        if (apiErrorCode(error) !== 409 || attempt >= 5) throw error;
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    for (;;) {
      const current = await api.readCustomResourceDefinition({ name });
      if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }
}
