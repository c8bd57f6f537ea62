import type { KubeConfig } from '@kubernetes/client-node';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { parse as secureJsonParse } from 'secure-json-parse';
import { kubernetesErrorStatus } from '../../kube/api-error.ts';
import { silentLogger, type Logger } from '../../log/logger.ts';
import type { Access, Caller, KubernetesAccess } from '../kubernetes-access.ts';
import type { TableIndexes } from '../table-indexes.ts';
import type { CfView } from './cf-view.ts';
import { CfHttpError, cfErrors } from './errors.ts';

/** What every CF route reads from: the shared caches (through CfView) and the caller's rights. */
export interface CfApiContext {
  readonly kc: KubeConfig;
  readonly cf: CfView;
  readonly indexes: TableIndexes;
  readonly access: KubernetesAccess;
  readonly logger?: Logger;
}

export type CfMethod = 'GET' | 'POST' | 'PATCH';

export interface CfRequest {
  readonly params: Record<string, string>;
  /** The raw query string (CC splits list values before decoding them). */
  readonly search: string;
  readonly body: unknown;
  readonly caller: Caller;
  /** `<protocol>://<host>`, the base of every href. */
  readonly base: string;
  may(access: Access): Promise<boolean>;
  readonly signal: AbortSignal;
}

/** A route's answer: the status and the JSON body (none: an empty body, as cancel and continue). */
export interface CfResponse {
  readonly status: number;
  readonly body?: unknown;
}

export interface CfRoute {
  readonly method: CfMethod;
  readonly path: string;
  /** The root documents answer without a token, as CC's do. */
  readonly anonymous?: boolean;
  readonly handler: (req: CfRequest, ctx: CfApiContext) => Promise<CfResponse>;
}

function tokenOf(authorization: string | undefined): string | undefined {
  return authorization?.match(/^bearer\s+(.+)$/i)?.[1]?.trim() || undefined;
}

/**
 * The Cloud Foundry v3 API as a fastify app, beside the Nomad one and over the same caches:
 * bearer Kubernetes tokens (TokenReview), a SubjectAccessReview per request, and CC's error
 * envelope for every failure, including unknown routes and bodies that are not JSON.
 */
export async function buildCfApi(ctx: CfApiContext, routes: readonly CfRoute[], tls?: { cert: string; key: string }): Promise<FastifyInstance> {
  const logger = ctx.logger ?? silentLogger;
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    bodyLimit: 1024 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    loggerInstance: logger.child({ component: 'cf-api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const send = (reply: import('fastify').FastifyReply, error: CfHttpError) =>
    reply.code(error.status).type('application/json').send(JSON.stringify(error.body));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof CfHttpError) return send(reply, error);
    const status = kubernetesErrorStatus(error);
    if (status?.code === 403) return send(reply, cfErrors.notAuthorized());
    if (error.statusCode === 400 || error.statusCode === 415) return send(reply, cfErrors.messageParseError());
    logger.error({ err: error, url: request.url }, 'cf api request failed');
    return send(reply, cfErrors.unknown());
  });
  app.setNotFoundHandler((_request, reply) => send(reply, cfErrors.unknownRequest()));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, secureJsonParse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(cfErrors.messageParseError(), undefined);
    }
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        let caller: Caller = { username: 'system:anonymous', groups: [] };
        if (!route.anonymous) {
          const token = tokenOf(request.headers.authorization);
          if (!token) throw cfErrors.notAuthenticated();
          const known = await ctx.access.authenticate(token);
          if (!known) throw cfErrors.invalidAuthToken();
          caller = known;
        }
        const abort = new AbortController();
        request.raw.once('close', () => abort.abort());
        const at = request.url.indexOf('?');
        const answer = await route.handler(
          {
            params: request.params as Record<string, string>,
            search: at < 0 ? '' : request.url.slice(at + 1),
            body: request.body,
            caller,
            base: `${request.protocol}://${request.host}`,
            may: (access) => ctx.access.allowed(caller, access),
            signal: abort.signal,
          },
          ctx,
        );
        reply.code(answer.status);
        if (answer.body === undefined) return reply.send();
        return reply.type('application/json').send(JSON.stringify(answer.body));
      },
    });
  }
  return app;
}

export interface RunningCfApi {
  readonly port: number;
  close(): Promise<void>;
}

export async function startCfApi(
  ctx: CfApiContext,
  routes: readonly CfRoute[],
  opts: { port: number; host?: string; tls?: { cert: string; key: string } },
): Promise<RunningCfApi> {
  const app = await buildCfApi(ctx, routes, opts.tls);
  await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}
