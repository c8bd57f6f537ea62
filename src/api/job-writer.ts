import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { apiErrorCode } from '../kube/client.ts';
import { nomadJobResource } from '../resources/api-version.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { serverError } from './http-error.ts';

/**
 * Applies a JSON patch to a NomadJob behind a test of the resourceVersion read just before, so
 * the write cannot land on a spec it did not check. `check` sees that fresh read first and may
 * refuse (a check-and-set). The controller's status writes also move the resourceVersion without
 * touching the spec, so a failed test is read and tried again, a few times.
 */
export async function patchJobChecked(
  kc: KubeConfig,
  namespace: string,
  name: string,
  ops: readonly object[],
  what: string,
  check?: (fresh: NomadJob) => void,
): Promise<NomadJob> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (let attempt = 0; ; attempt++) {
    const fresh = (await custom.getNamespacedCustomObject({ ...nomadJobResource, namespace, name })) as NomadJob;
    check?.(fresh);
    try {
      return (await custom.patchNamespacedCustomObject({
        ...nomadJobResource,
        namespace,
        name,
        body: [{ op: 'test', path: '/metadata/resourceVersion', value: fresh.metadata.resourceVersion }, ...ops],
      })) as NomadJob;
    } catch (error) {
      const code = apiErrorCode(error);
      const conflict = code === 422 || code === 409;
      if (!conflict || attempt >= 4) throw conflict ? serverError(`job ${JSON.stringify(name)} changed while it was being ${what}: try again`) : error;
    }
  }
}
