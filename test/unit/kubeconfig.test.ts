import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderAdminKubeconfig } from '../../src/cluster/kubeconfig.ts';
import { pkiPaths } from '../../src/cluster/pki.ts';

describe('admin kubeconfig', () => {
  it('is read by client-node as a client-certificate user with the cluster CA', () => {
    const kc = new KubeConfig();
    kc.loadFromString(renderAdminKubeconfig('https://127.0.0.1:6443', pkiPaths('/x/pki')));
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://127.0.0.1:6443', caFile: '/x/pki/ca.crt' });
    expect(kc.getCurrentUser()).toMatchObject({ certFile: '/x/pki/admin.crt', keyFile: '/x/pki/admin.key' });
  });
});
