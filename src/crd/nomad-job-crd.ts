import { defaultEphemeralDiskMB, defaultResources } from '../model/defaults.ts';
import { durationPattern } from '../model/duration.ts';
import { healthChecks, jobTypes, supportedDrivers } from '../model/nomad-job-spec.ts';
import {
  unsupportedFieldMessage,
  unsupportedGroupFields,
  unsupportedJobFields,
  unsupportedTaskFields,
  type UnsupportedField,
} from '../model/unsupported-fields.ts';
import { maxTotalCount } from '../model/validate.ts';
import { nomadJobResource } from '../resources/api-version.ts';
import { customResourceDefinition } from './custom-resource.ts';
import { array, boolean, integer, object, refused, string, stringMap, type Schema, type ValidationRule } from './openapi.ts';

// A pattern, not a CEL rule: the API server runs a CRD's CEL rules on every write, status writes
// included, and one rule per duration field was a third of a NomadJob status write's cost
// (docs/performance.md). Its message names the field, the value and the grammar.
const duration = (description: string, extra: Omit<Schema, 'type' | 'description'> = {}): Schema =>
  string(`${description} A Go duration such as "10s", "5m" or "1h30m".`, { maxLength: 32, pattern: durationPattern, ...extra });

const quote = (cel: string) => `'${cel}'`;

/**
 * A property per Nomad field Caravan cannot honour, whose own CEL rule refuses it by name, so it
 * is never silently dropped. A rule on the property runs only when the field is there: the
 * API server runs a CRD's rules on every write, status writes included, and a `!has()` rule per
 * field on the parent cost every write of every job.
 */
function refusals(table: Readonly<Record<string, UnsupportedField>>): Record<string, Schema> {
  const properties: Record<string, Schema> = {};
  for (const [field, { shape, reason }] of Object.entries(table)) {
    properties[field] = {
      ...refused(shape, `Not supported by Caravan: ${reason}. Present only to be refused with that reason.`),
      'x-kubernetes-validations': [{ rule: 'false', message: unsupportedFieldMessage(field, reason), reason: 'FieldValueForbidden' }],
    };
  }
  return properties;
}

/**
 * The update block. At job level the API server fills in Nomad's defaults. At group level
 * nothing is defaulted: Nomad overlays only the fields a group sets on the job-level block, so
 * presence matters. Checks that need the merged result run in the controller (src/model).
 */
