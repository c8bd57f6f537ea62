/**
 * The embedded cluster's processes as the benchmarks read them: which cluster folder a run
 * measures, a component's pid, and a process's CPU from /proc.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { componentPidFile } from '../src/cluster/components.ts';
import { clusterLayout } from '../src/cluster/layout.ts';
import { isAlive, readProcessRecord } from '../src/cluster/processes.ts';

/**
 * The folder of the embedded cluster a run measures: `localDir` when the run started the default
 * one, or one `caravan cluster --dir <d> up` made whose kubeconfig $KUBECONFIG names.
 */
export function embeddedClusterDir(source: 'local' | string, localDir: string): string | undefined {
  if (source === 'local') return localDir;
  const kubeconfig = process.env['KUBECONFIG'];
  if (!kubeconfig || kubeconfig.includes(path.delimiter)) return undefined;
  const layout = clusterLayout(path.dirname(kubeconfig));
  return layout.kubeconfig === path.resolve(kubeconfig) && existsSync(layout.stateFile) ? layout.dir : undefined;
}

/** An embedded cluster component's pid; undefined for another cluster or when it is not running. */
export function componentPid(dir: string | undefined, name: 'kube-controller-manager' | 'kube-apiserver' | 'etcd'): number | undefined {
  if (dir === undefined) return undefined;
  const record = readProcessRecord(componentPidFile(clusterLayout(dir), name));
  return record && isAlive(record) ? record.pid : undefined;
}

/** A process's user and system CPU seconds, from /proc (USER_HZ is 100 on Linux). */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
