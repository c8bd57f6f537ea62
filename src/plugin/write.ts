import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { apiErrorCode } from '../kube/client.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import { nomadDeploymentResource, nomadJobResource } from '../resources/api-version.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { UserError } from './objects.ts';

/** Who wrote it, as managedFields and audit logs show it. */
export const fieldManager = 'kubectl-nomad';

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The plugin's writes: operator intent on NomadDeployments, health on Pods, spec on a revert. */
export class CaravanWriter {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  /** The user's credentials, for pods/exec (alloc restart and alloc signal). */
  readonly kc: KubeConfig;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** A JSON merge patch of the deployment's spec: the intent fields only. */
  async patchDeploymentSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<NomadDeployment> {
    return (await this.custom.patchNamespacedCustomObject(
      { ...nomadDeploymentResource, namespace, name, fieldManager, body: { spec } },
      mergePatch(),
    )) as NomadDeployment;
  }

  /** A child of a periodic or parameterized job; one of that name already there is that launch (Nomad updates it). */
  async createChildJob(body: NomadJob): Promise<NomadJob> {
    const namespace = body.metadata.namespace ?? 'default';
    try {
      return (await this.custom.createNamespacedCustomObject({ ...nomadJobResource, namespace, fieldManager, body })) as NomadJob;
    } catch (error) {
      if (apiErrorCode(error) !== 409) throw error;
      return (await this.custom.getNamespacedCustomObject({ ...nomadJobResource, namespace, name: body.metadata.name })) as NomadJob;
    }
  }

  async createSecret(body: V1Secret): Promise<void> {
    await this.core.createNamespacedSecret({ namespace: body.metadata!.namespace!, fieldManager, body });
  }

  async annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
    await this.core.patchNamespacedPod({ namespace, name, fieldManager, body: { metadata: { annotations } } }, mergePatch());
  }

  /**
   * Replaces the job's spec, only if the job is still the one read (resourceVersion): a spec
   * someone changed in between is not overwritten.
   */
  async replaceJobSpec(job: NomadJob, spec: NomadJobSpec): Promise<NomadJob> {
    try {
      return (await this.custom.patchNamespacedCustomObject({
        ...nomadJobResource,
        namespace: job.metadata.namespace!,
        name: job.metadata.name,
        fieldManager,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: job.metadata.resourceVersion },
          { op: 'replace', path: '/spec', value: spec },
        ],
      })) as NomadJob;
    } catch (error) {
      const code = apiErrorCode(error);
      if (code === 409 || code === 422) throw new UserError(`NomadJob "${job.metadata.name}" changed while reverting; run the command again`);
      throw error;
    }
  }
}
