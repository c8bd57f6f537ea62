import type { V1EnvVar, V1Pod, V1Secret } from '@kubernetes/client-node';
import { dispatchChildId, dispatchChildName, periodicChildId, periodicChildName, periodicLaunchOf, tokenDispatchChildName } from '../model/child-job-id.ts';
import type { Job } from '../model/job.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import { apiVersion } from './api-version.ts';
import { labels } from './labels.ts';
import { jobOwnerReference, type NomadJob } from './nomad-job.ts';

/**
 * Children of periodic and parameterized parents (issue 13): ordinary NomadJobs owned by the
 * parent. Nomad's IDs hold a `/` that Kubernetes names cannot, so the object name is derived
 * (`model/child-job-id.ts`) and the Nomad ID and the parent travel as these keys.
 */
export const childLabels = {
  /** The parent NomadJob's name: lists a parent's children with a label selector. */
  parent: 'caravan.dev/parent-job',
} as const;

export const childAnnotations = {
  /** The child's Nomad ID, `<parent>/periodic-<unix>` or `<parent>/dispatch-…`. */
  nomadId: 'caravan.dev/nomad-id',
  /** Nomad's ParentID. */
  parentId: 'caravan.dev/parent-id',
  /** "true" on a dispatched child (Nomad's Dispatched). */
  dispatched: 'caravan.dev/dispatched',
  /** The Secret holding a dispatched child's payload (key `payload`). */
  payloadSecret: 'caravan.dev/payload-secret',
  /** Nomad's DispatchIdempotencyToken of a dispatched child. */
  idempotencyToken: 'caravan.dev/idempotency-token',
  /** The parent's ParameterizedJob block, kept for the Nomad API's view of a dispatched child (JSON). */
  parameterized: 'caravan.dev/parameterized',
} as const;

/** The key of the payload in its Secret. */
export const payloadKey = 'payload';

/** A child's Nomad identity; undefined for a job that is no child. */
export interface ChildIdentity {
  readonly nomadId: string;
  readonly parentId: string;
  readonly parentName: string;
  readonly dispatched: boolean;
  /** A periodic child's launch time (ms), from its ID. */
  readonly launch?: number;
}

export function childIdentity(job: NomadJob): ChildIdentity | undefined {
  const a = job.metadata.annotations ?? {};
  const parentName = job.metadata.labels?.[childLabels.parent];
  const nomadId = a[childAnnotations.nomadId];
  if (!parentName || !nomadId) return undefined;
  const launch = periodicLaunchOf(nomadId);
  return {
    nomadId,
    parentId: a[childAnnotations.parentId] ?? parentName,
    parentName,
    dispatched: a[childAnnotations.dispatched] === 'true',
    ...(launch !== undefined ? { launch } : {}),
  };
}

/** A job's Nomad ID: a child's from its annotation, anyone else's is its name. */
export function nomadJobId(job: NomadJob): string {
  return job.metadata.annotations?.[childAnnotations.nomadId] ?? job.metadata.name;
}

/** The parent's children among a namespace's jobs, owned by this parent (not an earlier one of its name). */
export function childrenOf(parent: NomadJob, jobs: readonly NomadJob[]): NomadJob[] {
  return jobs.filter(
    (j) => j.metadata.labels?.[childLabels.parent] === parent.metadata.name && (j.metadata.ownerReferences ?? []).some((o) => o.uid === parent.metadata.uid),
  );
}

function childObject(parent: NomadJob, name: string, nomadId: string, spec: NomadJobSpec, extra: Record<string, string>): NomadJob {
  const namespace = parent.metadata.namespace ?? 'default';
  return {
    apiVersion,
    kind: 'NomadJob',
    metadata: {
      name,
      namespace,
      labels: { [childLabels.parent]: parent.metadata.name, [labels.managedBy]: 'caravan' },
      annotations: { [childAnnotations.nomadId]: nomadId, [childAnnotations.parentId]: nomadJobId(parent), ...extra },
      // Not the controller reference: the child is a NomadJob of its own, reconciled by its own key.
      ownerReferences: [{ ...jobOwnerReference({ name: parent.metadata.name, namespace, uid: parent.metadata.uid! }), controller: false }],
    },
    spec,
  };
}

/** The child a periodic launch at `launchMs` makes: the parent's spec without `periodic` (Nomad §1.5). */
export function periodicChild(parent: NomadJob, launchMs: number): NomadJob {
  const unix = Math.floor(launchMs / 1000);
  const { periodic: _periodic, ...spec } = parent.spec;
  return childObject(parent, periodicChildName(parent.metadata.name, unix), periodicChildId(nomadJobId(parent), unix), spec, {});
}

