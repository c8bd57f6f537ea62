import { dump } from 'js-yaml';
import type { ClusterPki } from './pki.ts';

/** The admin kubeconfig of a local cluster: client-certificate auth, CA pinned, absolute paths. */
export function renderAdminKubeconfig(server: string, pki: ClusterPki, name = 'caravan-local'): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority': pki.caCert } }],
    // client-node skips the cluster CA when the context has no user, so there always is one.
    users: [{ name: `${name}-admin`, user: { 'client-certificate': pki.adminCert, 'client-key': pki.adminKey } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': name,
    preferences: {},
  });
}