function updateSchema(level: 'job' | 'group'): Schema {
  const d = <T>(value: T) => (level === 'job' ? { default: value } : {});
  // A malformed duration has its own message on its field; the comparisons skip it rather than
  // failing with a type conversion error.
  const celPattern = durationPattern.replaceAll('\\', '\\\\');
  const usable = (field: string) => `has(self.${field}) && self.${field}.matches('${celPattern}')`;
  const rules: ValidationRule[] = [
    {
      rule: `!(${usable('minHealthyTime')} && ${usable('healthyDeadline')}) || duration(self.minHealthyTime) < duration(self.healthyDeadline)`,
      messageExpression: "'Minimum healthy time must be less than healthy deadline: ' + self.minHealthyTime + ' > ' + self.healthyDeadline",
    },
    {
      rule: `!(${usable('healthyDeadline')}) || duration(self.healthyDeadline) > duration('0s')`,
      messageExpression: "'Healthy deadline must be greater than zero: ' + self.healthyDeadline",
    },
    {
      rule: `!(${usable('healthyDeadline')} && ${usable('progressDeadline')}) || duration(self.progressDeadline) == duration('0s') || duration(self.healthyDeadline) < duration(self.progressDeadline)`,
      messageExpression: "'Healthy deadline must be less than progress deadline: ' + self.healthyDeadline + ' > ' + self.progressDeadline",
    },
    { rule: `!(${usable('stagger')}) || duration(self.stagger) > duration('0s')`, messageExpression: "'Stagger must be greater than zero: ' + self.stagger" },
  ];
  if (level === 'job') rules.push({ rule: '!self.autoPromote || self.canary > 0', message: 'Auto Promote requires a Canary count greater than zero' });
  const scope =
    level === 'job'
      ? 'Job-level update strategy (Nomad `update`). Every task group starts from it; service and system jobs without one get these defaults. Not allowed on batch and sysbatch jobs.'
      : "This group's update strategy (Nomad `update` in a `group`). Overlays, field by field, only the fields it sets on the job-level block.";
  return object(
    {
      maxParallel: integer(
        'Allocations updated at once during a rolling update; each one that turns healthy frees a slot. 0 means no deployment: destructive changes replace every allocation at once.',
        { minimum: 0, ...d(1) },
      ),
      healthCheck: string(
        'How allocation health is decided: "checks" (every container ready for minHealthyTime), "task_states" (every container running for minHealthyTime, readiness ignored) or "manual" (only the caravan.dev/health annotation or the HTTP API).',
        { enum: healthChecks, maxLength: 16, ...d('checks') },
      ),
      minHealthyTime: duration('How long an allocation must stay healthy before it counts as healthy.', d('10s')),
      healthyDeadline: duration('How long an allocation has to become healthy before it is marked unhealthy.', d('5m')),
      progressDeadline: duration(
        'The deployment fails if no allocation turns healthy within this long; "0" disables it (then the first unhealthy allocation fails the deployment).',
        d('10m'),
      ),
      autoRevert: boolean('On failure, run the latest stable job version again (without rewriting this spec).', d(false)),
      autoPromote: boolean('Promote the canaries once all of them are healthy. Needs canary > 0 in every canary group.', d(false)),
      canary: integer('Allocations of a changed version placed beside the old ones until promotion. 0 means a plain rolling update.', { minimum: 0, ...d(0) }),
      canarySteps: array(
        object(
          {
            count: integer('Canaries at this step.', { minimum: 1 }),
            percent: integer('Canaries at this step as a percentage of count, rounded up.', { minimum: 1, maximum: 100 }),
            pause: duration("Once this step's canaries are healthy, run them this long before the next step."),
            approval: boolean(
              "Once this step's canaries are healthy, wait until the NomadDeployment's spec.approveCanaryStep reaches this step (counted from 1).",
            ),
          },
          'One canary step: count or percent, then an optional pause or approval gate.',
          { 'x-kubernetes-validations': [{ rule: 'has(self.count) != has(self.percent)', message: 'a canary step needs either count or percent' }] },
        ),
        'Caravan extension (Nomad issue #11822): grow the canaries in steps instead of one canary phase; the last step sets the number of canaries, then promotion and the rolling update follow as usual. Replaces canary (leave canary at 0).',
        { maxItems: 16 },
      ),
      stagger: duration('Deprecated in Nomad; kept for compatibility. Must be greater than zero.', d('30s')),
    },
    scope,
    { 'x-kubernetes-validations': rules },
  );
}

const constraint = object(
  {
    attribute: string('The node property, e.g. "${node.datacenter}", "${meta.rack}" or "${attr.kernel.name}".', { maxLength: 256 }),
    operator: string('How attribute and value compare. Default "=".', {
      enum: [
        '=',
        '==',
        'is',
        '!=',
        'not',
        '<',
        '<=',
        '>',
        '>=',
        'regexp',
        'set_contains',
        'set_contains_any',
        'version',
        'semver',
        'is_set',
        'is_not_set',
        'distinct_hosts',
        'distinct_property',
      ],
      maxLength: 32,
    }),
    value: string('The value to compare with.', { maxLength: 256 }),
  },
  'A Nomad constraint; Caravan turns it into node affinity or pod anti-affinity for kube-scheduler.',
);

const affinity = object(
  { ...constraint.properties, weight: integer('Preference from -100 to 100.', { minimum: -100, maximum: 100 }) },
  'A soft placement preference (Nomad `affinity`).',
);

