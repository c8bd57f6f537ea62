import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { apiVersion, nomadJobResource } from '../../src/resources/api-version.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';
import { waitFor } from './kube.ts';

/** A NomadJob as read back, its status loosely typed for the tests' assertions. */
export type ReadJob = NomadJob & { status?: Record<string, any> };

/** The user's side of a NomadJob in one namespace: register it, change its spec, read it, wait for a stable version. */
export interface NomadJobs {
  get(name: string): Promise<ReadJob>;
  register(name: string, spec: NomadJobSpec): Promise<void>;
  /** Replaces the whole spec, as `kubectl apply` of a changed file does. */
  replaceSpec(name: string, spec: NomadJobSpec): Promise<void>;
  /** Waits (90 s) until `status.stableVersion` is `version`; returns the job then. */
  waitStable(name: string, version: number, what?: string): Promise<ReadJob>;
}

export function nomadJobs(kc: KubeConfig, namespace: string): NomadJobs {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const get = async (name: string) => (await custom.getNamespacedCustomObject({ ...nomadJobResource, namespace, name })) as ReadJob;
  return {
    get,
    async register(name, spec) {
      await custom.createNamespacedCustomObject({ ...nomadJobResource, namespace, body: { apiVersion, kind: 'NomadJob', metadata: { name }, spec } });
    },
    async replaceSpec(name, spec) {
      await custom.patchNamespacedCustomObject({ ...nomadJobResource, namespace, name, body: [{ op: 'replace', path: '/spec', value: spec }] });
    },
    waitStable: (name, version, what = `${name} version ${version} stable`) =>
      waitFor(
        what,
        async () => {
          const job = await get(name);
          return job.status?.stableVersion === version ? job : undefined;
        },
        90_000,
        500,
      ),
  };
}
