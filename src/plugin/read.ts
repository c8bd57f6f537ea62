import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { apiErrorCode } from '../kube/client.ts';
import { JobVersionStore } from '../kube/job-version-store.ts';
import type { JobVersion } from '../model/job-versions.ts';
import { nomadDeploymentResource, nomadJobResource } from '../resources/api-version.ts';
import { labels } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { childLabels, childrenOf } from '../resources/child-job.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { isNodeReady } from '../resources/node.ts';
import { UserError, type JobSnapshot, type NodeInfo } from './objects.ts';

async function orNotFound<T>(read: Promise<T>, what: string): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (apiErrorCode(error) === 404) throw new UserError(`${what} not found`);
    throw error;
  }
}

/** The plugin's reads: a NomadJob and what it owns (versions, deployments, allocation Pods). */
export class CaravanReader {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly versionStore: JobVersionStore;

  constructor(kc: KubeConfig) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.versionStore = new JobVersionStore(kc);
  }

  job(namespace: string, name: string): Promise<NomadJob> {
    return orNotFound(
      this.custom.getNamespacedCustomObject({ ...nomadJobResource, namespace, name }) as Promise<NomadJob>,
      `NomadJob "${name}" in namespace "${namespace}"`,
    );
  }

  /** A periodic or parameterized parent's children (label caravan.dev/parent-job), owned by this parent. */
  async children(parent: NomadJob): Promise<NomadJob[]> {
    const namespace = parent.metadata.namespace ?? 'default';
    const list = (await this.custom.listNamespacedCustomObject({
      ...nomadJobResource,
      namespace,
      labelSelector: `${childLabels.parent}=${parent.metadata.name}`,
    })) as {
      items: NomadJob[];
    };
    return childrenOf(parent, list.items);
  }

  versions(namespace: string, job: string): Promise<JobVersion[]> {
    return this.versionStore.list(namespace, job);
  }

  deployment(namespace: string, name: string): Promise<NomadDeployment> {
    return orNotFound(
      this.custom.getNamespacedCustomObject({ ...nomadDeploymentResource, namespace, name }) as Promise<NomadDeployment>,
      `NomadDeployment "${name}" in namespace "${namespace}"`,
    );
  }

  async deployments(namespace: string, job: string): Promise<NomadDeployment[]> {
    const list = (await this.custom.listNamespacedCustomObject({ ...nomadDeploymentResource, namespace, labelSelector: `${labels.job}=${job}` })) as {
      items: NomadDeployment[];
    };
    return list.items.filter((d) => d.spec.job === job);
  }

  /** Allocation Pods of one job, or of every job in the namespace. */
  async pods(namespace: string, job?: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector: job ? `${labels.job}=${job}` : labels.job })).items;
  }

  /**
   * The Nodes the allocations run on. Reading Nodes needs a cluster-wide permission many users
   * lack: without it the Node ID column shows node names and nothing reads as lost.
   */
  async nodes(names: Iterable<string>): Promise<Map<string, NodeInfo>> {
    const out = new Map<string, NodeInfo>();
    for (const name of new Set(names)) {
      try {
        const node = await this.core.readNode({ name });
        const ready = isNodeReady(node);
        out.set(name, { name, ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}), ready });
      } catch (error) {
        const code = apiErrorCode(error);
        if (code === 404) out.set(name, { name, ready: false });
        else if (code === 403 || code === 401) return new Map([...new Set(names)].map((n) => [n, { name: n, ready: true }]));
        else throw error;
      }
    }
    return out;
  }

  async snapshot(namespace: string, name: string): Promise<JobSnapshot> {
    const job = await this.job(namespace, name);
    const [versions, deployments, pods] = await Promise.all([this.versions(namespace, name), this.deployments(namespace, name), this.pods(namespace, name)]);
    const nodes = await this.nodes(pods.flatMap((p) => (p.spec?.nodeName ? [p.spec.nodeName] : [])));
    return { job, versions, deployments, pods, nodes };
  }
}
