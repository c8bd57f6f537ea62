import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { JobIdentity } from '../model/job-versions.ts';
import { caravanPodSelector } from '../resources/labels.ts';
import { objectPath, podResource, jsonRequests } from './json-requests.ts';

/** A job's Pods as the API server holds them now, for a decision the caches alone must not make. */
export type JobPodsReader = (job: JobIdentity) => Promise<V1Pod[]>;

/**
 * A consistent LIST (no resourceVersion) of one job's Pods by its labels: served once the API
 * server has caught up with etcd, so it is never older than any cache. Plain JSON, as the caches
 * read it, so timestamps stay strings.
 */
export function jobPodsReader(kc: KubeConfig): JobPodsReader {
  const json = jsonRequests(kc);
  return async (job) => {
    const list = await json.get<{ items: V1Pod[] }>(objectPath(podResource, job.namespace), {
      labelSelector: caravanPodSelector(job.name),
    });
    return list.items;
  };
}
