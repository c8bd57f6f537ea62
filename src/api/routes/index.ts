import { defaultControllerWait } from '../await-controller.ts';
import type { ClusterView } from '../cluster-view.ts';
import type { Route } from '../server.ts';
import { allocationRoutes } from './allocations.ts';
import { childJobRoutes } from './child-jobs.ts';
import { clientAllocationRoutes } from './client-allocations.ts';
import { deploymentRoutes } from './deployments.ts';
import { deploymentWriteRoutes, type DeploymentWriteOptions } from './deployment-writes.ts';
import { evaluationRoutes } from './evaluations.ts';
import { scaleRoutes } from './scale.ts';
import { jobRoutes } from './jobs.ts';
import { routesOf } from './route-table.ts';
import { statusRoutes } from './status.ts';

/** What the routes can be tuned with (tests shorten the wait for the controller). */
export type NomadApiRouteOptions = DeploymentWriteOptions;

/** Every route of the Nomad-compatible API. */
export function nomadApiRoutes(view: ClusterView, options: NomadApiRouteOptions = {}): Route[] {
  const tables = [
    statusRoutes,
    jobRoutes,
    childJobRoutes,
    deploymentRoutes,
    deploymentWriteRoutes,
    allocationRoutes,
    evaluationRoutes,
    clientAllocationRoutes,
    scaleRoutes,
  ];
  return routesOf(tables, view, options.controllerWait ?? defaultControllerWait);
}
