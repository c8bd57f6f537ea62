import type { Route } from '../server.ts';
import { statusRoutes } from './status.ts';

/** Every route of the Nomad-compatible API. */
export const nomadApiRoutes: Route[] = [...statusRoutes];
