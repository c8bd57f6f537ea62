import { nomadDeploymentResource } from '../resources/api-version.ts';
import { array, boolean, integer, object, string, type Schema } from './openapi.ts';
import { customResourceDefinition } from './custom-resource.ts';
import { conditionsSchema } from './nomad-job-crd.ts';

/** Nomad's deployment statuses (multiregion ones excluded: one Caravan serves one cluster). */
export const deploymentStatuses = ['running', 'paused', 'failed', 'successful', 'cancelled'] as const;

function specSchema(): Schema {
  return object(
    {
      job: string('The NomadJob this deployment rolls out. Set by Caravan; immutable.', {
        maxLength: 253,
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'job is immutable' }],
      }),
      jobVersion: integer('The job version it rolls out. Set by Caravan; immutable.', {
        minimum: 0,
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'jobVersion is immutable' }],
      }),
      paused: boolean('Operator intent: pause (true) or resume (false) the deployment. Like `nomad deployment pause|resume`.'),
      promote: object(
        {
          all: boolean('Promote the canaries of every group.'),
          groups: array(string('A task group.', { maxLength: 63 }), 'Promote the canaries of these groups.', { maxItems: 32 }),
        },
        'Operator intent: promote canaries. Like `nomad deployment promote [-group G]`. Unhealthy canaries are not promoted; status says why.',
        {
          'x-kubernetes-validations': [
            {
              rule: '!(has(self.all) && self.all && has(self.groups) && size(self.groups) > 0)',
              message: 'promote either all groups or named groups, not both',
            },
          ],
        },
      ),
      approveCanaryStep: integer(
        'Operator intent: approve the canary steps with an approval gate up to this step (counted from 1). Caravan extension for update.canarySteps.',
        { minimum: 1 },
      ),
      failed: boolean('Operator intent: mark the deployment failed (and auto-revert if configured). Like `nomad deployment fail`. Cannot be undone.', {
        'x-kubernetes-validations': [{ rule: 'self || !oldSelf', message: 'a deployment marked failed cannot be un-failed' }],
      }),
    },
    'Identity (set by Caravan) and operator intent (set by you). Caravan acts on the intent and reports the outcome in status.',
    { required: ['job', 'jobVersion'] },
  );
}

function statusSchema(): Schema {
  const counter = (what: string) => integer(what, { minimum: 0 });
  return object(
    {
      observedGeneration: integer('The spec generation this status describes.', { minimum: 0 }),
      id: string("The Nomad deployment ID: this object's UID.", { maxLength: 64 }),
      status: string('Nomad deployment status.', { enum: deploymentStatuses, maxLength: 16 }),
      statusDescription: string('Nomad\'s description of the status, e.g. "Deployment is running but requires manual promotion".', { maxLength: 4096 }),
      createTime: string('When the deployment was created.', { format: 'date-time', maxLength: 64 }),
      modifyTime: string('When its status last changed.', { format: 'date-time', maxLength: 64 }),
      revertedJobVersion: integer('The stable version an auto-revert went back to, if any.', { minimum: 0 }),
      taskGroups: {
        type: 'object',
        description: 'Per task group state (Nomad DeploymentState).',
        maxProperties: 64,
        additionalProperties: object(
          {
            autoRevert: boolean("Copy of the group's auto_revert."),
            autoPromote: boolean("Copy of the group's auto_promote."),
            progressDeadline: string("Copy of the group's progress_deadline.", { maxLength: 32 }),
            requireProgressBy: string('The deployment fails if no allocation turns healthy by then.', { format: 'date-time', maxLength: 64 }),
            promoted: boolean('Canaries promoted; never goes back to false.'),
            canaryStep: integer('With canary steps: the step the canaries are at, counted from 1.', { minimum: 1 }),
            stepCanaries: counter('With canary steps: the canaries the current step runs.'),
            placedCanaries: array(string('An allocation ID.', { maxLength: 64 }), 'Canary allocations placed.', { maxItems: 1024 }),
            desiredCanaries: counter('Canaries wanted.'),
            desiredTotal: counter('Allocations this deployment must make healthy.'),
            placedAllocs: counter('Allocations that joined this deployment.'),
            healthyAllocs: counter('Allocations that turned healthy.'),
            unhealthyAllocs: counter('Allocations that turned unhealthy.'),
            allocationHealth: {
              type: 'object',
              description:
                'Deployment health recorded for each allocation, by Pod name: healthy or unhealthy, @ when it was decided (RFC 3339). Counted in healthyAllocs and unhealthyAllocs.',
              maxProperties: 50000,
              additionalProperties: string('healthy|unhealthy@<RFC 3339 time>', { maxLength: 64 }),
            },
          },
          'State of one task group.',
        ),
      },
      conditions: conditionsSchema,
    },
    "What Caravan observed and did, in Nomad's words. Written only by the controller. Condition IntentHonoured is False, with Nomad's error text, while the operator intent in spec cannot be honoured (e.g. promoting unhealthy canaries).",
  );
}

/** The CustomResourceDefinition of NomadDeployment. */
export function nomadDeploymentCrd(): object {
  return customResourceDefinition({
    kind: 'NomadDeployment',
    plural: nomadDeploymentResource.plural,
    shortName: 'nd',
    description:
      'One roll-out of one NomadJob version (a Nomad deployment). Created by Caravan and owned by its NomadJob; pause, resume, promote and fail it through its spec.',
    spec: specSchema(),
    status: statusSchema(),
    columns: [
      { name: 'Job', type: 'string', jsonPath: '.spec.job' },
      { name: 'Version', type: 'integer', jsonPath: '.spec.jobVersion' },
      { name: 'Status', type: 'string', jsonPath: '.status.status' },
      { name: 'Description', type: 'string', jsonPath: '.status.statusDescription' },
    ],
  });
}
