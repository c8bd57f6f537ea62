import type { Command } from 'commander';
import { clusterLayout, defaultClusterDir } from '../cluster/layout.ts';
import { down, status, up, type ClusterStatus } from '../cluster/local-cluster.ts';
import { ensureBinaries } from '../cluster/binaries.ts';
import { readControlPlaneVersions } from '../cluster/versions.ts';
import { parseNodeCount } from './option-values.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

export function printStatus(s: ClusterStatus): void {
  if (!s.exists) {
    console.log(`no local cluster in ${s.layout.dir} (start one with: caravan cluster up)`);
    return;
  }
  console.log(`local cluster ${s.layout.dir}`);
  console.log(`  API server  ${s.server}`);
  console.log(`  kubeconfig  ${s.layout.kubeconfig}`);
  for (const c of s.components) {
    console.log(`  ${c.name.padEnd(24)} ${c.state.toUpperCase().padEnd(9)} ${c.pid ? `pid ${c.pid}  ` : ''}${c.detail}`);
  }
  if (s.nodes) console.log(`  kwok nodes  ${s.nodes.ready}/${s.nodes.total} Ready`);
  console.log(`  logs        ${s.layout.logsDir}`);
  console.log(s.healthy ? 'healthy' : 'NOT healthy');
}

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('the embedded local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok fake nodes')
    .option('--dir <path>', 'cluster folder (env CARAVAN_CLUSTER_DIR)', defaultClusterDir());

  cluster
    .command('up')
    .description('start the local cluster, or reuse it if it is already running; builds the binaries the first time')
    .option('--nodes <n>', 'number of kwok fake nodes, 1 to 1000 (default: as before, else 10)', parseNodeCount)
    .action(async (opts: { nodes?: number }) => {
      const { dir } = cluster.opts<{ dir: string }>();
      const c = await up({ dir, ...(opts.nodes ? { nodes: opts.nodes } : {}), report: say });
      say(`local cluster ready: ${c.server}, ${c.nodes} kwok nodes`);
      console.log(`export KUBECONFIG=${c.kubeconfig}`);
    });

  cluster
    .command('down')
    .description('stop the local cluster (its data is kept for the next `up` unless --purge)')
    .option('--purge', 'also delete its data, certificates and logs')
    .action(async (opts: { purge?: boolean }) => {
      const { dir } = cluster.opts<{ dir: string }>();
      await down({ dir, purge: opts.purge ?? false });
      say(opts.purge ? `local cluster stopped and ${dir} deleted` : 'local cluster stopped');
    });

  cluster
    .command('status')
    .description("each component's process and health; exit code 1 when anything is not healthy")
    .action(async () => {
      const s = await status(cluster.opts<{ dir: string }>().dir);
      printStatus(s);
      process.exitCode = s.healthy ? 0 : 1;
    });

  cluster
    .command('env')
    .description('print the shell line that points kubectl at the local cluster: eval "$(caravan cluster env)"')
    .action(() => {
      console.log(`export KUBECONFIG=${clusterLayout(cluster.opts<{ dir: string }>().dir).kubeconfig}`);
    });

  cluster
    .command('build')
    .description('build the control-plane binaries from Go modules if they are not cached yet')
    .action(async () => {
      const bins = await ensureBinaries(readControlPlaneVersions());
      for (const [name, file] of Object.entries(bins)) console.log(`${name}\t${file}`);
    });
}
