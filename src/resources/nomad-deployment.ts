import { formatDuration, parseDuration } from '../model/duration.ts';
import type { JobIdentity } from '../model/job-versions.ts';
import type { Deployment, DeploymentGroupState, DeploymentStatus } from '../planner/deployment.ts';
import type { RecordedHealth } from '../planner/observed-allocation.ts';
import type { DeploymentIntent, ObservedDeployment } from '../planner/plan-types.ts';
import type { PromoteRequest } from '../planner/promotion.ts';
import { apiVersion } from './api-version.ts';
import { labels } from './labels.ts';
import { formatRecordedHealth, parseRecordedHealth } from './recorded-health.ts';
import { jobOwnerReference } from './nomad-job.ts';
import type { ObjectMeta } from './object-meta.ts';

/** A NomadDeployment: one roll-out of one job version. Caravan writes its status; operators steer it through its spec. */
export interface NomadDeployment {
  apiVersion: typeof apiVersion;
  kind: 'NomadDeployment';
  metadata: ObjectMeta;
  spec: { job: string; jobVersion: number; paused?: boolean; promote?: { all?: boolean; groups?: string[] }; failed?: boolean; approveCanaryStep?: number };
  status?: NomadDeploymentStatus;
}

export interface NomadDeploymentGroupStatus {
  autoRevert: boolean;
  autoPromote: boolean;
  progressDeadline: string;
  requireProgressBy?: string;
  promoted: boolean;
  placedCanaries: string[];
  desiredCanaries: number;
  canaryStep?: number;
  stepCanaries?: number;
  desiredTotal: number;
  placedAllocs: number;
  healthyAllocs: number;
  unhealthyAllocs: number;
  /** Deployment health recorded for each allocation, by Pod name: `healthy|unhealthy@<RFC 3339>`. */
  allocationHealth?: Record<string, string>;
}

export interface NomadDeploymentStatus {
  observedGeneration?: number;
  id?: string;
  status?: DeploymentStatus;
  statusDescription?: string;
  createTime?: string;
  modifyTime?: string;
  revertedJobVersion?: number;
  taskGroups?: Record<string, NomadDeploymentGroupStatus>;
  conditions?: NomadDeploymentCondition[];
}

