import os from 'node:os';
import path from 'node:path';

/** The files of one local cluster, all under one folder. */
export interface ClusterLayout {
  readonly dir: string;
  readonly stateFile: string;
  readonly kubeconfig: string;
  readonly pkiDir: string;
  readonly logsDir: string;
  readonly runDir: string;
  readonly etcdDataDir: string;
}

/** The local cluster `caravan cluster up` manages, unless CARAVAN_CLUSTER_DIR names another. */
export function defaultClusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CARAVAN_CLUSTER_DIR'] ?? path.join(os.homedir(), '.caravan', 'local-cluster');
}

export function clusterLayout(dir: string): ClusterLayout {
  const abs = path.resolve(dir);
  return {
    dir: abs,
    stateFile: path.join(abs, 'cluster.json'),
    kubeconfig: path.join(abs, 'kubeconfig'),
    pkiDir: path.join(abs, 'pki'),
    logsDir: path.join(abs, 'logs'),
    runDir: path.join(abs, 'run'),
    etcdDataDir: path.join(abs, 'etcd-data'),
  };
}
