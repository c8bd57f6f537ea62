import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Caches } from '../kube/cluster-caches.ts';
import type { JobType } from '../model/nomad-job-spec.ts';
import { annotations, labels } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { recordedHealthOf } from '../resources/recorded-health.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { isNodeReady } from '../resources/node.ts';
import { allocationChains, allocationOfStub, toAllocListStub, type AllocationContext, type NodeLookup, type NodeRef } from './nomad/allocation.ts';
import type { CreateIndexLookup } from './nomad/indexes.ts';
import type { NomadAllocation, NomadAllocationListStub, NomadApiJob } from './nomad/types.ts';

/** The cache keys a Pod names (its job and deployment), made once per Pod object, and its allocation name. */
interface PodKeys {
  readonly job: string | undefined;
  readonly deployment: string | undefined;
  /** The Pod's own annotation value (its namespace is the Pod's). */
  readonly allocName: string | undefined;
}

/** What an allocation shows besides its Pod; its stub holds while these do. */
interface StubInputs {
  readonly node: NodeRef | undefined;
  readonly deployment: NomadDeployment | undefined;
  readonly previousAllocation: string | undefined;
  readonly nextAllocation: string | undefined;
  readonly jobType: JobType;
}

interface StubView extends StubInputs {
  readonly keys: PodKeys;
  /** With TaskStates; undefined for a Pod that is not an allocation. */
  readonly stub: NomadAllocationListStub | undefined;
  /** The stub with TaskStates null (`?task_states=false`), made when first asked for. */
  withoutTaskStates?: NomadAllocationListStub;
  readonly deploymentId: string;
}

const sameInputs = (a: StubInputs, b: StubInputs) =>
  a.node?.uid === b.node?.uid &&
  a.node?.ready === b.node?.ready &&
  a.deployment === b.deployment &&
  a.previousAllocation === b.previousAllocation &&
  a.nextAllocation === b.nextAllocation &&
  a.jobType === b.jobType;

function keysOf(pod: V1Pod): PodKeys {
  const namespace = pod.metadata?.namespace ?? 'default';
  const job = pod.metadata?.labels?.[labels.job];
  const deployment = pod.metadata?.annotations?.[annotations.deployment];
  const allocName = pod.metadata?.annotations?.[annotations.allocName];
  return {
    job: job === undefined ? undefined : `${namespace}/${job}`,
    deployment: deployment ? `${namespace}/${deployment}` : undefined,
    allocName: allocName || undefined,
  };
}

/** What AllocationViews reads besides the caches: the Pods of an allocation name, and CreateIndexes. */
export interface AllocationSources {
  readonly caches: Pick<Caches, 'nodes' | 'deployments' | 'jobs'>;
  /** The Pods of an allocation name in a namespace; none when it has one Pod. */
  podsNamed(namespace: string, allocName: string): V1Pod[];
  readonly created: CreateIndexLookup;
  /** How many Pods' stubs are kept at most (stubMemoLimit unless given). */
  readonly stubMemoLimit?: number;
}

/**
 * How many list stubs are kept: about 33 MiB of them (1,700 B each with their task states).
 * Unbounded, one `GET /v1/allocations` over 100,000 Pods kept 165 MiB until the Pods changed
 * (docs/performance.md); a list that long is made afresh each time instead, which its
 * serialisation and transfer outweigh. Every Pod of a cluster this size or smaller stays memoized.
 */
export const stubMemoLimit = 20_000;

/**
 * Pods as Nomad's allocations, each worked out from the Pod and what it shows of others (its
 * node, its deployment, its replacement chain, its job's type), read by key, never by scanning a
 * cache. A Pod's list stub is made once and kept with the Pod object (the cache replaces the
 * object on every change) for as long as those others show the same.
 */
export class AllocationViews {
  private readonly sources: AllocationSources;
  private readonly stubs = new WeakMap<V1Pod, StubView>();
  /**
   * The Pods memoized, oldest first, held weakly: a Pod the cache has replaced or dropped is
   * collected with its view. Past the limit the oldest still alive loses its view, so at most
   * `limit` views are kept whatever is listed.
   */
  private readonly memoized: (WeakRef<V1Pod> | undefined)[] = [];
  private memoStart = 0;
  private readonly limit: number;
  readonly nodes: NodeLookup;

  constructor(sources: AllocationSources) {
    this.sources = sources;
    this.limit = sources.stubMemoLimit ?? stubMemoLimit;
    this.nodes = {
      get: (name: string) => {
        const node = sources.caches.nodes.get(name);
        return node ? { uid: node.metadata?.uid ?? '', ready: isNodeReady(node) } : undefined;
      },
    };
  }

  private keys(pod: V1Pod): PodKeys {
    return this.stubs.get(pod)?.keys ?? keysOf(pod);
  }