const spread = object(
  {
    attribute: string('The node property to spread over, e.g. "${node.datacenter}".', { maxLength: 256 }),
    weight: integer('Relative weight from 0 to 100.', { minimum: 0, maximum: 100 }),
    targets: array(
      object(
        {
          value: string('A value of the attribute.', { maxLength: 256 }),
          percent: integer('Share of allocations for this value.', { minimum: 0, maximum: 100 }),
        },
        'A desired share.',
        { required: ['value'] },
      ),
      'Desired shares per value.',
    ),
  },
  'Spread allocations over the values of a node property (Nomad `spread`).',
  { required: ['attribute'] },
);

const restart = object(
  {
    attempts: integer('Restarts allowed within interval.', { minimum: 0 }),
    interval: duration('The window restarts are counted in.'),
    delay: duration('Wait before a restart.'),
    mode: string('What happens after attempts run out: "fail" (the allocation fails) or "delay" (wait for the next interval).', {
      enum: ['fail', 'delay'],
      maxLength: 8,
    }),
  },
  'Restarts in place (Nomad `restart`). Defaults: service and system jobs 2 attempts in 30m, batch and sysbatch jobs 3 attempts in 24h; delay 15s, mode "fail".',
);

const reschedule = object(
  {
    attempts: integer('Reschedules allowed within interval (when not unlimited).', { minimum: 0 }),
    interval: duration('The window reschedules are counted in.'),
    delay: duration('Wait before the first reschedule.'),
    delayFunction: string('How the delay grows: "constant", "exponential" or "fibonacci".', { enum: ['constant', 'exponential', 'fibonacci'], maxLength: 16 }),
    maxDelay: duration('The delay never grows past this.'),
    unlimited: boolean('Reschedule without limit.'),
  },
  'Replacing failed allocations elsewhere (Nomad `reschedule`). Defaults: service jobs unlimited, 30s exponential up to 1h; batch jobs 1 attempt in 24h after 5s; system jobs are not rescheduled.',
);

const check = object(
  {
    name: string('Check name. Default: service: "<service>" check.', { maxLength: 253 }),
    type: string('"http", "tcp" and "grpc" become readiness probes; "script" an exec probe.', { enum: ['http', 'tcp', 'grpc', 'script'], maxLength: 8 }),
    port: string('Port label (or number) to probe; default the service port.', { maxLength: 64 }),
    path: string('HTTP path (http checks).', { maxLength: 1024 }),
    method: string('HTTP method (http checks). Default GET.', { maxLength: 16 }),
    protocol: string('"http" or "https" (http checks).', { enum: ['http', 'https'], maxLength: 8 }),
    command: string('Command to run (script checks).', { maxLength: 1024 }),
    args: array(string('An argument.'), 'Arguments of command.'),
    task: string('The task a group-level script check runs in.', { maxLength: 128 }),
    grpcService: string('gRPC service name (grpc checks).', { maxLength: 253 }),
    interval: duration('How often to probe. Default 10s.'),
    timeout: duration('How long a probe may take. Default 2s.'),
  },
  'A health check of a service.',
  { required: ['type'] },
);

const service = object(
  {
    name: string('Service name. Default "<job>-<group>[-<task>]".', { maxLength: 253 }),
    port: string('Port label from the group network, or a number.', { maxLength: 64 }),
    provider: string('"nomad" (default) or "consul"; both only shape the checks here.', { enum: ['nomad', 'consul'], maxLength: 8 }),
    tags: array(string('A tag.', { maxLength: 253 }), 'Tags.'),
    checks: array(check, 'Health checks; with health_check "checks" an allocation is healthy when its readiness probes pass.', { maxItems: 8 }),
  },
  "A service (Nomad `service`). Its checks become the containers' readiness probes.",
);

