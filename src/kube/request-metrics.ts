import type { KubeConfig } from '@kubernetes/client-node';
import { pooledTransport, type RequestObserver } from './http-transport.ts';

export type { RequestObserver } from './http-transport.ts';

/**
 * Makes every typed API client that `kc` creates from now on report its requests, for
 * rest_client_requests_total. client-node's middleware sees requests and responses separately,
 * so the count is taken one level lower, in the HTTP library the clients send through.
 * Watches (src/kube/informer.ts) are not counted here.
 */
export function observeRequests(kc: KubeConfig, observe: RequestObserver): void {
  pooledTransport(kc).observers.add(observe);
}
