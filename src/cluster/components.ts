import path from 'node:path';
import type { ControlPlaneBinaries } from './binaries.ts';
import type { ClusterLayout } from './layout.ts';
import type { ClusterPki } from './pki.ts';

/** Loopback ports a local cluster listens on; chosen once and kept in cluster.json. */
export interface ClusterPorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
}

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

/** How a component proves it is up. */
export type HealthProbe =
  | { readonly kind: 'http'; readonly url: string }
  /** HTTPS with the cluster CA; `clientCert` when the endpoint needs an authenticated caller. */
  | { readonly kind: 'https'; readonly url: string; readonly clientCert: boolean }
  /** HTTPS with a self-signed serving certificate nobody can pin (kcm, scheduler). */
  | { readonly kind: 'https-insecure'; readonly url: string };

export interface ComponentSpec {
  readonly name: ComponentName;
  readonly binary: string;
  readonly args: readonly string[];
  readonly health: HealthProbe;
  /** Start order: a component starts once every lower tier is healthy. */
  readonly tier: number;
  /** Environment variables set on top of the caller's. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ControlPlaneInputs {
  readonly layout: ClusterLayout;
  readonly pki: ClusterPki;
  readonly ports: ClusterPorts;
  readonly binaries: ControlPlaneBinaries;
  readonly kwokStagesFile: string;
}

const loopback = '127.0.0.1';

/** The command lines of the five control-plane processes (pure: paths and ports in, argv out). */
export function controlPlaneComponents(inputs: ControlPlaneInputs): ComponentSpec[] {
  return [etcd(inputs), kubeApiserver(inputs), kubeControllerManager(inputs), kubeScheduler(inputs), kwok(inputs)];
}

const etcdUrl = (ports: ClusterPorts) => `http://${loopback}:${ports.etcdClient}`;

// kcm and the scheduler serve /healthz on their own self-signed certificates; letting anyone
// read the probe paths keeps status checks free of delegated authn round-trips.
const alwaysAllow = '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics';

/** kcm's and the scheduler's kubeconfig, for their own calls and for delegated authn and authz. */
const delegated = (layout: ClusterLayout) => [
  `--kubeconfig=${layout.kubeconfig}`,
  `--authentication-kubeconfig=${layout.kubeconfig}`,
  `--authorization-kubeconfig=${layout.kubeconfig}`,
];

/** etcd: one member, a throwaway store. */
function etcd(inputs: ControlPlaneInputs): ComponentSpec {
  const { layout, ports, binaries } = inputs;
  const peerUrl = `http://${loopback}:${ports.etcdPeer}`;
  return {
    name: 'etcd',
    binary: binaries.etcd,
    tier: 0,
    health: { kind: 'http', url: `${etcdUrl(ports)}/health` },
    args: [
      '--name=caravan',
      `--data-dir=${layout.etcdDataDir}`,
      `--listen-client-urls=${etcdUrl(ports)}`,
      `--advertise-client-urls=${etcdUrl(ports)}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=caravan=${peerUrl}`,
      // A throwaway test store: durability is not worth an fsync per write on a 2-core box.
      '--unsafe-no-fsync=true',
      '--auto-compaction-retention=1',
      '--quota-backend-bytes=8589934592',
      '--log-level=warn',
    ],
  };
}

/** kube-apiserver: RBAC, service accounts, and the front-proxy settings delegated authn needs. */
function kubeApiserver(inputs: ControlPlaneInputs): ComponentSpec {
  const { layout, pki, ports, binaries } = inputs;
  return {
    name: 'kube-apiserver',
    binary: binaries.kubeApiserver,
    tier: 1,
    health: { kind: 'https', url: `https://${loopback}:${ports.apiserver}/readyz`, clientCert: true },
    args: [
      `--etcd-servers=${etcdUrl(ports)}`,
      `--bind-address=${loopback}`,
      `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.96.0.0/12',
      '--authorization-mode=Node,RBAC',
      // Request-header (front proxy) settings: without them the delegated authenticators of
      // kcm and the scheduler log a missing CA bundle several times a second.
      `--requestheader-client-ca-file=${pki.caCert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyCert}`,
      `--proxy-client-key-file=${pki.frontProxyKey}`,
      '--allow-privileged=true',
      // kwok serves the kubelet API (exec) at 127.0.0.1, the nodes' InternalIP; a node's
      // Hostname address (kwok-node-3) resolves nowhere.
      '--kubelet-preferred-address-types=InternalIP',
      // A loopback address cannot be published in default/kubernetes Endpoints.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${layout.pkiDir}`,
      '--v=1',
    ],
  };
}

/** kube-controller-manager: every controller, no leader election. */
function kubeControllerManager(inputs: ControlPlaneInputs): ComponentSpec {
  const { layout, pki, ports, binaries } = inputs;
  return {
    name: 'kube-controller-manager',
    binary: binaries.kubeControllerManager,
    tier: 2,
    health: { kind: 'https-insecure', url: `https://${loopback}:${ports.controllerManager}/healthz` },
    args: [
      ...delegated(layout),
      alwaysAllow,
      `--bind-address=${loopback}`,
      `--secure-port=${ports.controllerManager}`,
      '--leader-elect=false',
      '--controllers=*',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=false',
      // The default 20 QPS would make garbage collection of a large job's pods crawl.
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--v=1',
    ],
  };
}

/** kube-scheduler, no leader election. */
function kubeScheduler(inputs: ControlPlaneInputs): ComponentSpec {
  const { layout, ports, binaries } = inputs;
  return {
    name: 'kube-scheduler',
    binary: binaries.kubeScheduler,
    tier: 2,
    health: { kind: 'https-insecure', url: `https://${loopback}:${ports.scheduler}/healthz` },
    args: [
      ...delegated(layout),
      alwaysAllow,
      `--bind-address=${loopback}`,
      `--secure-port=${ports.scheduler}`,
      '--leader-elect=false',
      // The default 50 QPS caps binding at ~50 pods/s, below what the API server takes.
      '--kube-api-qps=500',
      '--kube-api-burst=1000',
      '--v=1',
    ],
  };
}

/** kwok: the simulated nodes and their kubelet API. */
function kwok(inputs: ControlPlaneInputs): ComponentSpec {
  const { layout, pki, ports, binaries } = inputs;
  return {
    name: 'kwok',
    binary: binaries.kwok,
    tier: 2,
    health: { kind: 'http', url: `http://${loopback}:${ports.kwok}/healthz` },
    args: [
      `--kubeconfig=${layout.kubeconfig}`,
      '--manage-all-nodes=true',
      // The default /24 runs out of pod IPs at 254 pods.
      '--cidr=10.128.0.0/10',
      '--node-lease-duration-seconds=40',
      `--server-address=${loopback}:${ports.kwok}`,
      `--config=${inputs.kwokStagesFile}`,
      // The kubelet API for pods/exec: nodes point the API server at 127.0.0.1:<this port>
      // (daemonEndpoints in the node stages), over TLS (it does not check the certificate).
      `--node-ip=${loopback}`,
      `--node-port=${ports.kwok}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
    ],
    // kwok runs an exec's command on this machine (ClusterExec in the stages file). Its PATH
    // holds only the stand-in commands of scripts/kwok-exec, so `sh -c 'kill -s TERM 1'` for a
    // simulated container never reaches a real shell or this machine's process 1.
    env: {
      PATH: kwokExecDir(inputs.kwokStagesFile),
      CARAVAN_KWOK_EXEC_LOG: kwokExecLog(layout),
    },
  };
}

/** The stand-in commands kwok's exec runs (scripts/kwok-exec, next to the stages file). */
export function kwokExecDir(kwokStagesFile: string): string {
  return path.join(path.dirname(kwokStagesFile), 'kwok-exec');
}

/** Where the stand-in commands record each exec kwok ran for a simulated container. */
export function kwokExecLog(layout: ClusterLayout): string {
  return path.join(layout.logsDir, 'kwok-exec.log');
}

export function componentLogFile(layout: ClusterLayout, name: ComponentName): string {
  return path.join(layout.logsDir, `${name}.log`);
}

export function componentPidFile(layout: ClusterLayout, name: ComponentName): string {
  return path.join(layout.runDir, `${name}.pid`);
}
