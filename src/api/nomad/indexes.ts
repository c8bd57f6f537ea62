/**
 * Nomad's raft indexes, from Kubernetes resourceVersions.
 *
 * Nomad gives every write one global, growing index and keeps three per object: CreateIndex (the
 * write that created it), ModifyIndex (the last write to it) and, on jobs, JobModifyIndex (the last
 * write that changed the spec; check-and-set compares against it). Kubernetes has one global,
 * growing counter too: etcd's revision, which every resourceVersion is in practice (a decimal
 * number; the API calls it opaque, so anything else reads as 0 here).
 *
 * - ModifyIndex = the object's resourceVersion.
 * - CreateIndex: Kubernetes does not keep the revision an object was created at. Caravan uses the
 *   lowest index the API server process saw the object's UID with (CreateIndexBook), which is its
 *   creation revision for every object created while the process runs; an object already there at
 *   start gets the index it had then (a job: the oldest of its own and its version revisions'). So
 *   CreateIndex stays put during the object's life in one process, is at most its ModifyIndex, and
 *   orders objects created while the process runs by creation. Two processes (after a restart, or
 *   two replicas) can give different CreateIndexes: clients compare them only with what the same
 *   server said, except pagination tokens (`<CreateIndex>.<ID>`), which a restart can shift.
 * - JobModifyIndex = the resourceVersion of the newest version's ControllerRevision. The controller
 *   writes a revision when, and only when, the spec makes a new version, so it moves with spec
 *   changes and not with status writes, as Nomad's does. One exception: marking the version stable
 *   (its deployment succeeded) patches the revision, so JobModifyIndex moves once more then, and a
 *   check-and-set racing with that moment fails as if the spec had changed.
 * - A job's ModifyIndex = the larger of the NomadJob's and the newest revision's resourceVersions:
 *   Nomad's job ModifyIndex moves with every write to the job, including its Stable flag, which
 *   Caravan keeps on the revision.
 */
import type { Index } from './types.ts';

/** An object as far as indexes go. */
export interface Indexed {
  readonly metadata?: { readonly uid?: string | undefined; readonly resourceVersion?: string | undefined } | undefined;
}

/** A resourceVersion as a Nomad index: its number, or 0 when there is none or it is not a number. */
export function indexOf(resourceVersion: string | undefined): Index {
  if (resourceVersion === undefined || !/^\d+$/.test(resourceVersion)) return 0;
  const n = Number(resourceVersion);
  return Number.isSafeInteger(n) ? n : 0;
}

/**
 * An object's CreateIndex, given its UID and the index it would have if first seen now (without a
 * book: that index, which then moves with its ModifyIndex).
 */
export type CreateIndexLookup = (uid: string | undefined, candidate: Index) => Index;

export const createIndexIsCandidate: CreateIndexLookup = (_uid, candidate) => candidate;

/**
 * Remembers, per UID, the first index an object was seen with: the CreateIndex of objects (see
 * above). Feed it every object an informer delivers, adds and updates alike, and forget deleted
 * ones. A lower candidate than the one recorded (an older copy delivered late) lowers it, so
 * CreateIndex never exceeds what any copy of the object said. Pure bookkeeping, no I/O; one per
 * process, shared by all readers.
 */
export class CreateIndexBook {
  private readonly first = new Map<string, Index>();

  /** Records the object if it is new to the book; returns its CreateIndex. */
  observe(uid: string | undefined, candidate: Index): Index {
    if (uid === undefined || candidate <= 0) return candidate;
    const known = this.first.get(uid);
    if (known !== undefined && known <= candidate) return known;
    this.first.set(uid, candidate);
    return candidate;
  }

  /** Records an object as an informer delivers it. */
  observeObject(obj: Indexed): Index {
    return this.observe(obj.metadata?.uid, indexOf(obj.metadata?.resourceVersion));
  }

  forget(uid: string): void {
    this.first.delete(uid);
  }

  /** The CreateIndex of an object, recording it if the book has not seen it yet. */
  readonly lookup: CreateIndexLookup = (uid, candidate) => this.observe(uid, candidate);

  get size(): number {
    return this.first.size;
  }
}

export interface ObjectIndexes {
  readonly createIndex: Index;
  readonly modifyIndex: Index;
}

/** CreateIndex and ModifyIndex of any object (allocation, deployment). */
export function objectIndexes(obj: Indexed, created: CreateIndexLookup = createIndexIsCandidate): ObjectIndexes {
  const modifyIndex = indexOf(obj.metadata?.resourceVersion);
  return { createIndex: Math.min(created(obj.metadata?.uid, modifyIndex), modifyIndex), modifyIndex };
}

export interface JobIndexes extends ObjectIndexes {
  readonly jobModifyIndex: Index;
}

/** A job version's ControllerRevision, as far as indexes go (a V1ControllerRevision fits). */
export interface IndexedRevision extends Indexed {
  readonly revision: number;
}

/**
 * A job's indexes at one of its versions, from the NomadJob and its version ControllerRevisions.
 * The newest version is the job itself: its ModifyIndex also moves with the NomadJob's own writes
 * (status). An older version's ModifyIndex and JobModifyIndex are its revision's: Nomad's version
 * table keeps each version as it was last written. A job first seen with older revisions than
 * itself gets the oldest revision's index as CreateIndex, so CreateIndex <= JobModifyIndex <=
 * ModifyIndex holds for every version, as in Nomad.
 */
export function jobIndexes(
  job: Indexed,
  revisions: readonly IndexedRevision[],
  version: number,
  created: CreateIndexLookup = createIndexIsCandidate,
): JobIndexes {
  const jobIndex = indexOf(job.metadata?.resourceVersion);
  const newest = revisions.reduce<IndexedRevision | undefined>((n, r) => (!n || r.revision > n.revision ? r : n), undefined);
  const own = revisions.find((r) => r.revision === version);
  const revisionIndex = indexOf(own?.metadata?.resourceVersion);
  const current = own === undefined || own === newest;
  const jobModifyIndex = revisionIndex || jobIndex;
  const modifyIndex = current ? Math.max(jobIndex, revisionIndex) : jobModifyIndex;
  const known = [jobIndex, ...revisions.map((r) => indexOf(r.metadata?.resourceVersion))].filter((i) => i > 0);
  const candidate = known.length > 0 ? Math.min(...known) : 0;
  const createIndex = Math.min(created(job.metadata?.uid, candidate), jobModifyIndex || candidate, modifyIndex || candidate);
  return { createIndex, modifyIndex, jobModifyIndex };
}