const networks = array(
  object(
    {
      mode: string('"bridge" (default) or "host".', { enum: ['bridge', 'host'], maxLength: 8 }),
      ports: array(
        object(
          {
            label: string("The port's name, used by task config.ports and services.", { maxLength: 15, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
            static: integer('A fixed host port.', { minimum: 1, maximum: 65535 }),
            to: integer('The port the task listens on in its container.', { minimum: 1, maximum: 65535 }),
          },
          'A port (Nomad `port "label"`).',
          { required: ['label'] },
        ),
        'Ports of the group.',
        { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['label'] },
      ),
    },
    'A group network.',
  ),
  'Group networks (Nomad `network`). Port labels become container ports.',
  { maxItems: 1 },
);

function taskSchema(): Schema {
  const refusedProps = refusals(unsupportedTaskFields);
  return object(
    {
      name: string('Task name, unique in its group; names the container.', { maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
      driver: string(`How the task runs. Caravan runs containers: ${supportedDrivers.join(', ')}.`, { maxLength: 64 }),
      config: object(
        {
          image: string('Container image.', { maxLength: 1024 }),
          command: string("Overrides the image entrypoint's command (Nomad docker `command`).", { maxLength: 1024 }),
          args: array(string('An argument.', { maxLength: 4096 }), 'Arguments.', { maxItems: 256 }),
          entrypoint: array(string('An entrypoint element.', { maxLength: 4096 }), 'Overrides the image entrypoint.'),
          ports: array(string('A port label.', { maxLength: 15 }), 'Port labels of the group network this task listens on.'),
          workDir: string('Working directory.', { maxLength: 1024 }),
        },
        "The driver's configuration (free-form as in Nomad; the fields above are the ones Caravan maps).",
        { 'x-kubernetes-preserve-unknown-fields': true },
      ),
      env: stringMap("Environment variables; Nomad's NOMAD_* variables are added."),
      resources: object(
        {
          cpu: integer('CPU in MHz, as Nomad counts it; requests cpu = cpu/1000 cores.', { minimum: 1, default: defaultResources.cpu }),
          cores: integer('Whole cores reserved; when set it replaces cpu.', { minimum: 0 }),
          memoryMB: integer('Memory in MB; requests and limits memory = memoryMB Mi.', { minimum: 10, default: defaultResources.memoryMB }),
          memoryMaxMB: integer('Memory limit in MB when above memoryMB (Nomad memory oversubscription).', { minimum: 0 }),
        },
        'Resources (Nomad `resources`).',
        { default: {} },
      ),
      services: array(service, 'Services of this task.', { maxItems: 8 }),
      meta: stringMap('Metadata; also NOMAD_META_* variables.'),
      user: string('User to run as.', { maxLength: 256 }),
      killTimeout: duration('Grace period between the kill signal and SIGKILL.', { default: '5s' }),
      killSignal: string('Signal sent to stop the task.', { maxLength: 16 }),
      shutdownDelay: duration('Wait before the kill signal.'),
      leader: boolean('When the leader task stops, the other tasks are stopped.'),
      lifecycle: object(
        {
          hook: string('"prestart" tasks run before the main tasks (init containers), "poststart" after, "poststop" after they stop.', {
            enum: ['prestart', 'poststart', 'poststop'],
            maxLength: 16,
          }),
          sidecar: boolean('Keep the task running beside the main tasks.'),
        },
        'When the task runs relative to the others.',
        { required: ['hook'] },
      ),
      restart: restart,
      dispatchPayload: object(
        { file: string("The payload's file, relative to the task's local/ directory.", { maxLength: 256 }) },
        "Where a dispatched job's payload is written.",
        { required: ['file'] },
      ),
      ...refusedProps,
    },
    "A task (Nomad `task`): one container of the allocation's Pod.",
    {
      required: ['name', 'driver'],
      'x-kubernetes-validations': [
        {
          rule: `self.driver in [${supportedDrivers.map(quote).join(', ')}]`,
          messageExpression: `'driver "' + self.driver + '" cannot run on Caravan: tasks run as containers, so the driver must be one of ${supportedDrivers.join(', ')}'`,
          fieldPath: '.driver',
        },
        {
          rule: "has(self.config) && has(self.config.image) && self.config.image != ''",
          messageExpression: `'task "' + self.name + '" needs config.image: the ' + self.driver + ' driver runs a container image'`,
          fieldPath: '.config',
        },
      ],
    },
  );
}

const toleration = object(
  {
    key: string('Taint key.', { maxLength: 316 }),
    operator: string('"Exists" or "Equal".', { enum: ['Exists', 'Equal'], maxLength: 8 }),
    value: string('Taint value.', { maxLength: 63 }),
    effect: string('"NoSchedule", "PreferNoSchedule" or "NoExecute".', { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], maxLength: 16 }),
    tolerationSeconds: integer('For NoExecute: how long the Pod stays after the taint appears.'),
  },
  'A Kubernetes toleration.',
);

function taskGroupSchema(): Schema {
  const refusedProps = refusals(unsupportedGroupFields);
  return object(
    {
      name: string('Group name, unique in the job; part of allocation names "<job>.<group>[<index>]" and of Pod names.', {
        maxLength: 63,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      }),
      count: integer('Allocations to run. For system jobs 0 or 1 (one per eligible node).', { minimum: 0, default: 1 }),
      update: updateSchema('group'),
      constraints: array(constraint, 'Placement requirements.'),
      affinities: array(affinity, 'Placement preferences.'),
      spreads: array(spread, 'Spreads.'),
      meta: stringMap('Metadata; also NOMAD_META_* variables of its tasks.'),
      restart,
      reschedule,
      ephemeralDisk: object(
        {
          sizeMB: integer('Scratch space in MB; becomes an ephemeral-storage request.', { minimum: 0, default: defaultEphemeralDiskMB }),
          sticky: boolean('Nomad keeps the data for a replacement on the same node; no effect on Kubernetes.'),
          migrate: boolean('Nomad copies the data to a replacement; no effect on Kubernetes.'),
        },
        'Scratch disk (Nomad `ephemeral_disk`).',
      ),
      networks,
      services: array(service, 'Group services.', { maxItems: 8 }),
      shutdownDelay: duration("Wait before stopping the group's tasks."),
      tasks: array(taskSchema(), 'The tasks; each becomes a container (prestart tasks become init containers).', {
        minItems: 1,
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
      kubernetes: object(
        {
          labels: stringMap("Extra labels on the group's Pods.", { maxProperties: 64 }),
          annotations: stringMap("Extra annotations on the group's Pods.", { maxProperties: 64 }),
          serviceAccountName: string('ServiceAccount the Pods run as.', { maxLength: 253 }),
          nodeSelector: stringMap('Node labels the Pods require.', { maxProperties: 64 }),
          tolerations: array(toleration, 'Tolerations of the Pods.'),
          priorityClassName: string('PriorityClass of the Pods.', { maxLength: 253 }),
        },
        "What a Kubernetes user needs on this group's Pods.",
      ),
      ...refusedProps,
    },
    'A task group (Nomad `group`): its allocations each run as one Pod.',
    { required: ['name', 'tasks'] },
  );
}

function specSchema(): Schema {
  const refusedProps = refusals(unsupportedJobFields);
  return object(
    {
      type: string('Scheduler type: "service" (long-running, deployments), "batch" (runs to completion), "system" (one per node), "sysbatch".', {
        enum: jobTypes,
        default: 'service',
        maxLength: 16,
      }),
      priority: integer('Job priority, 1 to 100.', { minimum: 1, maximum: 100, default: 50 }),
      region: string('Nomad region; informational (one Caravan serves one cluster).', { maxLength: 128 }),
      datacenters: array(
        string('A datacenter; "*" matches all. Matched against the node label caravan.dev/datacenter.', { maxLength: 128 }),
        'Datacenters the job may run in.',
        { default: ['*'] },
      ),
      constraints: array(constraint, 'Placement requirements for every group.'),
      affinities: array(affinity, 'Placement preferences for every group.'),
      spreads: array(spread, 'Spreads for every group.'),
      meta: stringMap('Job metadata; also NOMAD_META_* variables.'),
      update: updateSchema('job'),
      periodic: object(
        {
          crons: array(string('A cron expression (5, 6 or 7 fields, or @daily style).', { maxLength: 256 }), 'When to launch.', {
            minItems: 1,
            maxItems: 16,
            // The full grammar is checked by the controller and the Nomad API (croner); the API server checks the shape.
            'x-kubernetes-validations': [
              {
                rule: "self.all(c, c.matches('^\\\\s*(@[a-z]+|\\\\S+(\\\\s+\\\\S+){4,6})\\\\s*$'))",
                message: 'Invalid cron spec: a cron has 5 to 7 fields (min hour dom month dow [year], or sec min hour dom month dow year), or is an @macro',
              },
            ],
          }),
          prohibitOverlap: boolean('Skip a launch while the previous one still runs.'),
          timeZone: string('IANA time zone of the crons. Default UTC.', { maxLength: 64 }),
          enabled: boolean('Whether launches happen. Default true.'),
        },
        'Launch the job on a schedule (batch and sysbatch only).',
        { required: ['crons'] },
      ),
      parameterized: object(
        {
          payload: string('"optional", "required" or "forbidden".', { enum: ['optional', 'required', 'forbidden'], maxLength: 16 }),
          metaRequired: array(string('A meta key.', { maxLength: 128 }), 'Meta keys each dispatch must give.'),
          metaOptional: array(string('A meta key.', { maxLength: 128 }), 'Meta keys a dispatch may give.'),
        },
        'Make the job a template dispatched with parameters (batch and sysbatch only).',
      ),
      stop: boolean('Stop the job: its allocations are stopped, its history kept.', { default: false }),
      taskGroups: array(taskGroupSchema(), 'Task groups (Nomad `group`).', {
        minItems: 1,
        maxItems: 32,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
      ...refusedProps,
    },
    'The job, as in a Nomad job file (camelCase fields, durations as strings). Owned by the user: Caravan never writes it.',
    {
      required: ['taskGroups'],
      'x-kubernetes-validations': [
        {
          rule: "!(self.type in ['batch', 'sysbatch']) || !has(self.update)",
          messageExpression: "'Job type \"' + self.type + '\" does not allow update block'",
          fieldPath: '.update',
        },
        {
          rule: "!has(self.periodic) || self.type in ['batch', 'sysbatch']",
          message: 'Periodic can only be used with "batch" or "sysbatch" scheduler',
          fieldPath: '.periodic',
        },
        {
          rule: "!has(self.parameterized) || self.type in ['batch', 'sysbatch']",
          message: 'Parameterized job can only be used with "batch" or "sysbatch" scheduler',
          fieldPath: '.parameterized',
        },
        {
          rule: `self.taskGroups.map(g, g.count).sum() <= ${maxTotalCount}`,
          message: `total count was greater than configured job_max_count: the task groups' counts add up to more than ${maxTotalCount}`,
          fieldPath: '.taskGroups',
        },
        {
          rule: "self.type != 'system' || self.taskGroups.all(g, g.count <= 1)",
          // Nomad's sentence, without the group's name: a messageExpression naming it exceeds CEL's cost budget.
          message: 'Count cannot exceed 1 with system scheduler (a system job runs one allocation per group on every eligible node)',
          fieldPath: '.taskGroups',
        },
      ],
    },
  );
}

export const conditionsSchema: Schema = array(
  object(
    {
      type: string('Condition type.', { maxLength: 316 }),
      status: string('"True", "False" or "Unknown".', { enum: ['True', 'False', 'Unknown'], maxLength: 8 }),
      reason: string('A CamelCase reason.', { maxLength: 1024 }),
      message: string('Human-readable details.', { maxLength: 32768 }),
      lastTransitionTime: string('When status last changed.', { format: 'date-time', maxLength: 64 }),
      observedGeneration: integer('The generation this condition describes.', { minimum: 0 }),
    },
    'A standard Kubernetes condition.',
    { required: ['type', 'status'] },
  ),
  'Standard conditions for kubectl wait and kstatus-based tools.',
  { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], maxItems: 16 },
);

function statusSchema(): Schema {
  const counter = (what: string) => integer(what, { minimum: 0 });
  return object(
    {
      observedGeneration: integer('The spec generation this status describes.', { minimum: 0 }),
      status: string('Nomad job status: "pending", "running" or "dead".', { enum: ['pending', 'running', 'dead'], maxLength: 16 }),
      statusDescription: string('Why the job has its status.', { maxLength: 4096 }),
      version: integer('The newest job version (Nomad Version), counted from 0.', { minimum: 0 }),
      runningVersion: integer('The version whose spec the allocations run; differs from version while an auto-revert is in effect.', { minimum: 0 }),
      stableVersion: integer('The newest version a successful deployment marked stable.', { minimum: 0 }),
      revert: object(
        {
          fromVersion: integer('The version that failed.', { minimum: 0 }),
          toVersion: integer('The stable version running instead.', { minimum: 0 }),
          reason: string("Why (the failed deployment's description).", { maxLength: 4096 }),
        },
        'Set while an auto-revert is in effect: the spec here is not what runs, until the spec changes again.',
      ),
      desired: counter('Allocations the job wants, all groups together.'),
      running: counter('Allocations running, all groups together.'),
      summary: {
        type: 'object',
        description: 'Per task group allocation counts (Nomad JobSummary); failed and complete only grow.',
        maxProperties: 64,
        additionalProperties: object(
          {
            queued: counter('Not yet placed.'),
            starting: counter('Placed, not yet running.'),
            running: counter('Running.'),
            failed: counter('Failed (cumulative).'),
            complete: counter('Completed (cumulative).'),
            lost: counter('Lost with their node.'),
            unknown: counter('On a node that stopped reporting.'),
          },
          'Counts of one task group.',
        ),
      },
      latestDeployment: object(
        {
          name: string('The NomadDeployment object.', { maxLength: 253 }),
          id: string('Its Nomad deployment ID (the object UID).', { maxLength: 64 }),
          jobVersion: integer('The job version it deploys.', { minimum: 0 }),
          status: string('Its Nomad status.', { maxLength: 32 }),
          statusDescription: string('Its Nomad status description.', { maxLength: 4096 }),
        },
        'The newest deployment of this job.',
      ),
      periodic: object(
        {
          lastLaunch: string("The last launch (or when tracking began): Nomad's launch record.", { format: 'date-time', maxLength: 64 }),
          nextLaunch: string('The next launch; absent when disabled, stopped or never again.', { format: 'date-time', maxLength: 64 }),
          trackedVersion: integer('The job version the next launch was timed for.', { minimum: 0 }),
        },
        'A periodic job: its launches.',
      ),
      conditions: conditionsSchema,
    },
    'What Caravan observed and did. Written only by the controller.',
  );
}

/** The CustomResourceDefinition of NomadJob. */
export function nomadJobCrd(): object {
  return customResourceDefinition({
    kind: 'NomadJob',
    plural: nomadJobResource.plural,
    shortName: 'nj',
    description:
      'A Nomad job run by Caravan: each change becomes a job version and rolls out through a NomadDeployment (canaries, promotion, rolling updates gated on health, auto-revert); its allocations run as Pods.',
    spec: specSchema(),
    status: statusSchema(),
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Status', type: 'string', jsonPath: '.status.status' },
      { name: 'Version', type: 'integer', jsonPath: '.status.version' },
      { name: 'Stable', type: 'integer', jsonPath: '.status.stableVersion', description: 'Newest stable version' },
      { name: 'Desired', type: 'integer', jsonPath: '.status.desired' },
      { name: 'Running', type: 'integer', jsonPath: '.status.running' },
      { name: 'Deployment', type: 'string', jsonPath: '.status.latestDeployment.status', description: 'Status of the newest deployment' },
      // A string, not a date: kubectl prints a date column as an age, and a time to come as <invalid>.
      { name: 'Next Launch', type: 'string', jsonPath: '.status.periodic.nextLaunch', description: 'Next periodic launch', priority: 1 },
    ],
    rules: [
      {
        rule: 'self.metadata.name.size() <= 63',
        message: "metadata.name: a NomadJob's name is used in its Pods' names and labels, so it can be at most 63 characters",
      },
    ],
  });
}
