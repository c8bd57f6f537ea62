import { jsonPointer } from '../../kube/json-patch.ts';
import { canonicalJob } from '../../model/defaults.ts';
import { isActive } from '../../planner/deployment.ts';
import { observeAllocation } from '../../resources/allocation-pod.ts';
import { apiGroup, nomadJobResource } from '../../resources/api-version.ts';
import { observeDeployment } from '../../resources/nomad-deployment.ts';
import type { ClusterView } from '../cluster-view.ts';
import { patchJobChecked } from '../job-writer.ts';
import { badRequest, notFound, serverError } from '../http-error.ts';
import { evaluationId } from '../nomad/evaluation.ts';
import { indexOf } from '../nomad/indexes.ts';
import type { Route } from '../server.ts';

/**
 * `/v1/job/:id/scale`. GET: each group's desired count and its live, non-canary allocations of
 * the current job (placed, running, healthy, unhealthy by their deployment health). POST with a
 * Count: the group's count in the NomadJob's spec changes (a new version, as Nomad registers
 * one), with Nomad's checks; without a Count Nomad only records a scaling event, which Caravan
 * does not keep (answered, nothing written).
 */
export function scaleRoutes(view: ClusterView): Route[] {
  return [
    {
      path: '/v1/job/:id/scale',
      methods: {
        GET: async (req, ctx) => {
          const namespace = req.options.namespace;
          const name = req.params['id'] ?? '';
          await req.authorize({ verb: 'get', group: apiGroup, resource: nomadJobResource.plural, namespace, name });
          const job = view.job(namespace, name);
          const at = job && view.jobAt(job);
          if (!job || !at) throw notFound('job not found');
          const canonical = canonicalJob(name, namespace, at.version.spec);
          // Canaries count once promoted (they keep their canary flag, as in Nomad); unpromoted ones run beside the count.
          const unpromoted = new Set(
            view.deploymentsOf(job).flatMap((d) =>
              d.status?.status === 'running' || d.status?.status === 'paused'
                ? Object.entries(d.status.taskGroups ?? {})
                    .filter(([, g]) => !g.promoted)
                    .map(([g]) => `${d.metadata.name}/${g}`)
                : [],
            ),
          );
          const allocs = view
            .podsOf(job)
            .flatMap((p) => observeAllocation(p) ?? [])
            .filter((a) => !a.deleting && !(a.canary && unpromoted.has(`${a.deployment}/${a.group}`)) && a.phase !== 'Succeeded' && a.phase !== 'Failed');
          const TaskGroups = Object.fromEntries(
            canonical.taskGroups.map((g) => {
              const mine = allocs.filter((a) => a.group === g.name);
              return [
                g.name,
                {
                  Desired: g.count,
                  Placed: mine.length,
                  Running: mine.filter((a) => a.phase === 'Running').length,
                  Healthy: mine.filter((a) => a.recordedHealth?.health === 'healthy').length,
                  Unhealthy: mine.filter((a) => a.recordedHealth?.health === 'unhealthy').length,
                  Events: null,
                },
              ];
            }),
          );
          return {
            index: Math.max(at.indexes.modifyIndex, ctx.indexes.get('allocs')),
            body: {
              JobID: name,
              Namespace: namespace,
              JobCreateIndex: at.indexes.createIndex,
              JobModifyIndex: at.indexes.jobModifyIndex,
              JobStopped: job.spec.stop === true,
              TaskGroups,
            },
          };
        },
        POST: async (req, ctx) => {
          const namespace = req.options.namespace;
          const name = req.params['id'] ?? '';
          const body = (req.body ?? {}) as { Count?: number | null; Target?: Record<string, string>; Error?: boolean; JobModifyIndex?: number };
          const target = body.Target ?? {};
          if (target['Job'] !== undefined && target['Job'] !== name) throw badRequest('job ID in payload did not match URL');
          if (target['Namespace'] !== undefined && target['Namespace'] !== namespace) throw badRequest('namespace in payload did not match header');
          const groupName = target['Group'];
          if (!groupName) throw badRequest('missing task group name for scaling action');
          const count = body.Count ?? undefined;
          if (count !== undefined && count < 0) throw badRequest("scaling action count can't be negative");
          if (count !== undefined && body.Error) throw badRequest('scaling action should not contain count if error is true');
          await req.authorize({ verb: 'update', group: apiGroup, resource: nomadJobResource.plural, namespace, name });
          const job = view.job(namespace, name);
          const at = job && view.jobAt(job);
          if (!job || !at) throw notFound(`job ${JSON.stringify(name)} not found`);
          const index = at.indexes.jobModifyIndex;
          if (body.JobModifyIndex && body.JobModifyIndex !== index)
            throw serverError(`Enforcing job modify index ${body.JobModifyIndex}: job exists with conflicting job modify index: ${index}`);
          const groupIndex = job.spec.taskGroups.findIndex((g) => g.name === groupName);
          if (groupIndex < 0) throw badRequest(`task group ${JSON.stringify(groupName)} specified for scaling does not exist in job`);
          if ((job.spec.type === 'system' || job.spec.type === 'sysbatch') && count !== undefined && count > 1)
            throw badRequest(`jobs of type "${job.spec.type}" can only be scaled between 0 and 1`);
          // Caravan refuses `scaling` blocks (no autoscaler), so there is no policy minimum or maximum to check.
          if (count === undefined) return { index, body: { EvalID: '', EvalCreateIndex: 0, JobModifyIndex: index, Warnings: '', Index: index } };
          const active = view.deploymentsOf(job).some((d) => isActive(observeDeployment(d).status) && d.spec.jobVersion === at.version.version);
          if (active) throw badRequest('job scaling blocked due to active deployment');
          const written = await patchJobChecked(
            ctx.kc,
            namespace,
            name,
            [{ op: 'replace', path: jsonPointer('spec', 'taskGroups', groupIndex, 'count'), value: count }],
            'scaled',
          );
          await view.caughtUp('jobs', `${namespace}/${name}`, written.metadata.resourceVersion);
          const writtenIndex = indexOf(written.metadata.resourceVersion);
          return {
            index: writtenIndex,
            body: {
              EvalID: evaluationId(written.metadata.uid ?? '', written.metadata.resourceVersion ?? ''),
              EvalCreateIndex: writtenIndex,
              JobModifyIndex: writtenIndex,
              Warnings: '',
              Index: writtenIndex,
            },
          };
        },
      },
    },
  ];
}
