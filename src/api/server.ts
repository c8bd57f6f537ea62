import type { KubeConfig } from '@kubernetes/client-node';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { parse as secureJsonParse } from 'secure-json-parse';
import { formatKubernetesError, kubernetesErrorStatus } from '../kube/api-error.ts';
import type { ClusterCaches } from '../kube/cluster-caches.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { NomadHttpError, forbidden } from './http-error.ts';
import type { Access, Caller, KubernetesAccess } from './kubernetes-access.ts';
import { parseQueryOptions, type QueryOptions } from './query-options.ts';
import type { TableIndexes } from './table-indexes.ts';

/** What every route reads from: the caches, the table indexes, and the caller's rights. */
export interface NomadApiContext {
  readonly kc: KubeConfig;
  readonly cluster: ClusterCaches;
  readonly indexes: TableIndexes;
  readonly access: KubernetesAccess;
  /** Whether some replica holds the leader Lease (X-Nomad-KnownLeader). */
  readonly knownLeader: () => boolean;
  readonly logger?: Logger;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One request as a route sees it. */
export interface ApiRequest {
  readonly method: Method;
  readonly params: Record<string, string>;
  readonly query: Record<string, string | undefined>;
  readonly options: QueryOptions;
  readonly body: unknown;
  readonly caller: Caller;
  /** Throws 403 unless Kubernetes RBAC allows every one of these to the caller. */
  authorize(...access: Access[]): Promise<void>;
  /** Whether RBAC allows it (for filtering lists across namespaces). */
  may(access: Access): Promise<boolean>;
  readonly signal: AbortSignal;
}

/** A route's answer: the body, and for reads the index for X-Nomad-Index. */
export interface ApiResponse {
  readonly body: unknown;
  readonly index?: number;
  readonly nextToken?: string;
}

export type Handler = (req: ApiRequest, ctx: NomadApiContext) => Promise<ApiResponse>;

/** A path and what each method does there; methods not listed answer 405 `Invalid method`. */
export interface Route {
  readonly path: string;
  readonly methods: Partial<Record<Method, Handler>>;
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-nomad-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  return bearer || undefined;
}

/**
 * The Nomad-compatible HTTP API as a fastify app. Every request needs a Kubernetes token (no
 * anonymous access), every route authorizes against Kubernetes RBAC, errors are Nomad's plain
 * text with Nomad's status codes, and JSON bodies are parsed with prototype poisoning refused
 * (`parseRequestJson`).
 */
export async function buildNomadApi(ctx: NomadApiContext, routes: readonly Route[], tls?: { cert: string; key: string }): Promise<FastifyInstance> {
  const logger = ctx.logger ?? silentLogger;
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    bodyLimit: 4 * 1024 * 1024,
    requestTimeout: 6 * 60_000, // above the 5-minute maximum of a blocking query
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    loggerInstance: logger.child({ component: 'nomad-api' }) as FastifyBaseLogger,
    // Requests are not logged one by one (a blocking query is a request every few minutes per client).
    logController: new LogController({ disableRequestLogging: true }),
  });
  answerErrorsAsNomad(app, logger);
  readEveryBodyAsJson(app);
  for (const route of routes) app.all(route.path, (request, reply) => serveRoute(ctx, route, request, reply));
  return app;
}

/** Nomad's errors: plain text with Nomad's status codes; an unknown path is 404 `Invalid URL`. */
function answerErrorsAsNomad(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof NomadHttpError) return reply.code(error.status).type('text/plain').send(error.message);
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).type('text/plain').send(error.message);
    logger.error({ err: error, url: request.url }, 'nomad api request failed');
    // A Kubernetes client error is the API server's Status on one line, never the client's dump with headers.
    const status = kubernetesErrorStatus(error);
    return reply
      .code(500)
      .type('text/plain')
      .send(status ? formatKubernetesError(status) : error.message);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain').send('Invalid URL'));
}

