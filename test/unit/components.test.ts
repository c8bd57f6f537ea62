import { describe, expect, it } from 'vitest';
import { binaryPaths } from '../../src/cluster/binaries.ts';
import { controlPlaneComponents, type ComponentSpec } from '../../src/cluster/components.ts';
import { clusterLayout } from '../../src/cluster/layout.ts';
import { pkiPaths } from '../../src/cluster/pki.ts';

const layout = clusterLayout('/tmp/c');
const components = controlPlaneComponents({
  layout,
  pki: pkiPaths(layout.pkiDir),
  ports: { etcdClient: 1001, etcdPeer: 1002, apiserver: 1003, controllerManager: 1004, scheduler: 1005, kwok: 1006 },
  binaries: binaryPaths('/cache', { kubernetes: 'v1.34.4', etcd: 'v3.6.16', kwok: 'v0.8.0' }),
  kwokStagesFile: '/repo/scripts/kwok-stages.yaml',
});
const byName = (name: string): ComponentSpec => components.find((c) => c.name === name)!;
const flag = (name: string, key: string) =>
  byName(name)
    .args.find((a) => a.startsWith(`--${key}=`))
    ?.split('=')
    .slice(1)
    .join('=');

describe('control-plane command lines', () => {
  it('starts etcd first, then the API server, then the rest together', () => {
    expect(components.map((c) => [c.name, c.tier])).toEqual([
      ['etcd', 0],
      ['kube-apiserver', 1],
      ['kube-controller-manager', 2],
      ['kube-scheduler', 2],
      ['kwok', 2],
    ]);
  });

  it.each([
    { component: 'etcd', key: 'listen-client-urls', value: 'http://127.0.0.1:1001' },
    { component: 'kube-apiserver', key: 'bind-address', value: '127.0.0.1' },
    { component: 'kube-apiserver', key: 'authorization-mode', value: 'Node,RBAC' },
    { component: 'kube-apiserver', key: 'etcd-servers', value: 'http://127.0.0.1:1001' },
    { component: 'kube-apiserver', key: 'client-ca-file', value: '/tmp/c/pki/ca.crt' },
    { component: 'kube-controller-manager', key: 'bind-address', value: '127.0.0.1' },
    { component: 'kube-controller-manager', key: 'controllers', value: '*' },
    { component: 'kube-scheduler', key: 'kubeconfig', value: '/tmp/c/kubeconfig' },
    { component: 'kwok', key: 'config', value: '/repo/scripts/kwok-stages.yaml' },
    { component: 'kwok', key: 'manage-all-nodes', value: 'true' },
    // pods/exec: nodes point the API server at kwok's own server, on loopback.
    { component: 'kwok', key: 'node-ip', value: '127.0.0.1' },
    { component: 'kwok', key: 'node-port', value: '1006' },
    { component: 'kube-apiserver', key: 'kubelet-preferred-address-types', value: 'InternalIP' },
  ])('$component --$key=$value', ({ component, key, value }) => {
    expect(flag(component, key)).toBe(value);
  });

  it('probes the API server with the admin client certificate, on loopback', () => {
    expect(byName('kube-apiserver').health).toEqual({ kind: 'https', url: 'https://127.0.0.1:1003/readyz', clientCert: true });
  });

  it("runs kwok's exec with only the stand-in commands on its PATH: a simulated container's kill never reaches this machine", () => {
    expect(byName('kwok').env).toEqual({ PATH: '/repo/scripts/kwok-exec', CARAVAN_KWOK_EXEC_LOG: '/tmp/c/logs/kwok-exec.log' });
  });

  it('runs the binaries of the pinned versions from the cache', () => {
    expect(byName('kube-apiserver').binary).toBe('/cache/k8s-v1.34.4/bin/kube-apiserver');
    expect(byName('etcd').binary).toBe('/cache/etcd-v3.6.16/bin/etcd');
    expect(byName('kwok').binary).toBe('/cache/kwok-v0.8.0/bin/kwok');
  });
});
