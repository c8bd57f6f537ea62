import {
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type Cluster,
  type KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
  type User,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type https from 'node:https';
import { Agent } from 'undici';
import { packageVersion } from '../package-version.ts';
import { TokenBucket } from './token-bucket.ts';

/** Called once per API request with its method, its HTTP status (or 'error' when none came back) and the server's host. */
export type RequestObserver = (method: string, code: number | 'error', host: string) => void;

export interface PooledTransport {
  readonly observers: Set<RequestObserver>;
  /** client-go's client-side rate limit; none until `limitRequests` sets one. */
  limit: TokenBucket | undefined;
  /** The kubeconfig's authentication, sending through the pool (pooledAuthentication). */
  readonly authentication: SecurityAuthentication;
}

const transports = new WeakMap<KubeConfig, PooledTransport>();

/**
 * Makes every typed API client `kc` creates from now on send through one pool of keep-alive
 * connections per TLS identity. client-node 2.0 builds a new undici Agent for every request, so
 * each request paid a TCP and TLS handshake: about 9 ms more per request on the local cluster
 * (11.6 ms against 2.1 ms for a GET), which every sequential write of a reconcile waited for, and
 * CPU on both sides. The configuration is otherwise the one client-node's own makeApiClient
 * builds: the same server, and the kubeconfig's authentication (pooledAuthentication). Idempotent:
 * a kubeconfig is wrapped once.
 */
export function pooledTransport(kc: KubeConfig): PooledTransport {
  const existing = transports.get(kc);
  if (existing) return existing;
  const pools = new Map<string, Agent>();
  const transport: PooledTransport = { observers: new Set(), limit: undefined, authentication: pooledAuthentication(kc, pools) };
  transports.set(kc, transport);
  const fetchLibrary = new IsomorphicFetchHttpLibrary();
  const httpApi = wrapHttpLibrary({
    async send(request) {
      const method = request.getHttpMethod().toString();
      const host = new URL(request.getUrl()).host;
      await transport.limit?.take();
      try {
        const response = await fetchLibrary.send(request).toPromise();
        for (const observe of transport.observers) observe(method, response.httpStatusCode, host);
        return response;
      } catch (error) {
        for (const observe of transport.observers) observe(method, 'error', host);
        throw error;
      }
    },
  });
  kc.makeApiClient = <T extends ApiType>(apiClientType: ApiConstructor<T>): T => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return new apiClientType(
      createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: transport.authentication }, httpApi }),
    );
  };
  return transport;
}

/**
 * How long a kubeconfig's credentials, once read, are used before they are read again: its TLS
 * files (CA, client certificate and key) and a token file. They were read for every request, three
 * file reads and a SHA-256 of all three in the event loop: 7% of the controller's CPU during a
 * 1,000-job register. client-go reads a token file once a minute and a rotating client
 * certificate every few; 10 s keeps a rotation's lag shorter than either.
 */
export const credentialRefreshMs = 10_000;

/** What every request of one kubeconfig user carries: its headers, and the pool for its TLS identity. */
interface Identity {
  readonly headers: readonly (readonly [string, string])[];
  readonly pool: Agent | undefined;
}

/**
 * The kubeconfig's authentication (its headers: a bearer token, an exec plugin's or the in-cluster
 * token; basic auth) and the `User-Agent` Caravan's requests carry, sending through the pool for its
 * TLS options: a client certificate that changes gets a pool of its own. Credentials that come from
 * the kubeconfig and files alone are read once per `credentialRefreshMs`; an exec plugin or another
 * auth provider is asked on every request, as client-node does (each keeps its credential until it
 * expires). A proxy keeps client-node's own per-request dispatcher.
 */
export function pooledAuthentication(kc: KubeConfig, pools: Map<string, Agent>, now: () => number = Date.now): SecurityAuthentication {
  let remembered: { readonly user: User | null; readonly cluster: Cluster | null; readonly at: number; readonly identity: Promise<Identity> } | undefined;
  const current = (): Promise<Identity> => {
    const user = kc.getCurrentUser();
    const cluster = kc.getCurrentCluster();
    if (remembered && remembered.user === user && remembered.cluster === cluster && now() - remembered.at < credentialRefreshMs) return remembered.identity;
    const identity = readIdentity(kc, pools);
    if (rememberable(user)) {
      const entry = { user, cluster, at: now(), identity };
      remembered = entry;
      // A failed read (a file missing for a moment) is not kept: the next request reads again.
      identity.catch(() => {
        if (remembered === entry) remembered = undefined;
      });
    }
    return identity;
  };
  return {
    getName: () => 'kubeconfig authentication, pooled connections',
    async applySecurityAuthentication(context: RequestContext): Promise<void> {
      if (kc.getCurrentCluster()?.proxyUrl) return kc.applySecurityAuthentication(context);
      const { headers, pool } = await current();
      for (const [name, value] of headers) context.setHeaderParam(name, value);
      if (pool) context.setDispatcher(pool);
    },
  };
}

/** Whether a user's credentials come from the kubeconfig and files alone: no exec plugin, no auth provider but a token file. */
function rememberable(user: User | null): boolean {
  if (!user || user.exec) return false;
  return user.authProvider === undefined || (user.authProvider.name === 'tokenFile' && user.authProvider.config?.['tokenFile'] !== undefined);
}

/** Reads the current user's credentials as client-node applies them, and finds the pool for its TLS identity. */
async function readIdentity(kc: KubeConfig, pools: Map<string, Agent>): Promise<Identity> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const user = kc.getCurrentUser();
  const headers: [string, string][] = [['User-Agent', userAgent()]];
  if (user?.username) headers.push(['Authorization', `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`]);
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers.push([name, `${value}`]);
  const tls = {
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
    ...(opts.key !== undefined ? { key: opts.key } : {}),
    ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
    ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
  };
  const options = kc.createDispatcherOptions(kc.getCurrentCluster(), tls);
  if (options.type !== 'agent') return { headers, pool: undefined };
  const key = tlsIdentity(tls);
  let pool = pools.get(key);
  if (!pool) {
    // client-node types the connect options with properties that may be undefined; undici's are the same options.
    pool = new Agent({ connect: options.connect as NonNullable<Agent.Options['connect']> });
    pools.set(key, pool);
  }
  return { headers, pool };
}

let agent: string | undefined;
/**
 * `caravan/<version>`: the API server names the field manager of a write without one after it, and
 * audit logs show it. A package.json that cannot be read leaves the version out rather than fail
 * every request over a header.
 */
function userAgent(): string {
  if (agent === undefined) {
    try {
      agent = `caravan/${packageVersion()}`;
    } catch {
      agent = 'caravan';
    }
  }
  return agent;
}

/** A digest of the TLS options, so that the same certificates find the same pool. */
function tlsIdentity(tls: Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>): string {
  const hash = createHash('sha256');
  for (const part of [tls.ca, tls.cert, tls.key]) hash.update(part === undefined ? '-' : Buffer.isBuffer(part) ? part : String(part)).update('\0');
  return `${hash.digest('hex')}/${String(tls.rejectUnauthorized)}/${tls.servername ?? ''}`;
}

/**
 * Limits the requests of `kc`'s typed clients to `qps` a second with bursts of `burst`, as
 * client-go's --kube-api-qps and --kube-api-burst do for Kubernetes' own controllers, so a
 * controller catching up with thousands of jobs cannot flood the API server. Watches are not
 * limited.
 */
export function limitRequests(kc: KubeConfig, qps: number, burst: number): void {
  pooledTransport(kc).limit = new TokenBucket(qps, burst);
}
