import { annotations } from '../../resources/labels.ts';
import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import type { ClusterView } from '../cluster-view.ts';
import { NomadHttpError, serverError } from '../http-error.ts';
import { findByIdPrefix, parseIdPrefix } from '../nomad/ids.ts';
import { paginate } from '../paginate.ts';
import type { Route } from '../server.ts';
import { blockingAnswer, blockingRead } from '../table-indexes.ts';
import { deploymentFor, read } from './deployment-lookup.ts';
import { deploymentWriteRoutes, type DeploymentWriteOptions } from './deployment-writes.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';
import { allocationStubs, deploymentJson } from './nomad-objects.ts';

/**
 * `/v1/deployments`, `/v1/deployment/:id`, `/v1/deployment/allocations/:id` from the caches, and
 * the deployment writes (deployment-writes.ts).
 */
export function deploymentRoutes(view: ClusterView, options: DeploymentWriteOptions = {}): Route[] {
  return [
    {
      path: '/v1/deployments',
      methods: {
        GET: async (req, ctx) => {
          const namespaces = await namespacesAllowed(req, ctx, (ns) => read(ns));
          const filter = compileListFilter(req.options.filter);
          const prefix = req.options.prefix;
          if (prefix) {
            const parsed = parseIdPrefix(prefix);
            if (!parsed.ok) throw serverError(parsed.error);
          }
          return blockingRead(
            ctx.indexes,
            req.options,
            () => {
              const all = view.deployments(req.options.namespace).filter((d) => namespaces(d.metadata.namespace ?? 'default'));
              const matching = prefix ? (findByIdPrefix(all, (d) => d.metadata.uid ?? '', prefix) as { matches: NomadDeployment[] }).matches : all;
              const json = matching.map((d) => deploymentJson(view, d));
              const { page, nextToken } = paginate(json, req.options, (d) => (prefix ? d.ID : `${d.CreateIndex}.${d.ID}`), filter);
              return { index: ctx.indexes.get('deployments'), value: { page, nextToken } };
            },
            req.signal,
          ).then(({ index, value }) => ({ index, body: value.page, ...(value.nextToken ? { nextToken: value.nextToken } : {}) }));
        },
      },
    },
    {
      path: '/v1/deployment/allocations/:id',
      methods: {
        GET: async (req, ctx) => {
          await req.authorize({ ...read(req.options.namespace), verb: 'get' }, { verb: 'list', group: '', resource: 'pods', namespace: req.options.namespace });
          const d = deploymentFor(view, req, false);
          return blockingAnswer(ctx.indexes, req, () => {
            if (!d) return { index: ctx.indexes.get('allocs'), value: [] };
            const pods = view.pods(d.metadata.namespace ?? 'default').filter((p) => p.metadata?.annotations?.[annotations.deployment] === d.metadata.name);
            const jobType = view.job(d.metadata.namespace ?? 'default', d.spec.job)?.spec.type ?? 'service';
            return { index: ctx.indexes.get('allocs'), value: allocationStubs(ctx, view, pods, () => ({ jobType })) };
          });
        },
      },
    },
    {
      path: '/v1/deployment/:id',
      methods: {
        GET: async (req, ctx) => {
          await req.authorize({ ...read(req.options.namespace), verb: 'get' });
          const d = deploymentFor(view, req, false);
          if (!d) throw new NomadHttpError(404, 'deployment not found');
          return blockingAnswer(ctx.indexes, req, () => {
            const current = view.deploymentByUid(d.metadata.uid ?? '') ?? d;
            const json = deploymentJson(view, current);
            return { index: json.ModifyIndex, value: json };
          });
        },
      },
    },
    ...deploymentWriteRoutes(view, options),
  ];
}
