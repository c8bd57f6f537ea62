import { KubeConfig } from '@kubernetes/client-node';

/** Loads a kubeconfig from a file, or from KUBECONFIG / in-cluster defaults when none is given. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${file ?? process.env['KUBECONFIG'] ?? '(default)'} has no current cluster`);
  return kc;
}

/** The HTTP status of a failed client-node call, if it was an API error. */
export function apiErrorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
