import { KubeConfig } from '@kubernetes/client-node';
import type { ApiServerLocation } from './api-error.ts';

/** Loads a kubeconfig from a file, or from KUBECONFIG / in-cluster defaults when none is given. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${file ?? process.env['KUBECONFIG'] ?? '(default)'} has no current cluster`);
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
