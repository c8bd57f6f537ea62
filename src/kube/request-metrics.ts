import {
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type KubeConfig,
} from '@kubernetes/client-node';

/** Called once per API request with its method, its HTTP status (or 'error' when none came back) and the server's host. */
export type RequestObserver = (method: string, code: number | 'error', host: string) => void;

/**
 * Makes every typed API client that `kc` creates from now on report its requests, for
 * rest_client_requests_total. client-node's middleware sees requests and responses separately,
 * so the count is taken one level lower, in the HTTP library the clients send through. The
 * configuration is otherwise the one client-node's own makeApiClient builds: the same server
 * and the kubeconfig as the authenticator. Watches (src/kube/informer.ts) are not counted here.
 */
export function observeRequests(kc: KubeConfig, observe: RequestObserver): void {
  const transport = new IsomorphicFetchHttpLibrary();
  const httpApi = wrapHttpLibrary({
    async send(request) {
      const method = request.getHttpMethod().toString();
      const host = new URL(request.getUrl()).host;
      try {
        const response = await transport.send(request).toPromise();
        observe(method, response.httpStatusCode, host);
        return response;
      } catch (error) {
        observe(method, 'error', host);
        throw error;
      }
    },
  });
  kc.makeApiClient = <T extends ApiType>(apiClientType: ApiConstructor<T>): T => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, httpApi }));
  };
}
