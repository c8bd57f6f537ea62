/**
 * Calling the Nomad API's route handlers in process over a MemoryCluster: a request as the
 * server would hand it to a route (every access allowed), and the route context.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { defaultControllerWait } from '../../../src/api/await-controller.ts';
import { ClusterView } from '../../../src/api/cluster-view.ts';
import type { KubernetesAccess } from '../../../src/api/kubernetes-access.ts';
import { parseQueryOptions } from '../../../src/api/query-options.ts';
import { allocationRoutes } from '../../../src/api/routes/allocations.ts';
import { deploymentRoutes } from '../../../src/api/routes/deployments.ts';
import { evaluationRoutes } from '../../../src/api/routes/evaluations.ts';
import { jobRoutes } from '../../../src/api/routes/jobs.ts';
import type { RouteContext, RouteTable } from '../../../src/api/routes/route-table.ts';
import type { ApiRequest, ApiResponse } from '../../../src/api/server.ts';
import { TableIndexes } from '../../../src/api/table-indexes.ts';
import type { MemoryCluster } from './memory-cluster.ts';

export function routeContext(cluster: MemoryCluster, view = new ClusterView(cluster)): RouteContext {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'none', server: 'https://127.0.0.1:1', skipTLSVerify: true }, { name: 'none' });
  return {
    kc,
    cluster,
    indexes: new TableIndexes(cluster),
    access: {} as KubernetesAccess,
    knownLeader: () => true,
    view,
    controllerWait: defaultControllerWait,
  };
}

const tables: readonly RouteTable[] = [jobRoutes, deploymentRoutes, allocationRoutes, evaluationRoutes];

/** GETs `path` (with its query) from the job, deployment, allocation and evaluation routes. */
export async function get(ctx: RouteContext, pathAndQuery: string): Promise<ApiResponse & { body: unknown }> {
  const url = new URL(pathAndQuery, 'http://nomad');
  const query = Object.fromEntries(url.searchParams);
  for (const table of tables) {
    for (const [pattern, methods] of Object.entries(table)) {
      const names: string[] = [];
      const re = new RegExp(
        `^${pattern.replace(/:(\w+)/g, (_m, name: string) => {
          names.push(name);
          return '([^/]+)';
        })}$`,
      );
      const match = re.exec(url.pathname);
      if (!match || !methods.GET) continue;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]));
      const req: ApiRequest = {
        method: 'GET',
        params,
        query,
        options: parseQueryOptions(query),
        body: undefined,
        caller: { username: 'test', groups: [] },
        authorize: async () => {},
        may: async () => true,
        signal: new AbortController().signal,
      };
      return methods.GET(req, ctx) as Promise<ApiResponse & { body: unknown }>;
    }
  }
  throw new Error(`no route for ${url.pathname}`);
}
