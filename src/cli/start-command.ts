import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { defaultClusterDir } from '../cluster/layout.ts';
import { up } from '../cluster/local-cluster.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { parseNodeCount } from './cluster-commands.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `caravan start` (npm start): use the cluster KUBECONFIG names, or with KUBECONFIG unset bring
 * up the embedded local control plane. ~/.kube/config is deliberately not used implicitly, so
 * trying Caravan never lands on a cluster someone forgot was their default.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run Caravan: against $KUBECONFIG, or the embedded local control plane when KUBECONFIG is unset')
    .option('--nodes <n>', 'kwok fake nodes in the local cluster', parseNodeCount)
    .action(async (opts: { nodes?: number }) => {
      const configured = process.env['KUBECONFIG'];
      let kubeconfig: string;
      if (configured) {
        say(`using the cluster in KUBECONFIG=${configured}`);
        kubeconfig = configured;
      } else {
        say('KUBECONFIG is not set: starting the embedded local control plane');
        const cluster = await up({ dir: defaultClusterDir(), ...(opts.nodes ? { nodes: opts.nodes } : {}), report: say });
        kubeconfig = cluster.kubeconfig;
      }
      const kc = loadKubeConfig(kubeconfig);
      const version = await kc.makeApiClient(VersionApi).getCode();
      const nodes = await kc.makeApiClient(CoreV1Api).listNode();
      const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      console.log(`
Cluster ${kc.getCurrentCluster()?.server} is running Kubernetes ${version.gitVersion} with ${ready}/${nodes.items.length} nodes Ready.

Use it:
  export KUBECONFIG=${kubeconfig}
  kubectl get nodes -L topology.kubernetes.io/zone,caravan.dev/datacenter
  kubectl run demo --image=nginx && kubectl get pod demo -w
  kubectl run broken --image=nginx --annotations=sim.caravan.dev/behavior=crash   # simulated crash loop

The Caravan controller is not part of this build yet: the cluster keeps running after this
command exits. Stop it with: npm run caravan -- cluster down`);
    });
}
