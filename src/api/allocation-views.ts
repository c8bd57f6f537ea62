import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Caches } from '../kube/cluster-caches.ts';
import type { JobType } from '../model/nomad-job-spec.ts';
import { annotations } from '../resources/labels.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { isNodeReady } from '../resources/node.ts';
import { allocationChains, allocationOfStub, toAllocListStub, type AllocationContext, type NodeLookup, type NodeRef } from './nomad/allocation.ts';
import type { CreateIndexLookup } from './nomad/indexes.ts';
import type { NomadAllocation, NomadAllocationListStub, NomadApiJob } from './nomad/types.ts';

/** What an allocation shows besides its Pod; its stub holds while these do. */
interface StubInputs {
  readonly node: NodeRef | undefined;
  readonly deployment: NomadDeployment | undefined;
  readonly previousAllocation: string | undefined;
  readonly nextAllocation: string | undefined;
  readonly jobType: JobType;
}

interface StubView extends StubInputs {
  /** With TaskStates; undefined for a Pod that is not an allocation. */
  readonly stub: NomadAllocationListStub | undefined;
  readonly deploymentId: string;
}

const sameInputs = (a: StubInputs, b: StubInputs) =>
  a.node?.uid === b.node?.uid &&
  a.node?.ready === b.node?.ready &&
  a.deployment === b.deployment &&
  a.previousAllocation === b.previousAllocation &&
  a.nextAllocation === b.nextAllocation &&
  a.jobType === b.jobType;

/** What AllocationViews reads besides the caches: the Pods of an allocation name, and CreateIndexes. */
export interface AllocationSources {
  readonly caches: Pick<Caches, 'nodes' | 'deployments'>;
  podsNamed(namespace: string, allocName: string): V1Pod[];
  readonly created: CreateIndexLookup;
}

/**
 * Pods as Nomad's allocations, each worked out from the Pod and what it shows of others (its
 * node, its deployment, its replacement chain), read by key, never by scanning a cache. A Pod's
 * list stub is made once and kept with the Pod object (the cache replaces the object on every
 * change) for as long as those others show the same.
 */
export class AllocationViews {
  private readonly sources: AllocationSources;
  private readonly stubs = new WeakMap<V1Pod, StubView>();
  readonly nodes: NodeLookup;

  constructor(sources: AllocationSources) {
    this.sources = sources;
    this.nodes = {
      get: (name: string) => {
        const node = sources.caches.nodes.get(name);
        return node ? { uid: node.metadata?.uid ?? '', ready: isNodeReady(node) } : undefined;
      },
    };
  }

  private deploymentOf(pod: V1Pod): NomadDeployment | undefined {
    const name = pod.metadata?.annotations?.[annotations.deployment];
    return name ? this.sources.caches.deployments.get(`${pod.metadata?.namespace ?? 'default'}/${name}`) : undefined;
  }

  /** The Pod's previous and next allocation among the Pods of its allocation name (a replacement keeps the name). */
  private chainOf(pod: V1Pod): { previousAllocation?: string; nextAllocation?: string } {
    const name = pod.metadata?.annotations?.[annotations.allocName];
    const uid = pod.metadata?.uid;
    if (!name || !uid) return {};
    const named = this.sources.podsNamed(pod.metadata?.namespace ?? '', name);
    return named.length < 2 ? {} : (allocationChains(named).get(uid) ?? {});
  }

  private inputs(pod: V1Pod, jobType: JobType): StubInputs {
    const nodeName = pod.spec?.nodeName;
    const chain = this.chainOf(pod);
    return {
      node: nodeName ? this.nodes.get(nodeName) : undefined,
      deployment: this.deploymentOf(pod),
      previousAllocation: chain.previousAllocation,
      nextAllocation: chain.nextAllocation,
      jobType,
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
      ...(inputs.previousAllocation ? { previousAllocation: inputs.previousAllocation } : {}),
      ...(inputs.nextAllocation ? { nextAllocation: inputs.nextAllocation } : {}),
      ...(events ? { events } : {}),
    };
  }

  /** What translating the Pod into an allocation needs besides the Pod (events: the Pod's Kubernetes Events, for one allocation read). */
  context(pod: V1Pod, events?: readonly CoreV1Event[]): AllocationContext {
    return this.contextOf(pod, this.inputs(pod, 'service'), events);
  }

  private view(pod: V1Pod, jobType: JobType): StubView {
    const inputs = this.inputs(pod, jobType);
    const known = this.stubs.get(pod);
    if (known && sameInputs(known, inputs)) return known;
    const stub = toAllocListStub(pod, this.contextOf(pod, inputs), { jobType });
    const view: StubView = { ...inputs, stub, deploymentId: inputs.deployment?.metadata.uid ?? '' };
    this.stubs.set(pod, view);
    return view;
  }

  /** api.AllocationListStub (undefined for a Pod that is not an allocation); `taskStates: false` leaves TaskStates out. */
  stub(pod: V1Pod, opts: { readonly jobType: JobType; readonly taskStates?: boolean }): NomadAllocationListStub | undefined {
    const { stub } = this.view(pod, opts.jobType);
    return stub && opts.taskStates === false ? { ...stub, TaskStates: null } : stub;
  }

  /** api.Allocation with its job at the Pod's version, from the Pod's list stub (what a list's filter judges). */
  allocation(pod: V1Pod, jobType: JobType, job: NomadApiJob): NomadAllocation | undefined {
    const view = this.view(pod, jobType);
    return view.stub && allocationOfStub(view.stub, pod, job, { deploymentId: view.deploymentId, previousAllocation: view.previousAllocation });
  }
}
