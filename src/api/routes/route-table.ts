import type { ControllerWait } from '../await-controller.ts';
import type { ClusterView } from '../cluster-view.ts';
import type { ApiRequest, ApiResponse, Method, NomadApiContext, Route } from '../server.ts';

/** What a Nomad route's handler reads from: the server's context, the view over the caches, and how long a write waits. */
export interface RouteContext extends NomadApiContext {
  readonly view: ClusterView;
  /** How long a deployment write waits for the controller to carry it out. */
  readonly controllerWait: ControllerWait;
}

export type RouteHandler = (req: ApiRequest, ctx: RouteContext) => Promise<ApiResponse>;

/** A route file's export: path → method → handler; methods not listed answer 405 `Invalid method`. */
export type RouteTable = Readonly<Record<string, Partial<Record<Method, RouteHandler>>>>;

/** The tables as the server's routes, in their order, each handler given the view and the controller wait. */
export function routesOf(tables: readonly RouteTable[], view: ClusterView, controllerWait: ControllerWait): Route[] {
  const withView =
    (handler: RouteHandler) =>
    (req: ApiRequest, ctx: NomadApiContext): Promise<ApiResponse> =>
      handler(req, { ...ctx, view, controllerWait });
  return tables.flatMap((table) =>
    Object.entries(table).map(([path, methods]) => ({
      path,
      methods: Object.fromEntries(Object.entries(methods).map(([method, handler]) => [method, withView(handler)])),
    })),
  );
}