/** Nomad's clients send bodies without (or with odd) content types: read any body as JSON. */
function readEveryBodyAsJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseRequestJson(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** One request to a route: the method's handler (PUT is POST where the route has no PUT), the caller, then the handler's answer. */
async function serveRoute(ctx: NomadApiContext, route: Route, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const method = request.method as Method;
  const handler = route.methods[method === 'PUT' && !route.methods.PUT ? 'POST' : method];
  if (!handler) throw new NomadHttpError(405, 'Invalid method');
  const caller = await authenticate(ctx, request);
  const response = await handler(apiRequest(ctx, request, method, caller), ctx);
  return sendAnswer(ctx, reply, method, response);
}

/** The caller behind the request's token: 403 without a token, or with one Kubernetes does not know. */
async function authenticate(ctx: NomadApiContext, request: FastifyRequest): Promise<Caller> {
  const token = tokenOf(request);
  if (!token) throw forbidden();
  const caller = await ctx.access.authenticate(token);
  if (!caller) throw new NomadHttpError(403, 'ACL token not found');
  return caller;
}

/** The request as a route sees it; its signal aborts when the client goes away (ending a blocking query). */
function apiRequest(ctx: NomadApiContext, request: FastifyRequest, method: Method, caller: Caller): ApiRequest {
  const query = request.query as Record<string, string | undefined>;
  const abort = new AbortController();
  request.raw.once('close', () => abort.abort());
  return {
    method,
    params: request.params as Record<string, string>,
    query,
    options: parseQueryOptions(query),
    body: request.body,
    caller,
    async authorize(...access) {
      for (const a of access) if (!(await ctx.access.allowed(caller, a))) throw forbidden();
    },
    may: (access) => ctx.access.allowed(caller, access),
    signal: abort.signal,
  };
}

/** The answer as JSON, with Nomad's query-meta headers (X-Nomad-Index, and on reads KnownLeader and LastContact). */
function sendAnswer(ctx: NomadApiContext, reply: FastifyReply, method: Method, response: ApiResponse): FastifyReply {
  if (response.index !== undefined) {
    reply.header('X-Nomad-Index', String(response.index));
    if (method === 'GET') {
      reply.header('X-Nomad-KnownLeader', String(ctx.knownLeader()));
      reply.header('X-Nomad-LastContact', '0');
    }
  }
  if (response.nextToken) reply.header('X-Nomad-NextToken', response.nextToken);
  return reply
    .code(200)
    .type('application/json')
    .send(JSON.stringify(response.body ?? null));
}

/** What fastify's own JSON parser does with `onProtoPoisoning` and `onConstructorPoisoning` at 'error'. */
const refusePoisoning = { protoAction: 'error', constructorAction: 'error' } as const;

/** secure-json-parse's message when it refuses a body for poisoning (its syntax errors are JSON.parse's). */
const poisoningMessage = 'Object contains forbidden prototype property';

/**
 * A request body, parsed as fastify parses JSON (secure-json-parse): refused are only the keys
 * that would reach Object.prototype when the value is merged, `__proto__` anywhere and a
 * `constructor` whose object has a `prototype` key. Nomad takes any map key, so a Meta key named
 * `constructor` or `prototype` is kept (issue 11 §5). Errors are Nomad's: 400 with plain text.
 */
export function parseRequestJson(text: string): unknown {
  try {
    return secureJsonParse(text, refusePoisoning);
  } catch (error) {
    const message = (error as Error).message;
    if (message !== poisoningMessage) throw new NomadHttpError(400, message);
    throw new NomadHttpError(
      400,
      'invalid JSON: a "__proto__" key, or a "constructor" object with a "prototype" key, would reach Object.prototype; rename the key',
    );
  }
}

export interface RunningNomadApi {
  readonly port: number;
  close(): Promise<void>;
}

export async function startNomadApi(
  ctx: NomadApiContext,
  routes: readonly Route[],
  opts: { port: number; host?: string; tls?: { cert: string; key: string } },
): Promise<RunningNomadApi> {
  const app = await buildNomadApi(ctx, routes, opts.tls);
  await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}
