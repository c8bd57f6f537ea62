import {
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type KubeConfig,
  type RequestContext,
} from '@kubernetes/client-node';
import type https from 'node:https';
import { Agent } from 'undici';
import { TokenBucket } from './token-bucket.ts';

/** Called once per API request with its method, its HTTP status (or 'error' when none came back) and the server's host. */
export type RequestObserver = (method: string, code: number | 'error', host: string) => void;

interface PooledTransport {
  readonly observers: Set<RequestObserver>;
  /** client-go's client-side rate limit; none until `limitRequests` sets one. */
  limit: TokenBucket | undefined;
}

const transports = new WeakMap<KubeConfig, PooledTransport>();

/**
 * Makes every typed API client `kc` creates from now on send through one pool of keep-alive
 * connections per TLS identity. client-node 2.0 builds a new undici Agent for every request, so
 * each request paid a TCP and TLS handshake: about 9 ms more per request on the local cluster
 * (11.6 ms against 2.1 ms for a GET), which every sequential write of a reconcile waited for, and
 * CPU on both sides. The configuration is otherwise the one client-node's own makeApiClient
 * builds: the same server and the kubeconfig as the authenticator (which still sets the headers
 * of each request, so rotated tokens are used). Idempotent: a kubeconfig is wrapped once.
 */
export function pooledTransport(kc: KubeConfig): PooledTransport {
  const existing = transports.get(kc);
  if (existing) return existing;
  const transport: PooledTransport = { observers: new Set(), limit: undefined };
  transports.set(kc, transport);
  const fetchLibrary = new IsomorphicFetchHttpLibrary();
  const pools = new Map<string, Agent>();
  const httpApi = wrapHttpLibrary({
    async send(request) {
      const method = request.getHttpMethod().toString();
      const host = new URL(request.getUrl()).host;
      await transport.limit?.take();
      await usePool(kc, pools, request);
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
    return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, httpApi }));
  };
  return transport;
}

/**
 * Sends the request through the pool for its TLS options (a client certificate that changes gets
 * a pool of its own). Proxies keep client-node's own per-request dispatcher.
 */
async function usePool(kc: KubeConfig, pools: Map<string, Agent>, request: RequestContext): Promise<void> {
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const options = kc.createDispatcherOptions(kc.getCurrentCluster(), {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  });
  if (options.type !== 'agent') return;
  const key = JSON.stringify(options.connect);
  let pool = pools.get(key);
  if (!pool) {
    // client-node types the connect options with properties that may be undefined; undici's are the same options.
    pool = new Agent({ connect: options.connect as NonNullable<Agent.Options['connect']> });
    pools.set(key, pool);
  }
  request.setDispatcher(pool);
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
