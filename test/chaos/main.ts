/**
 * npm run chaos -- --kills 100 [--kills-per-wave 10] [--jobs 8] [--count 4] [--seed N]
 *
 * kill -9s the controller while it leads and reconciles NomadJob updates, wave after wave, and
 * checks after each wave: exactly `count` live allocations per job, no alloc index twice, one
 * NomadDeployment per version with the newest successful, no failed deployment, and no
 * allocation replaced without a cause. Uses $KUBECONFIG when set, otherwise the embedded local
 * cluster (started if needed). Exits 1 when a wave is not clean. Controller logs go to
 * <tmp>/caravan-chaos-<namespace>.log.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchNamespace, removeBenchNamespace } from '../../bench/bench-namespace.ts';
import { targetCluster } from '../../src/cli/target-cluster.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { installCrds } from '../../src/kube/install-crds.ts';
import { fromProjectRoot } from '../../src/project.ts';
import { runChaos } from './chaos.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    'kills-per-wave': { type: 'string', default: '10' },
    jobs: { type: 'string', default: '8' },
    count: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const number = (name: string, text: string | undefined) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`chaos: --${name} takes a whole number of at least 1, not ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};
const kills = number('kills', values.kills);
const seed = number('seed', values.seed);
const say = (line: string) => process.stderr.write(`${line}\n`);
const { kubeconfig } = await targetCluster({ report: say });
const kc = loadKubeConfig(kubeconfig);
await installCrds(kc);
const namespace = await benchNamespace(kc.makeApiClient(CoreV1Api));
const logFile = path.join(tmpdir(), `caravan-chaos-${namespace}.log`);
const log = createWriteStream(logFile, { flags: 'a' });
say(`chaos: namespace ${namespace}, seed ${seed}, controller logs in ${logFile}`);
const report = await runChaos({
  kc,
  namespace,
  kills,
  killsPerWave: number('kills-per-wave', values['kills-per-wave']),
  jobs: number('jobs', values.jobs),
  count: number('count', values.count),
  seed,
  say,
  startController: () => {
    const child = spawn(
      process.execPath,
      [
        fromProjectRoot('src', 'cli', 'main.ts'),
        'controller',
        '--lease-namespace',
        namespace,
        '--lease-duration',
        '2',
        '--metrics-port',
        '0',
        '--api-port',
        '0',
        '--cf-api-port',
        '0',
      ],
      {
        env: { ...process.env, KUBECONFIG: kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    return child;
  },
});
console.log(
  `chaos: ${report.waves.length} waves, ${report.kills} kills (each while the controller led and reconciled), ${report.seconds.toFixed(0)} s, ${report.violations.length === 0 ? 'every wave clean' : `${report.violations.length} violations`}`,
);
log.end();
// A clean run leaves nothing behind (its jobs would be reconciled by the next controller on the
// cluster, and its Lease taken for another controller's); one with violations is kept to look at.
if (report.violations.length === 0) await removeBenchNamespace(kc.makeApiClient(CoreV1Api), namespace);
else say(`chaos: namespace ${namespace} kept for a look at the violations`);
process.exit(report.violations.length === 0 && report.kills >= kills ? 0 : 1);
