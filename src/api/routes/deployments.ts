import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import { NomadHttpError, serverError } from '../http-error.ts';
import { findByIdPrefix, parseIdPrefix } from '../nomad/ids.ts';
import { paginate, paginateOrdered } from '../paginate.ts';
import type { ApiRequest, ApiResponse } from '../server.ts';
import { blockingAnswer, blockingRead } from '../table-indexes.ts';
import { deploymentFor, read } from './deployment-lookup.ts';
import { compileListFilter, namespacesAllowed } from './list-helpers.ts';
import { allocationStubs } from './nomad-objects.ts';
import type { RouteContext, RouteTable } from './route-table.ts';

/**
 * `/v1/deployments`, `/v1/deployment/:id`, `/v1/deployment/allocations/:id` from the caches; the
 * deployment writes are in deployment-writes.ts.
 */
export const deploymentRoutes: RouteTable = {
  '/v1/deployments': { GET: listDeployments },
  '/v1/deployment/allocations/:id': { GET: deploymentAllocations },
  '/v1/deployment/:id': { GET: readDeployment },
};

async function listDeployments(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const namespaces = await namespacesAllowed(req, ctx, (ns) => read(ns));
  const filter = compileListFilter(req.options.filter);
  const prefix = req.options.prefix;
  if (prefix) {
    const parsed = parseIdPrefix(prefix);
    if (!parsed.ok) throw serverError(parsed.error);
  }
  const { index, value } = await blockingRead(ctx.indexes, req.options, () => deploymentListPage(req, ctx, namespaces, filter), req.signal);
  return { index, body: value.page, ...(value.nextToken ? { nextToken: value.nextToken } : {}) };
}

/**
 * One page of the deployments, as the caches hold them now; by ID under a prefix, else by
 * CreateIndex (a walk in the order the view keeps, from `next_token`).
 */
function deploymentListPage(req: ApiRequest, ctx: RouteContext, namespaces: (ns: string) => boolean, filter: ((value: unknown) => boolean) | undefined) {
  const { view } = ctx;
  const prefix = req.options.prefix;
  if (prefix) {
    const all = view.deployments(req.options.namespace).filter((d) => namespaces(d.metadata.namespace ?? 'default'));
    const matching = (findByIdPrefix(all, (d) => d.metadata.uid ?? '', prefix) as { matches: NomadDeployment[] }).matches;
    const { page, nextToken } = paginate(
      matching.map((d) => view.nomadDeployment(d)),
      req.options,
      (d) => d.ID,
      filter,
    );
    return { index: ctx.indexes.get('deployments'), value: { page, nextToken } };
  }
  const listed = (key: string) => {
    const d = view.byKey('deployments', key);
    return d && namespaces(d.metadata.namespace ?? 'default') ? view.nomadDeployment(d) : undefined;
  };
  const { page, nextToken } = paginateOrdered(view.ordered('deployments', req.options.namespace), req.options, listed, filter);
  return { index: ctx.indexes.get('deployments'), value: { page, nextToken } };
}

async function deploymentAllocations(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  await req.authorize({ ...read(req.options.namespace), verb: 'get' }, { verb: 'list', group: '', resource: 'pods', namespace: req.options.namespace });
  const d = deploymentFor(view, req, false);
  return blockingAnswer(ctx.indexes, req, () => {
    if (!d) return { index: ctx.indexes.get('allocs'), value: [] };
    const pods = view.podsOfDeployment(d);
    const jobType = view.job(d.metadata.namespace ?? 'default', d.spec.job)?.spec.type ?? 'service';
    return { index: ctx.indexes.get('allocs'), value: allocationStubs(view, pods, jobType) };
  });
}

async function readDeployment(req: ApiRequest, ctx: RouteContext): Promise<ApiResponse> {
  const { view } = ctx;
  await req.authorize({ ...read(req.options.namespace), verb: 'get' });
  const d = deploymentFor(view, req, false);
  if (!d) throw new NomadHttpError(404, 'deployment not found');
  return blockingAnswer(ctx.indexes, req, () => {
    const current = view.deploymentByUid(d.metadata.uid ?? '') ?? d;
    const json = view.nomadDeployment(current);
    return { index: json.ModifyIndex, value: json };
  });
}
