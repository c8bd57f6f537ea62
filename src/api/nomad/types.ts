/**
 * Nomad's JSON objects as Caravan emits and accepts them on the HTTP API: the keys are the Go
 * field names of `github.com/hashicorp/nomad/api` (PascalCase, verbatim), only the fields Caravan
 * fills plus those the Go client and CLI dereference without a nil check. Go types on the wire:
 * - `time.Duration` is integer nanoseconds (`Nanos`);
 * - `time.Time` is an RFC 3339 string, `0001-01-01T00:00:00Z` when unset (`GoTime`);
 * - CreateTime, ModifyTime, SubmitTime and TaskEvent.Time are int64 Unix nanoseconds (`UnixNanos`);
 * - indexes are uint64 (`Index`);
 * - a nil pointer, slice or map is `null`.
 * test/unit/api/nomad/go-structs.ts holds the Go field tables these are checked against.
 */
import type { JobType } from '../../model/nomad-job-spec.ts';

/** A Go time.Duration: integer nanoseconds. */
export type Nanos = number;
/** A Go int64 of Unix nanoseconds (CreateTime, ModifyTime, SubmitTime, TaskEvent.Time). */
export type UnixNanos = number;
/** A Go time.Time: RFC 3339 with up to nanoseconds. */
export type GoTime = string;
/** A raft index (uint64); Caravan's come from resourceVersions (indexes.ts). */
export type Index = number;

// ---- jobs -----------------------------------------------------------------------------------

export interface NomadUpdateStrategy {
  Stagger: Nanos;
  MaxParallel: number;
  HealthCheck?: string;
  MinHealthyTime?: Nanos;
  HealthyDeadline?: Nanos;
  ProgressDeadline?: Nanos;
  Canary?: number;
  AutoRevert?: boolean;
  AutoPromote?: boolean;
}

export interface NomadConstraint {
  LTarget: string;
  RTarget: string;
  Operand: string;
}

export interface NomadAffinity extends NomadConstraint {
  /** *int8: null leaves Nomad's default (50) implied. */
  Weight: number | null;
}

export interface NomadSpread {
  Attribute: string;
  Weight: number | null;
  SpreadTarget: { Value: string; Percent: number }[] | null;
}

export interface NomadRestartPolicy {
  Interval: Nanos;
  Attempts: number;
  Delay: Nanos;
  Mode: string;
}

export interface NomadReschedulePolicy {
  Attempts: number;
  Interval: Nanos;
  Delay: Nanos;
  DelayFunction: string;
  MaxDelay: Nanos;
  Unlimited: boolean;
}

export interface NomadEphemeralDisk {
  Sticky: boolean;
  Migrate: boolean;
  SizeMB: number;
}

export interface NomadResources {
  CPU: number;
  Cores: number;
  MemoryMB: number;
  MemoryMaxMB: number;
}

export interface NomadPort {
  Label: string;
  Value: number;
  To: number;
  HostNetwork: string;
}

export interface NomadNetworkResource {
  Mode: string;
  ReservedPorts: NomadPort[] | null;
  DynamicPorts: NomadPort[] | null;
}

export interface NomadServiceCheck {
  Name: string;
  Type: string;
  Command: string;
  Args: string[] | null;
  Path: string;
  Protocol: string;
  PortLabel: string;
  Interval: Nanos;
  Timeout: Nanos;
  Method: string;
  GRPCService: string;
  TaskName: string;
}

export interface NomadService {
  Name: string;
  Tags: string[] | null;
  PortLabel: string;
  Provider: string;
  Checks: NomadServiceCheck[] | null;
}

export interface NomadTaskLifecycle {
  Hook: string;
  Sidecar: boolean;
}

export interface NomadTask {
  Name: string;
  Driver: string;
  User: string;
  Lifecycle: NomadTaskLifecycle | null;
  Config: Record<string, unknown> | null;
  Env: Record<string, string> | null;
  Services: NomadService[] | null;
  Resources: NomadResources;
  RestartPolicy: NomadRestartPolicy;
  Meta: Record<string, string> | null;
  KillTimeout: Nanos;
  Leader: boolean;
  ShutdownDelay: Nanos;
  KillSignal: string;
  DispatchPayload: { File: string } | null;
}

export interface NomadTaskGroup {
  Name: string;
  Count: number;
  Constraints: NomadConstraint[] | null;
  Affinities: NomadAffinity[] | null;
  Spreads: NomadSpread[] | null;
  Tasks: NomadTask[];
  RestartPolicy: NomadRestartPolicy;
  ReschedulePolicy: NomadReschedulePolicy | null;
  EphemeralDisk: NomadEphemeralDisk;
  Update: NomadUpdateStrategy | null;
  Networks: NomadNetworkResource[] | null;
  Meta: Record<string, string> | null;
  Services: NomadService[] | null;
  ShutdownDelay: Nanos | null;
}

export interface NomadPeriodicConfig {
  Enabled: boolean;
  Spec: string;
  Specs: string[];
  /** The Go client's PeriodicConfig.Next dereferences it: never null. */
  SpecType: 'cron';
  ProhibitOverlap: boolean;
  TimeZone: string;
}

