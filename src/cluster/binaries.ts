import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromProjectRoot } from '../project.ts';
import type { ControlPlaneVersions } from './versions.ts';

/** Absolute paths of the control plane's executables. */
export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
}

/** Where built binaries are kept: outside the repository, shared by every clone. */
export function binaryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CARAVAN_CACHE'] ?? path.join(os.homedir(), '.cache', 'caravan');
}

/** The layout scripts/build-control-plane.sh writes: one folder per component and version. */
export function binaryPaths(cacheDir: string, versions: ControlPlaneVersions): ControlPlaneBinaries {
  const k8s = path.join(cacheDir, `k8s-${versions.kubernetes}`, 'bin');
  return {
    etcd: path.join(cacheDir, `etcd-${versions.etcd}`, 'bin', 'etcd'),
    kubeApiserver: path.join(k8s, 'kube-apiserver'),
    kubeControllerManager: path.join(k8s, 'kube-controller-manager'),
    kubeScheduler: path.join(k8s, 'kube-scheduler'),
    kwok: path.join(cacheDir, `kwok-${versions.kwok}`, 'bin', 'kwok'),
  };
}

export function missingBinaries(binaries: ControlPlaneBinaries): string[] {
  return Object.values(binaries).filter((file) => {
    try {
      accessSync(file, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Builds whatever binaries are missing by running scripts/build-control-plane.sh, whose progress
 * goes to our stderr. A warm cache returns at once.
 */
export async function ensureBinaries(versions: ControlPlaneVersions, cacheDir = binaryCacheDir()): Promise<ControlPlaneBinaries> {
  const binaries = binaryPaths(cacheDir, versions);
  if (missingBinaries(binaries).length === 0) return binaries;
  process.stderr.write(`caravan: building the local control plane into ${cacheDir} (first time: about 8 minutes on 2 cores; it prints progress)\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(fromProjectRoot('scripts', 'build-control-plane.sh'), [], {
      env: { ...process.env, CARAVAN_CACHE: cacheDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`scripts/build-control-plane.sh failed (${signal ?? `exit ${code}`}); its output is above`)),
    );
  });
  const stillMissing = missingBinaries(binaries);
  if (stillMissing.length > 0) throw new Error(`the control-plane build finished but these are missing: ${stillMissing.join(', ')}`);
  return binaries;
}
