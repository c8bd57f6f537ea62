import { CoreV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { apiServerLocation, explainKubernetesError, loadKubeConfig } from '../kube/client.ts';
import { isNodeReady } from '../resources/node.ts';
import { logLevelOption, runControllerUntilSignalled } from './controller-command.ts';
import { installCrds } from '../kube/install-crds.ts';
import { parseNodeCount, parseServePort } from './option-values.ts';
import type { LogLevel } from '../log/logger.ts';
import { targetCluster } from './target-cluster.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** `caravan start` (npm start): find or start the cluster, and say how to use it. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run Caravan (the controller) against $KUBECONFIG, in-cluster, or the embedded local control plane when neither is there')
    .option('--nodes <n>', 'kwok fake nodes in the local cluster (1 to 1000)', parseNodeCount)
    .option('--metrics-port <port>', 'port for /metrics, /healthz and /readyz (0: any free port, -1: none)', parseServePort, 8080)
    .addOption(logLevelOption())
    .option('--api-port <port>', 'port of the Nomad-compatible HTTP API (0: any free port, -1: none)', parseServePort, 4646)
    .option('--cf-api-port <port>', 'port of the Cloud Foundry v3 API (0: any free port, -1: none)', parseServePort, 9022)
    .action(async (opts: { nodes?: number; metricsPort: number; logLevel: LogLevel; apiPort: number; cfApiPort: number }) => {
      const target = await targetCluster({ ...(opts.nodes !== undefined ? { nodes: opts.nodes } : {}), report: say });
      say(
        target.source === 'local'
          ? 'KUBECONFIG is not set: using the embedded local control plane'
          : `using the cluster from ${target.source === 'KUBECONFIG' ? `KUBECONFIG=${target.kubeconfig}` : 'the in-cluster service account'}`,
      );
      const kc = loadKubeConfig(target.kubeconfig);
      const { version, nodes, ready } = await prepareCluster(kc).catch((error: unknown) => {
        throw explainKubernetesError(error, apiServerLocation(kc, target.kubeconfig));
      });
      const exportLine = target.kubeconfig ? `export KUBECONFIG=${target.kubeconfig}` : '(in-cluster)';
      console.log(`
Cluster ${kc.getCurrentCluster()?.server} runs Kubernetes ${version}; ${ready}/${nodes} nodes Ready.

Use it:
  ${exportLine}
  kubectl get nodes -L topology.kubernetes.io/zone,caravan.dev/datacenter
  kubectl apply -f examples/web-canary.yaml && kubectl get pods -w              # a NomadJob rolling out
  PATH=$PWD/scripts:$PATH kubectl nomad watch web                               # its deployment, until it ends
  kubectl get nj,nd,pods                                                        # versions, deployments, allocations
  kubectl apply -f examples/ && kubectl get nomadjobs                           # more jobs
  kubectl explain nomadjob.spec.update                                          # every field documented
${target.source === 'local' ? '  npm run caravan -- cluster status                                            # each component, its health and log\n' : ''}
Metrics: ${servedAt(opts.metricsPort, (port) => `http://127.0.0.1:${port}/metrics (with /healthz and /readyz)`)}.
Nomad API: ${servedAt(opts.apiPort, (port) => `export NOMAD_ADDR=http://127.0.0.1:${port} NOMAD_TOKEN=$(kubectl create token <serviceaccount>)`)}
Cloud Foundry v3 API: ${servedAt(opts.cfApiPort, (port) => `curl -H "Authorization: bearer $(kubectl create token <serviceaccount>)" http://127.0.0.1:${port}/v3/deployments`)}
The Caravan controller runs below until Ctrl-C (JSON log lines when not in a terminal).${target.source === 'local' ? '\nThe local cluster keeps running afterwards; stop it with: npm run caravan -- cluster down' : ''}
`);
      await runControllerUntilSignalled({
        kubeconfig: target.kubeconfig,
        concurrency: 4,
        metricsPort: opts.metricsPort,
        logLevel: opts.logLevel,
        apiPort: opts.apiPort,
        cfApiPort: opts.cfApiPort,
      });
    });
}

/** Installs the CRDs, and reads what the banner says about the cluster. */
async function prepareCluster(kc: KubeConfig): Promise<{ version: string; nodes: number; ready: number }> {
  await installCrds(kc);
  const version = await kc.makeApiClient(VersionApi).getCode();
  const nodes = await kc.makeApiClient(CoreV1Api).listNode();
  return { version: version.gitVersion, nodes: nodes.items.length, ready: nodes.items.filter(isNodeReady).length };
}

/** Where the banner says a server is: its port is known now unless it was 0 (a free one) or -1 (none). */
function servedAt(port: number, where: (port: number) => string): string {
  if (port < 0) return 'not served';
  if (port === 0) return 'on a free port, logged below';
  return where(port);
}
