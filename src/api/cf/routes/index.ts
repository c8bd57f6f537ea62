import type { CfRoute } from '../server.ts';
import { appRoutes } from './apps.ts';
import { deploymentActionRoutes } from './deployment-actions.ts';
import { deploymentRoutes } from './deployments.ts';
import { rootRoutes } from './root.ts';

/** Every route of the Cloud Foundry v3 view. */
export const cfApiRoutes: readonly CfRoute[] = [...rootRoutes, ...deploymentRoutes, ...deploymentActionRoutes, ...appRoutes];