/** Whether the operator intent in spec could be honoured; False carries Nomad's error text. */
export interface NomadDeploymentCondition {
  type: 'IntentHonoured';
  status: 'True' | 'False';
  reason: 'Honoured' | 'Refused';
  message: string;
  observedGeneration?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function parseAllocationHealth(recorded: Record<string, string>): Record<string, RecordedHealth> {
  return Object.fromEntries(
    Object.entries(recorded).flatMap(([pod, value]) => {
      const r = parseRecordedHealth(value);
      return r ? [[pod, r]] : [];
    }),
  );
}

function intentOf(spec: NomadDeployment['spec']): DeploymentIntent {
  const promote: PromoteRequest | undefined = spec.promote?.all ? { all: true } : spec.promote?.groups?.length ? { groups: spec.promote.groups } : undefined;
  return {
    ...(spec.paused !== undefined ? { paused: spec.paused } : {}),
    ...(promote ? { promote } : {}),
    ...(spec.failed ? { failed: true } : {}),
    ...(spec.approveCanaryStep !== undefined ? { approveCanaryStep: spec.approveCanaryStep } : {}),
  };
}

/**
 * The planner's view of a NomadDeployment. One created but whose status Caravan has not written
 * yet (a crash between the two writes) reads as a fresh running deployment with no groups; the
 * next plan then attaches them again.
 */
export function observeDeployment(obj: NomadDeployment): ObservedDeployment {
  const s = obj.status ?? {};
  const groups: Record<string, DeploymentGroupState> = {};
  for (const [name, g] of Object.entries(s.taskGroups ?? {})) {
    const requireProgressBy = g.requireProgressBy ? Date.parse(g.requireProgressBy) : undefined;
    groups[name] = {
      autoRevert: g.autoRevert,
      autoPromote: g.autoPromote,
      progressDeadline: parseDuration(g.progressDeadline) ?? 0,
      ...(requireProgressBy !== undefined ? { requireProgressBy } : {}),
      promoted: g.promoted,
      placedCanaries: g.placedCanaries ?? [],
      desiredCanaries: g.desiredCanaries,
      ...(g.canaryStep !== undefined ? { canaryStep: g.canaryStep } : {}),
      ...(g.stepCanaries !== undefined ? { stepCanaries: g.stepCanaries } : {}),
      desiredTotal: g.desiredTotal,
      placedAllocs: g.placedAllocs,
      healthyAllocs: g.healthyAllocs,
      unhealthyAllocs: g.unhealthyAllocs,
      ...(g.allocationHealth ? { allocationHealth: parseAllocationHealth(g.allocationHealth) } : {}),
    };
  }
  return {
    name: obj.metadata.name,
    ...(obj.metadata.uid ? { id: obj.metadata.uid } : {}),
    jobVersion: obj.spec.jobVersion,
    status: s.status ?? 'running',
    statusDescription: s.statusDescription ?? 'Deployment is running',
    groups,
    createdAt: s.createTime ? Date.parse(s.createTime) : Date.parse(obj.metadata.creationTimestamp ?? '1970-01-01T00:00:00Z'),
    intent: intentOf(obj.spec),
  };
}

/** A new NomadDeployment for a plan's deployment, owned by its job (status is written apart). */
export function deploymentObject(job: JobIdentity, d: Deployment): NomadDeployment {
  return {
    apiVersion,
    kind: 'NomadDeployment',
    metadata: {
      name: d.name,
      namespace: job.namespace,
      labels: { [labels.job]: job.name, [labels.managedBy]: 'caravan' },
      ownerReferences: [jobOwnerReference(job)],
    },
    spec: { job: job.name, jobVersion: d.jobVersion },
  };
}

/** The status Caravan writes for a deployment, in Nomad's words. */
export function deploymentStatusBody(
  d: Deployment,
  obj: Pick<NomadDeployment, 'metadata'>,
  now: number,
  revertedJobVersion?: number,
  intentError?: string,
): NomadDeploymentStatus {
  const taskGroups: Record<string, NomadDeploymentGroupStatus> = {};
  for (const [name, g] of Object.entries(d.groups)) {
    taskGroups[name] = {
      autoRevert: g.autoRevert,
      autoPromote: g.autoPromote,
      progressDeadline: formatDuration(g.progressDeadline),
      ...(g.requireProgressBy !== undefined ? { requireProgressBy: iso(g.requireProgressBy) } : {}),
      promoted: g.promoted,
      placedCanaries: [...g.placedCanaries],
      desiredCanaries: g.desiredCanaries,
      ...(g.canaryStep !== undefined ? { canaryStep: g.canaryStep } : {}),
      ...(g.stepCanaries !== undefined ? { stepCanaries: g.stepCanaries } : {}),
      desiredTotal: g.desiredTotal,
      placedAllocs: g.placedAllocs,
      healthyAllocs: g.healthyAllocs,
      unhealthyAllocs: g.unhealthyAllocs,
      ...(g.allocationHealth && Object.keys(g.allocationHealth).length > 0
        ? { allocationHealth: Object.fromEntries(Object.entries(g.allocationHealth).map(([pod, r]) => [pod, formatRecordedHealth(r.health, r.at)])) }
        : {}),
    };
  }
  return {
    ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
    ...(obj.metadata.uid ? { id: obj.metadata.uid } : {}),
    status: d.status,
    statusDescription: d.statusDescription,
    createTime: iso(d.createdAt),
    modifyTime: iso(now),
    ...(revertedJobVersion !== undefined ? { revertedJobVersion } : {}),
    taskGroups,
    conditions: [
      intentError
        ? {
            type: 'IntentHonoured',
            status: 'False',
            reason: 'Refused',
            message: intentError,
            ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
          }
        : {
            type: 'IntentHonoured',
            status: 'True',
            reason: 'Honoured',
            message: '',
            ...(obj.metadata.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
          },
    ],
  };
}