export interface NomadParameterizedJobConfig {
  Payload: string;
  MetaRequired: string[] | null;
  MetaOptional: string[] | null;
}

export type JobStatus = 'pending' | 'running' | 'dead';

export interface NomadApiJob {
  Region: string;
  Namespace: string;
  ID: string;
  Name: string;
  Type: JobType;
  Priority: number;
  AllAtOnce: boolean;
  Datacenters: string[];
  NodePool: string;
  Constraints: NomadConstraint[] | null;
  Affinities: NomadAffinity[] | null;
  Spreads: NomadSpread[] | null;
  TaskGroups: NomadTaskGroup[];
  Update: NomadUpdateStrategy | null;
  Periodic: NomadPeriodicConfig | null;
  ParameterizedJob: NomadParameterizedJobConfig | null;
  Meta: Record<string, string> | null;
  Stop: boolean;
  ParentID: string;
  Dispatched: boolean;
  /** A dispatched child's idempotency token; absent otherwise. */
  DispatchIdempotencyToken?: string;
  Status: JobStatus;
  StatusDescription: string;
  Stable: boolean;
  Version: number;
  SubmitTime: UnixNanos;
  CreateIndex: Index;
  ModifyIndex: Index;
  JobModifyIndex: Index;
}

export interface NomadTaskGroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

export interface NomadJobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, NomadTaskGroupSummary>;
  Children: { Pending: number; Running: number; Dead: number } | null;
  CreateIndex: Index;
  ModifyIndex: Index;
}

export interface NomadJobListStub {
  ID: string;
  ParentID: string;
  Name: string;
  Namespace: string;
  Datacenters: string[];
  Type: JobType;
  Priority: number;
  Periodic: boolean;
  ParameterizedJob: boolean;
  Stop: boolean;
  Status: JobStatus;
  StatusDescription: string;
  JobSummary: NomadJobSummary;
  CreateIndex: Index;
  ModifyIndex: Index;
  JobModifyIndex: Index;
  SubmitTime: UnixNanos;
  /** Only with `?meta=true` (omitempty in Go). */
  Meta?: Record<string, string>;
}

export interface NomadJobVersionsResponse {
  /** Newest first. */
  Versions: NomadApiJob[];
  /** Only with `?diffs=true`; Caravan computes no diffs yet. */
  Diffs: null;
  /** The response's index (the server's QueryMeta, flattened as Nomad's server writes it). */
  Index: Index;
}

// ---- deployments ----------------------------------------------------------------------------

export type DeploymentStatus = 'running' | 'paused' | 'failed' | 'successful' | 'cancelled';

export interface NomadDeploymentState {
  AutoRevert: boolean;
  /** In Nomad's server struct (and its JSON) though not in the Go client's api.DeploymentState. */
  AutoPromote: boolean;
  ProgressDeadline: Nanos;
  RequireProgressBy: GoTime;
  Promoted: boolean;
  PlacedCanaries: string[];
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
}

export interface NomadApiDeployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  JobModifyIndex: Index;
  JobSpecModifyIndex: Index;
  JobCreateIndex: Index;
  IsMultiregion: false;
  TaskGroups: Record<string, NomadDeploymentState>;
  Status: DeploymentStatus;
  StatusDescription: string;
  /** Server-side field (structs.Deployment), not decoded by the Go client. */
  EvalPriority: number;
  CreateIndex: Index;
  ModifyIndex: Index;
  CreateTime: UnixNanos;
  ModifyTime: UnixNanos;
}

// ---- allocations ----------------------------------------------------------------------------

export type ClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost' | 'unknown';
export type DesiredStatus = 'run' | 'stop';
export type TaskStateName = 'pending' | 'running' | 'dead';

/** Nomad's task event types Caravan emits (api.Task* constants). */
export type TaskEventType =
  | 'Received'
  | 'Task Setup'
  | 'Driver'
  | 'Driver Failure'
  | 'Started'
  | 'Terminated'
  | 'Restarting'
  | 'Not Restarting'
  | 'Killing'
  | 'Killed'
  | 'Restart Signaled'
  | 'Signaling'
  | 'Alloc Unhealthy';

export interface NomadTaskEvent {
  Type: TaskEventType;
  Time: UnixNanos;
  Message: string;
  DisplayMessage: string;
  Details: Record<string, string>;
  FailsTask: boolean;
  ExitCode: number;
  RestartReason: string;
  DriverError: string;
  /** Nanoseconds until the restart (Nomad's StartDelay), for "Restarting". */
  StartDelay: number;
}

export interface NomadTaskState {
  State: TaskStateName;
  Failed: boolean;
  Restarts: number;
  LastRestart: GoTime;
  StartedAt: GoTime;
  FinishedAt: GoTime;
  Events: NomadTaskEvent[];
}

export interface NomadAllocDeploymentStatus {
  /** null: health not decided yet. */
  Healthy: boolean | null;
  Timestamp: GoTime;
  Canary: boolean;
  ModifyIndex: Index;
}

