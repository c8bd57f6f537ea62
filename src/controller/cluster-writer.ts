import { CustomObjectsApi, EventsV1Api, type KubeConfig, type V1ControllerRevision, type V1Pod } from '@kubernetes/client-node';
import { apiErrorCode } from '../kube/client.ts';
import { jsonRequests, objectPath, podResource } from '../kube/json-requests.ts';
import { JobVersionStore, type RecordedVersion } from '../kube/job-version-store.ts';
import type { JobIdentity, JobVersion } from '../model/job-versions.ts';
import { nomadDeploymentResource, nomadJobResource } from '../resources/api-version.ts';
import type { NomadDeployment, NomadDeploymentStatus } from '../resources/nomad-deployment.ts';
import type { NomadJob, NomadJobStatus } from '../resources/nomad-job.ts';
import type { Logger } from '../log/logger.ts';
import type { TransitionEvent } from './event-recorder.ts';
import { EventSink } from './event-sink.ts';

/**
 * Every write the reconciler makes, as the controller needs them answered: what an earlier,
 * interrupted pass already did (a 409 on create, a 404 on delete or patch) is not an error. The
 * reconciler is given one, so its sequencing is unit-tested without a cluster; `kubernetesWriter`
 * is the one that talks to the API server.
 */
export interface ClusterWriter {
  /** Records a version; one already there with the same spec is that version. */
  /** `recordedIndex`: a version of the user's spec, the NomadJob's resourceVersion it was read at (versionRevision). */
  recordVersion(job: JobIdentity, version: JobVersion, recordedIndex?: string): Promise<RecordedVersion>;
  /** Resolves with the revision's new resourceVersion; `cached` (the revision as the cache holds it) saves a read. */
  markStable(job: JobIdentity, version: number, cached?: V1ControllerRevision): Promise<string | undefined>;
  deleteVersion(job: JobIdentity, version: number): Promise<void>;
  /** Creates the NomadDeployment, or returns the one already there under that name. */
  createDeployment(namespace: string, body: NomadDeployment): Promise<NomadDeployment>;
  writeDeploymentStatus(namespace: string, name: string, status: NomadDeploymentStatus): Promise<NomadDeployment>;
  /** A merge patch; undefined when the Pod is gone. */
  patchPod(namespace: string, name: string, body: object): Promise<V1Pod | undefined>;
  deletePod(namespace: string, name: string, opts: { immediately: boolean }): Promise<void>;
  /** Undefined when a Pod of that name exists already (an earlier pass created it). */
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod | undefined>;
  /** Undefined when the job changed since `job` was read (resourceVersion guard): the next pass writes again. */
  writeJobStatus(job: NomadJob, status: NomadJobStatus): Promise<NomadJob | undefined>;
  /**
   * An events.k8s.io Event, handed to a sink that writes it off the reconcile's path; a repeat of
   * one written before becomes its series (event-recorder.ts, event-sink.ts).
   */
  createEvent(namespace: string, event: TransitionEvent, now: number): Promise<void>;
  /** Creates a child NomadJob; undefined when one of that name exists (the launch was made before). */
  createJob(namespace: string, body: NomadJob): Promise<NomadJob | undefined>;
  /** Deletes a NomadJob (a garbage-collected child); one already gone is not an error. */
  deleteJob(namespace: string, name: string): Promise<void>;
}

async function unless<T>(codes: readonly number[], write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    const code = apiErrorCode(error);
    if (code !== undefined && codes.includes(code)) return undefined;
    throw error;
  }
}

/** The writer that talks to the API server; `flushEvents` waits for the Events handed over so far. */
export interface KubernetesWriter extends ClusterWriter {
  flushEvents(): Promise<void>;
  /** Writes what Events are left and stops the sink's timer. */
  close(): Promise<void>;
}

export function kubernetesWriter(kc: KubeConfig, opts: { logger?: Logger } = {}): KubernetesWriter {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const versions = new JobVersionStore(kc);
  const events = kc.makeApiClient(EventsV1Api);
  const eventSink = new EventSink({
    ...(opts.logger ? { logger: opts.logger } : {}),
    writes: {
      create: async (namespace, body) => void (await events.createNamespacedEvent({ namespace, body })),
      patchSeries: async (namespace, name, series) =>
        (await unless([404], () => events.patchNamespacedEvent({ namespace, name, body: [{ op: 'add', path: '/series', value: series }] }))) !== undefined,
    },
  });
  // The writes on a reconcile's path go as plain JSON (json-requests.ts); reads and Events keep the typed clients.
  const json = jsonRequests(kc);
  const pod = (namespace: string, name?: string) => objectPath(podResource, namespace, name);
  return {
    recordVersion: (job, version, recordedIndex) => versions.record(job, version, recordedIndex),
    markStable: (job, version, cached) => versions.markStable(job, version, true, cached),
    deleteVersion: (job, version) => versions.delete(job, version),
    async createDeployment(namespace, body) {
      const created = await unless([409], () => json.create<NomadDeployment>(objectPath(nomadDeploymentResource, namespace), body));
      return created ?? ((await custom.getNamespacedCustomObject({ ...nomadDeploymentResource, namespace, name: body.metadata.name })) as NomadDeployment);
    },
    writeDeploymentStatus: (namespace, name, status) =>
      json.patch<NomadDeployment>(objectPath(nomadDeploymentResource, namespace, name, 'status'), [{ op: 'add', path: '/status', value: status }], 'json'),
    patchPod: (namespace, name, body) => unless([404], () => json.patch<V1Pod>(pod(namespace, name), body, 'merge')),
    deletePod: async (namespace, name, opts) =>
      void (await unless([404], () => json.delete(pod(namespace, name), opts.immediately ? { gracePeriodSeconds: '0' } : undefined))),
    createPod: (namespace, body) => unless([409], () => json.create<V1Pod>(pod(namespace), body)),
    writeJobStatus: (job, status) =>
      unless([409, 422], () =>
        json.patch<NomadJob>(
          objectPath(nomadJobResource, job.metadata.namespace!, job.metadata.name, 'status'),
          // Optimistic concurrency: a job changed since the cache saw it is not overwritten.
          [
            { op: 'test', path: '/metadata/resourceVersion', value: job.metadata.resourceVersion },
            { op: 'add', path: '/status', value: status },
          ],
          'json',
        ),
      ),
    createEvent: async (namespace, event, now) => eventSink.record(namespace, event, now),
    flushEvents: () => eventSink.flush(),
    close: () => eventSink.close(),
    createJob: (namespace, body) =>
      unless([409], async () => (await custom.createNamespacedCustomObject({ ...nomadJobResource, namespace, body })) as NomadJob),
    deleteJob: async (namespace, name) =>
      void (await unless([404], () => custom.deleteNamespacedCustomObject({ ...nomadJobResource, namespace, name, propagationPolicy: 'Background' }))),
  };
}