export interface DispatchInput {
  readonly unix: number;
  readonly hex8: string;
  readonly idPrefixTemplate?: string;
  readonly meta: Readonly<Record<string, string>>;
  readonly hasPayload: boolean;
  /** Names the child after the token: a second dispatch with it finds the first child. */
  readonly idempotencyToken?: string;
}

/**
 * A dispatched child (Nomad §2.3): the parent's spec without `parameterized`, the request's meta
 * merged over the job's meta (so it reaches NOMAD_META_*), and the payload Secret's name.
 */
export function dispatchedChild(parent: NomadJob, d: DispatchInput): NomadJob {
  const name = d.idempotencyToken ? tokenDispatchChildName(parent.metadata.name, d.idempotencyToken) : dispatchChildName(parent.metadata.name, d.unix, d.hex8);
  const { parameterized, ...spec } = parent.spec;
  const meta = { ...(spec.meta ?? {}), ...d.meta };
  return childObject(
    parent,
    name,
    dispatchChildId(nomadJobId(parent), d.unix, d.hex8, d.idPrefixTemplate),
    { ...spec, ...(Object.keys(meta).length > 0 ? { meta } : {}) },
    {
      [childAnnotations.dispatched]: 'true',
      ...(d.idempotencyToken ? { [childAnnotations.idempotencyToken]: d.idempotencyToken } : {}),
      [childAnnotations.parameterized]: JSON.stringify(parameterized ?? {}),
      ...(d.hasPayload ? { [childAnnotations.payloadSecret]: payloadSecretName(name) } : {}),
    },
  );
}

export function payloadSecretName(childName: string): string {
  return `${childName}-payload`;
}

/** The Secret with a dispatched child's payload, owned by the child: payloads can hold secrets. */
export function payloadSecret(child: NomadJob, payload: Buffer): V1Secret {
  const namespace = child.metadata.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: payloadSecretName(child.metadata.name),
      namespace,
      labels: { [labels.job]: child.metadata.name, [labels.managedBy]: 'caravan' },
      ownerReferences: [jobOwnerReference({ name: child.metadata.name, namespace, uid: child.metadata.uid! })],
    },
    data: { [payloadKey]: payload.toString('base64') },
  };
}

/**
 * A child's task environment names it as Nomad does: NOMAD_JOB_ID and NOMAD_JOB_NAME are the
 * child's Nomad ID, NOMAD_JOB_PARENT_ID the parent's (the object name cannot hold the `/`).
 */
export function withChildEnvironment(pod: V1Pod, child: ChildIdentity | undefined): V1Pod {
  if (!child || !pod.spec) return pod;
  const rename = <C extends { env?: V1EnvVar[] }>(c: C): C => {
    const env = (c.env ?? []).map((e) => (e.name === 'NOMAD_JOB_ID' || e.name === 'NOMAD_JOB_NAME' ? { name: e.name, value: child.nomadId } : e));
    return { ...c, env: [...env.filter((e) => e.name !== 'NOMAD_JOB_PARENT_ID'), { name: 'NOMAD_JOB_PARENT_ID', value: child.parentId }] };
  };
  return {
    ...pod,
    spec: {
      ...pod.spec,
      containers: pod.spec.containers.map(rename),
      ...(pod.spec.initContainers ? { initContainers: pod.spec.initContainers.map(rename) } : {}),
    },
  };
}

const payloadVolume = 'dispatch-payload';

/**
 * Mounts a dispatched job's payload into each task with `dispatchPayload.file`, at
 * `/local/<file>` (Nomad's docker driver mounts the task's `local/` directory at /local). The
 * Secret volume is not optional: a Pod whose Secret is not there yet waits for it.
 */
export function withDispatchPayload(pod: V1Pod, job: Job, secretName: string | undefined): V1Pod {
  if (!secretName || !pod.spec) return pod;
  const groupName = pod.metadata?.labels?.[labels.taskGroup];
  const group = job.taskGroups.find((g) => g.name === groupName);
  const files = new Map(group?.tasks.flatMap((t) => (t.dispatchPayload?.file ? [[t.name, t.dispatchPayload.file] as const] : [])) ?? []);
  if (files.size === 0) return pod;
  const mount = <C extends { name: string; volumeMounts?: unknown[] }>(c: C): C => {
    const file = files.get(c.name);
    return file === undefined
      ? c
      : { ...c, volumeMounts: [...(c.volumeMounts ?? []), { name: payloadVolume, mountPath: `/local/${file}`, subPath: payloadKey, readOnly: true }] };
  };
  return {
    ...pod,
    spec: {
      ...pod.spec,
      containers: pod.spec.containers.map(mount),
      ...(pod.spec.initContainers ? { initContainers: pod.spec.initContainers.map(mount) } : {}),
      volumes: [...(pod.spec.volumes ?? []), { name: payloadVolume, secret: { secretName } }],
    },
  };
}