export interface NomadRescheduleTracker {
  Events: { RescheduleTime: UnixNanos; PrevAllocID: string; PrevNodeID: string }[];
  LastReschedule: string;
}

export interface NomadPortMapping {
  Label: string;
  Value: number;
  To: number;
  HostIP: string;
}

export interface NomadAllocatedResources {
  Tasks: Record<
    string,
    { Cpu: { CpuShares: number; ReservedCores: number[] | null }; Memory: { MemoryMB: number; MemoryMaxMB: number }; Networks: null; Devices: null }
  >;
  Shared: { DiskMB: number; Networks: null; Ports: NomadPortMapping[] | null };
}

/** The fields an allocation and its list stub share. */
export interface NomadAllocationBase {
  ID: string;
  EvalID: string;
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  TaskGroup: string;
  DesiredStatus: DesiredStatus;
  DesiredDescription: string;
  ClientStatus: ClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, NomadTaskState> | null;
  DeploymentStatus: NomadAllocDeploymentStatus | null;
  FollowupEvalID: string;
  NextAllocation: string;
  RescheduleTracker: NomadRescheduleTracker | null;
  PreemptedAllocations: null;
  PreemptedByAllocation: string;
  CreateIndex: Index;
  ModifyIndex: Index;
  CreateTime: UnixNanos;
  ModifyTime: UnixNanos;
}

export interface NomadAllocation extends NomadAllocationBase {
  Job: NomadApiJob;
  AllocatedResources: NomadAllocatedResources | null;
  DesiredTransition: { Migrate: boolean | null; Reschedule: boolean | null; ForceReschedule: boolean | null; NoShutdownDelay: boolean | null };
  DeploymentID: string;
  PreviousAllocation: string;
  AllocModifyIndex: Index;
}

export interface NomadAllocationListStub extends NomadAllocationBase {
  JobType: JobType;
  JobVersion: number;
  /** Only with `?resources=true` (omitempty in Go). */
  AllocatedResources?: NomadAllocatedResources;
}

// ---- evaluations ----------------------------------------------------------------------------

export type EvaluationStatus = 'blocked' | 'pending' | 'complete' | 'failed' | 'canceled';
export type TriggeredBy =
  | 'job-register'
  | 'job-deregister'
  | 'job-scaling'
  | 'deployment-watcher'
  | 'alloc-stop'
  | 'alloc-failure'
  | 'node-update'
  | 'periodic-job';

export interface NomadEvaluation {
  ID: string;
  Priority: number;
  Type: JobType;
  TriggeredBy: TriggeredBy;
  Namespace: string;
  JobID: string;
  JobModifyIndex: Index;
  NodeID: string;
  NodeModifyIndex: Index;
  DeploymentID: string;
  Status: EvaluationStatus;
  StatusDescription: string;
  Wait: Nanos;
  WaitUntil: GoTime;
  NextEval: string;
  PreviousEval: string;
  BlockedEval: string;
  FailedTGAllocs: null;
  QueuedAllocations: Record<string, number>;
  SnapshotIndex: Index;
  CreateIndex: Index;
  ModifyIndex: Index;
  CreateTime: UnixNanos;
  ModifyTime: UnixNanos;
}

// ---- job diffs and plans --------------------------------------------------------------------

/** Nomad's diff types (structs.DiffType). */
export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

/** api.FieldDiff: one primitive value, as Go's fmt prints it ("" when absent). */
export interface NomadFieldDiff {
  Type: DiffType;
  Name: string;
  Old: string;
  New: string;
  /** Plan annotations ("forces create", ...); null when none. */
  Annotations: string[] | null;
}

/** api.ObjectDiff: a nested block (Update, Network, Service, Config, ...). */
export interface NomadObjectDiff {
  Type: DiffType;
  Name: string;
  Fields: NomadFieldDiff[] | null;
  Objects: NomadObjectDiff[] | null;
}

/** api.TaskDiff. */
export interface NomadTaskDiff {
  Type: DiffType;
  Name: string;
  Fields: NomadFieldDiff[] | null;
  Objects: NomadObjectDiff[] | null;
  /** "forces create/destroy update" and the like, from a plan; null otherwise. */
  Annotations: string[] | null;
}

/** api.TaskGroupDiff. */
export interface NomadTaskGroupDiff {
  Type: DiffType;
  Name: string;
  Fields: NomadFieldDiff[] | null;
  Objects: NomadObjectDiff[] | null;
  Tasks: NomadTaskDiff[] | null;
  /** A plan's counts by update type ("create", "in-place update", ...); null outside plans. */
  Updates: Record<string, number> | null;
}

/** api.JobDiff. */
export interface NomadJobDiff {
  Type: DiffType;
  ID: string;
  Fields: NomadFieldDiff[] | null;
  Objects: NomadObjectDiff[] | null;
  TaskGroups: NomadTaskGroupDiff[] | null;
}

/** api.DesiredUpdates: what a plan would do to one task group's allocations (uint64s). */
export interface NomadDesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Canary: number;
  Preemptions: number;
  Disconnect: number;
  Reconnect: number;
  RescheduleNow: number;
  RescheduleLater: number;
}
