/**
 * Nomad-shaped objects, PascalCase as Nomad's JSON is. The jobs and deployments are the ones on
 * Nomad's API filtering page (developer.hashicorp.com/nomad/api-docs#filtering), so the page's
 * examples can be checked against the answers it shows.
 */

export const countdashJob = {
  CreateIndex: 52,
  Datacenters: ['dc1', 'dc2'],
  ID: 'countdash',
  JobModifyIndex: 56,
  JobSummary: {
    Children: { Dead: 0, Pending: 0, Running: 0 },
    CreateIndex: 52,
    JobID: 'countdash',
    ModifyIndex: 55,
    Namespace: 'default',
    Summary: {
      api: { Complete: 0, Failed: 0, Lost: 0, Queued: 1, Running: 0, Starting: 0 },
      dashboard: { Complete: 0, Failed: 0, Lost: 0, Queued: 1, Running: 0, Starting: 0 },
    },
  },
  ModifyIndex: 56,
  Multiregion: null,
  Name: 'countdash',
  Namespace: 'default',
  ParameterizedJob: false,
  ParentID: '',
  Periodic: false,
  Priority: 50,
  Status: 'pending',
  StatusDescription: '',
  Stop: false,
  SubmitTime: 1645230445788556000,
  Type: 'service',
};

export const exampleJob = {
  CreateIndex: 42,
  Datacenters: ['dc1'],
  ID: 'example',
  JobModifyIndex: 42,
  JobSummary: {
    Children: { Dead: 0, Pending: 0, Running: 0 },
    CreateIndex: 42,
    JobID: 'example',
    ModifyIndex: 46,
    Namespace: 'default',
    Summary: { cache: { Complete: 0, Failed: 0, Lost: 0, Queued: 0, Running: 1, Starting: 0 } },
  },
  ModifyIndex: 49,
  Multiregion: null,
  Name: 'example',
  Namespace: 'default',
  ParameterizedJob: false,
  ParentID: '',
  Periodic: false,
  Priority: 50,
  Status: 'running',
  StatusDescription: '',
  Stop: false,
  SubmitTime: 1645230403921889000,
  Type: 'service',
  Meta: { team: 'payments', 'cost-center': 'cc-42', 'owner.email': 'ops@example.com' },
};

export const jobs = [countdashJob, exampleJob];

const groupState = (overrides: Record<string, unknown>) => ({
  AutoPromote: false,
  AutoRevert: false,
  DesiredCanaries: 0,
  DesiredTotal: 1,
  HealthyAllocs: 0,
  PlacedAllocs: 0,
  PlacedCanaries: null,
  ProgressDeadline: 600000000000,
  Promoted: false,
  RequireProgressBy: null,
  UnhealthyAllocs: 0,
  ...overrides,
});

export const cancelledDeployment = {
  CreateIndex: 54,
  EvalPriority: 50,
  ID: '58fd0616-ce64-d14b-6917-03d0ab5af67e',
  IsMultiregion: false,
  JobCreateIndex: 52,
  JobID: 'countdash',
  JobModifyIndex: 52,
  JobSpecModifyIndex: 52,
  JobVersion: 0,
  ModifyIndex: 59,
  Namespace: 'default',
  Status: 'cancelled',
  StatusDescription: 'Cancelled due to newer version of job',
  TaskGroups: { dashboard: groupState({}), api: groupState({}) },
};

export const successfulDeployment = {
  CreateIndex: 43,
  EvalPriority: 50,
  ID: '1f18b48c-b33b-8e96-5640-71e3f3000242',
  IsMultiregion: false,
  JobCreateIndex: 42,
  JobID: 'example',
  JobModifyIndex: 42,
  JobSpecModifyIndex: 42,
  JobVersion: 0,
  ModifyIndex: 49,
  Namespace: 'default',
  Status: 'successful',
  StatusDescription: 'Deployment completed successfully',
  TaskGroups: { cache: groupState({ HealthyAllocs: 1, PlacedAllocs: 1, RequireProgressBy: '2022-02-18T19:36:54.421823-05:00' }) },
};

export const deployments = [cancelledDeployment, successfulDeployment];

/** A canary deployment waiting for promotion, with a placed canary. */
export const canaryDeployment = {
  ...successfulDeployment,
  ID: '7c1b2a33-0c8e-4a0e-9a39-6a5c1f1f0b9e',
  JobVersion: 3,
  Status: 'running',
  StatusDescription: 'Deployment is running but requires manual promotion',
  TaskGroups: {
    web: groupState({ DesiredCanaries: 1, DesiredTotal: 3, PlacedCanaries: ['e2f1d8b4-5a7e-4c55-8d3b-0ab1c0ffee01'], PlacedAllocs: 1, AutoRevert: true }),
  },
};

export const webAllocation = {
  ID: 'e2f1d8b4-5a7e-4c55-8d3b-0ab1c0ffee01',
  EvalID: '5456bd7a-9fc0-c0dd-6131-cbee77f57577',
  Name: 'web.frontend[0]',
  Namespace: 'default',
  NodeID: 'fb2170a8-257d-3c64-b14d-bc06cc94e34c',
  NodeName: 'node-1',
  JobID: 'web',
  JobType: 'service',
  JobVersion: 3,
  TaskGroup: 'frontend',
  DesiredStatus: 'run',
  DesiredDescription: '',
  ClientStatus: 'running',
  ClientDescription: 'Tasks are running',
  TaskStates: {
    nginx: {
      State: 'running',
      Failed: false,
      Restarts: 2,
      LastRestart: '2024-05-01T10:00:00Z',
      StartedAt: '2024-05-01T10:00:01Z',
      FinishedAt: null,
      Events: [
        { Type: 'Received', Time: 1714557600000000000, DisplayMessage: 'Task received by client' },
        { Type: 'Restarting', Time: 1714557601000000000, DisplayMessage: 'Task restarting in 15s' },
      ],
    },
  },
  DeploymentStatus: { Healthy: true, Timestamp: '2024-05-01T10:00:11Z', Canary: true, ModifyIndex: 80 },
  FollowupEvalID: '',
  RescheduleTracker: null,
  PreemptedAllocations: null,
  CreateIndex: 70,
  ModifyIndex: 80,
  CreateTime: 1714557600000000000,
  ModifyTime: 1714557611000000000,
};