  /** The NomadJob the Pod is labelled with, as the cache holds it. */
  jobOf(pod: V1Pod): NomadJob | undefined {
    const key = this.keys(pod).job;
    return key === undefined ? undefined : this.sources.caches.jobs.get(key);
  }

  private inputs(pod: V1Pod, keys: PodKeys, jobType: JobType | undefined): StubInputs {
    const nodeName = pod.spec?.nodeName;
    const uid = pod.metadata?.uid;
    // The Pod's previous and next allocation among the Pods of its allocation name (a replacement keeps the name).
    const named = keys.allocName && uid ? this.sources.podsNamed(pod.metadata?.namespace ?? 'default', keys.allocName) : [];
    const chain = named.length < 2 ? undefined : allocationChains(named).get(uid ?? '');
    return {
      node: nodeName ? this.nodes.get(nodeName) : undefined,
      deployment: keys.deployment === undefined ? undefined : this.sources.caches.deployments.get(keys.deployment),
      previousAllocation: chain?.previousAllocation,
      nextAllocation: chain?.nextAllocation,
      jobType: jobType ?? (keys.job === undefined ? undefined : this.sources.caches.jobs.get(keys.job)?.spec.type) ?? 'service',
    };
  }

  private contextOf(pod: V1Pod, inputs: StubInputs, events?: readonly CoreV1Event[]): AllocationContext {
    const d = inputs.deployment;
    const deploymentName = pod.metadata?.annotations?.[annotations.deployment];
    return {
      nodes: this.nodes,
      deploymentIds: { get: (name) => (d && name === deploymentName ? (d.metadata.uid ?? '') : undefined) },
      created: this.sources.created,
      deployment: d
        ? {
            status: d.status?.status ?? 'running',
            modifiedAt: d.status?.modifyTime ? Date.parse(d.status.modifyTime) : undefined,
            promotedGroups: new Set(Object.entries(d.status?.taskGroups ?? {}).flatMap(([g, s]) => (s.promoted ? [g] : []))),
          }
        : undefined,
      recordedHealth: recordedHealthOf(pod, d),
      ...(inputs.previousAllocation ? { previousAllocation: inputs.previousAllocation } : {}),
      ...(inputs.nextAllocation ? { nextAllocation: inputs.nextAllocation } : {}),
      ...(events ? { events } : {}),
    };
  }

  /** What translating the Pod into an allocation needs besides the Pod (events: the Pod's Kubernetes Events, for one allocation read). */
  context(pod: V1Pod, events?: readonly CoreV1Event[]): AllocationContext {
    return this.contextOf(pod, this.inputs(pod, this.keys(pod), 'service'), events);
  }

  /** The Pod's stub view; `jobType` as the caller knows it, else its job's. */
  private view(pod: V1Pod, jobType?: JobType): StubView {
    const known = this.stubs.get(pod);
    const keys = known?.keys ?? keysOf(pod);
    const inputs = this.inputs(pod, keys, jobType);
    if (known && sameInputs(known, inputs)) return known;
    const stub = toAllocListStub(pod, this.contextOf(pod, inputs), { jobType: inputs.jobType });
    const view: StubView = { ...inputs, keys, stub, deploymentId: inputs.deployment?.metadata.uid ?? '' };
    if (!known) this.remember(pod);
    this.stubs.set(pod, view);
    return view;
  }

  /** Notes a newly memoized Pod, and forgets the oldest past the limit. */
  private remember(pod: V1Pod): void {
    this.memoized.push(new WeakRef(pod));
    while (this.memoized.length - this.memoStart > this.limit) {
      const oldest = this.memoized[this.memoStart]?.deref();
      this.memoized[this.memoStart++] = undefined;
      if (oldest) this.stubs.delete(oldest);
    }
    // The queue's forgotten head is cut off once it is as long as what is left.
    if (this.memoStart > 1024 && this.memoStart * 2 > this.memoized.length) {
      this.memoized.splice(0, this.memoStart);
      this.memoStart = 0;
    }
  }

  /** api.AllocationListStub (undefined for a Pod that is not an allocation); `taskStates: false` leaves TaskStates out. */
  stub(pod: V1Pod, opts: { readonly jobType?: JobType; readonly taskStates?: boolean } = {}): NomadAllocationListStub | undefined {
    const view = this.view(pod, opts.jobType);
    if (!view.stub || opts.taskStates !== false) return view.stub;
    view.withoutTaskStates ??= { ...view.stub, TaskStates: null };
    return view.withoutTaskStates;
  }

  /** api.Allocation with its job at the Pod's version, from the Pod's list stub (what a list's filter judges). */
  allocation(pod: V1Pod, job: NomadApiJob): NomadAllocation | undefined {
    const view = this.view(pod);
    return view.stub && allocationOfStub(view.stub, pod, job, { deploymentId: view.deploymentId, previousAllocation: view.previousAllocation });
  }
}
