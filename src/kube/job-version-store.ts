import { AppsV1Api, type KubeConfig, type V1ControllerRevision } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { decideVersion, defaultVersionHistoryLimit, versionsToPrune, type JobIdentity, type JobVersion } from '../model/job-versions.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import { versionFromRevision, versionObjectName, versionRevision } from '../resources/job-version.ts';
import { labels, versionAnnotations } from '../resources/labels.ts';
import { isOwnedBy } from '../resources/object-meta.ts';
import { apiErrorCode } from './client.ts';
import { jsonPointer } from './json-patch.ts';
import { controllerRevisionResource, jsonRequests, objectPath, type JsonRequests } from './json-requests.ts';

/** A version number taken by another spec: history was written by someone else; retrying cannot change it. */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
}

/** A version as written, with the resourceVersion a cache must reach to show it. */
export interface RecordedVersion {
  readonly version: JobVersion;
  readonly resourceVersion: string;
}

/** A job's version history, kept as ControllerRevisions owned by the NomadJob. */
export class JobVersionStore {
  private readonly apps: AppsV1Api;
  /** Writes go as plain JSON (json-requests.ts); reads keep the typed client. */
  private readonly json: JsonRequests;

  constructor(kc: KubeConfig) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.json = jsonRequests(kc);
  }

  /**
   * The job's versions. With `uid`, only those owned by that NomadJob: a job deleted and created
   * again under its name must not take the old one's versions, which the garbage collector has
   * not removed yet, for its own.
   */
  async list(namespace: string, job: string, uid?: string): Promise<JobVersion[]> {
    const revisions = await this.apps.listNamespacedControllerRevision({ namespace, labelSelector: `${labels.job}=${job}` });
    return revisions.items
      .filter((r) => isOwnedBy(r, uid))
      .flatMap((r) => versionFromRevision(r) ?? [])
      .sort((a, b) => a.version - b.version);
  }

  /**
   * Records a version. Its object name is deterministic, so after a crash the retried create finds
   * the version already there: same spec, nothing to do; another spec is an error, never overwritten.
   */
  async record(job: JobIdentity, version: JobVersion, recordedIndex?: string): Promise<RecordedVersion> {
    try {
      const created = await this.json.create<V1ControllerRevision>(
        objectPath(controllerRevisionResource, job.namespace),
        versionRevision(job, version, recordedIndex),
      );
      return { version, resourceVersion: created.metadata?.resourceVersion ?? '0' };
    } catch (error) {
      if (apiErrorCode(error) !== 409) throw error;
    }
    const revision = await this.apps.readNamespacedControllerRevision({ namespace: job.namespace, name: versionObjectName(job.name, version.version) });
    if (!isOwnedBy(revision, job.uid))
      throw new Error(
        `job ${job.namespace}/${job.name}: version ${version.version} still belongs to an earlier job of that name; waiting for the garbage collector to remove it`,
      );
    const existing = versionFromRevision(revision);
    if (existing && isDeepStrictEqual(existing.spec, version.spec)) return { version: existing, resourceVersion: revision.metadata?.resourceVersion ?? '0' };
    throw new VersionConflict(`job ${job.namespace}/${job.name}: version ${version.version} is already recorded with another spec`);
  }

  /**
   * Marks a version stable (or not); resolves with the revision's new resourceVersion. With the
   * revision as a cache holds it, the first attempt patches without reading it first; a stale
   * copy fails the patch's resourceVersion test and the next attempt reads it.
   */
  async markStable(job: JobIdentity, version: number, stable: boolean, cached?: V1ControllerRevision): Promise<string | undefined> {
    const name = versionObjectName(job.name, version);
    for (let attempt = 0; ; attempt++) {
      const current =
        attempt === 0 && cached?.metadata?.resourceVersion ? cached : await this.apps.readNamespacedControllerRevision({ namespace: job.namespace, name });
      const rv = current.metadata?.resourceVersion ?? '';
      const recorded = current.metadata?.annotations?.[versionAnnotations.recordedIndex];
      try {
        const patched = await this.json.patch<V1ControllerRevision>(
          objectPath(controllerRevisionResource, job.namespace, name),
          [
            { op: 'test', path: '/metadata/resourceVersion', value: rv },
            ...(current.metadata?.annotations ? [] : [{ op: 'add', path: '/metadata/annotations', value: {} }]),
            { op: 'add', path: jsonPointer('metadata', 'annotations', versionAnnotations.stable), value: String(stable) },
            ...(recorded ? [] : [{ op: 'add', path: jsonPointer('metadata', 'annotations', versionAnnotations.recordedIndex), value: rv }]),
          ],
          'json',
        );
        return patched.metadata?.resourceVersion;
      } catch (error) {
        const code = apiErrorCode(error);
        if ((code !== 409 && code !== 422) || attempt >= 3) throw error;
      }
    }
  }

  async delete(job: JobIdentity, version: number): Promise<void> {
    try {
      await this.json.delete(objectPath(controllerRevisionResource, job.namespace, versionObjectName(job.name, version)));
    } catch (error) {
      if (apiErrorCode(error) !== 404) throw error;
    }
  }
}

export interface VersionSync {
  readonly current: JobVersion;
  readonly created: boolean;
  readonly pruned: readonly number[];
}

/**
 * Brings a job's history up to its spec: records a new version when the spec changed (Nomad's
 * register), then prunes the history to `limit`.
 */
export async function syncJobVersion(
  store: JobVersionStore,
  job: JobIdentity,
  spec: NomadJobSpec,
  now: Date,
  limit = defaultVersionHistoryLimit,
): Promise<VersionSync> {
  const history = await store.list(job.namespace, job.name);
  const decision = decideVersion(history, spec, now);
  const current = decision.kind === 'new' ? (await store.record(job, decision.version)).version : decision.current;
  const after = decision.kind === 'new' ? [...history, current] : history;
  const pruned = versionsToPrune(after, limit).map((v) => v.version);
  for (const version of pruned) await store.delete(job, version);
  return { current, created: decision.kind === 'new', pruned };
}
