import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiServerLocation } from './api-error.ts';
import { pooledTransport } from './http-transport.ts';

/** Loads a kubeconfig from a file, or from KUBECONFIG / in-cluster defaults when none is given. */
/** What to run when there is no cluster to talk to (issue 16: say what was tried, and what to do). */
const noClusterHint =
  'Start the local cluster with `npm start` (or `caravan cluster up`) and run `eval "$(caravan cluster env)"`, or set KUBECONFIG to the kubeconfig of your cluster.';

export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) {
    if (!existsSync(file)) throw new Error(`the kubeconfig ${file} does not exist. ${noClusterHint}`);
    kc.loadFromFile(file);
  } else {
    // Without these client-node quietly falls back to http://localhost:8080, and the first call fails
    // with "HTTP protocol is not allowed when skipTLSVerify is not set", which says nothing useful.
    const home = path.join(os.homedir(), '.kube', 'config');
    const env = process.env['KUBECONFIG'];
    if (!env && !process.env['KUBERNETES_SERVICE_HOST'] && !existsSync(home)) {
      throw new Error(`no cluster: KUBECONFIG is not set, ${home} does not exist, and this is not a Pod. ${noClusterHint}`);
    }
    const missing = env?.split(path.delimiter).filter((f) => f !== '' && !existsSync(f)) ?? [];
    if (env && missing.length === env.split(path.delimiter).filter((f) => f !== '').length) {
      throw new Error(`KUBECONFIG=${env}: ${missing.join(', ')} does not exist. ${noClusterHint}`);
    }
    kc.loadFromDefault();
  }
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${file ?? process.env['KUBECONFIG'] ?? '(default)'} has no current cluster`);
  // Typed clients share keep-alive connections (http-transport.ts).
  pooledTransport(kc);
  return kc;
}

// Errors from the client, told as the API server tells them (issue 11).
export {
  apiErrorCode,
  explainKubernetesError,
  formatKubernetesError,
  kubernetesErrorStatus,
  KubernetesError,
  type ApiServerLocation,
  type KubernetesErrorStatus,
} from './api-error.ts';

/** Where kc sends its requests, and which kubeconfig said so (none: the in-cluster service account). */
export function apiServerLocation(kc: KubeConfig, file?: string): ApiServerLocation {
  const server = kc.getCurrentCluster()?.server;
  const kubeconfig = file ?? process.env['KUBECONFIG'];
  return { ...(server ? { server } : {}), ...(kubeconfig ? { kubeconfig } : {}) };
}
