/**
 * The chaos run: NomadJobs with canaries, updated wave after wave, while the controller is killed
 * with kill -9 at moments when it holds the Lease and is reconciling, and started again at once.
 * After every wave it checks what Caravan promises. Used by `npm run chaos` (test/chaos/main.ts)
 * and, shorter, by `npm test` (test/e2e/chaos.test.ts).
 */
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Informer } from '../../src/kube/informer.ts';
import type { NomadJobSpec } from '../../src/model/nomad-job-spec.ts';
import { labels } from '../../src/resources/labels.ts';
import { nomadDeploymentResource as nd, nomadJobResource as nj } from '../../src/resources/api-version.ts';
import type { NomadDeployment } from '../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../src/resources/nomad-job.ts';

export interface ChaosOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  /** Kills in all, each landing while the process leads and reconciles. */
  readonly kills: number;
  readonly killsPerWave?: number;
  readonly jobs?: number;
  readonly count?: number;
  readonly seed?: number;
  /** Starts a controller process (its stdout carries pino JSON lines) leading through a Lease in `namespace`. */
  readonly startController: () => ChildProcess;
  readonly say: (line: string) => void;
  /** How long one wave may take to roll out after its last kill. */
  readonly waveTimeoutMs?: number;
}

export interface WaveReport {
  readonly wave: number;
  readonly kills: number;
  readonly seconds: number;
  readonly violations: readonly string[];
}

export interface ChaosReport {
  readonly waves: readonly WaveReport[];
  readonly kills: number;
  readonly seconds: number;
  readonly violations: readonly string[];
}

/** A seeded random source, so a failing run can be replayed with the same kill timing. */
export function seeded(seed: number): () => number {
  let s = seed % 2 ** 31;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

export function chaosSpec(image: string, count: number): NomadJobSpec {
  return {
    update: { maxParallel: 2, canary: 1, autoPromote: true, minHealthyTime: '1s', healthyDeadline: '1m', progressDeadline: '5m' },
    taskGroups: [{ name: 'app', count, tasks: [{ name: 'app', driver: 'docker', config: { image } }] }],
  };
}

/** One controller process, with what it has said since it started. */
class Controller {
  leading = false;
  jobLines = 0;
  exited = false;
  readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(child: ChildProcess) {
    this.child = child;
    child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes(' is the leader (lease ')) this.leading = true;
      else if (this.leading && line.includes('"job":"')) this.jobLines++;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves true once `check` holds, false after timeoutMs or when the process exits. */
  async until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.exited || Date.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          resolve();
        };
        this.waiters.add(done);
        setTimeout(done, 200);
      });
    }
    return true;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Runs waves until `kills` kills have landed on a leading, reconciling controller. */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { kc, namespace, say } = opts;
  const jobs = opts.jobs ?? 8;
  const count = opts.count ?? 4;
  const killsPerWave = opts.killsPerWave ?? 10;
  const random = seeded(opts.seed ?? 20261206);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const names = Array.from({ length: jobs }, (_, i) => `job-${i}`);
  const created = new Map<string, V1Pod>();
  const pods = new Informer<V1Pod>({
    kc,
    path: `/api/v1/namespaces/${namespace}/pods`,
    labelSelector: labels.job,
    onEvent: (event, pod) => {
      if (event === 'add' && pod.metadata?.name) created.set(pod.metadata.name, pod);
    },
  });
  await pods.start();
  const started = performance.now();
  let controller = new Controller(opts.startController());
  const waves: WaveReport[] = [];
  let kills = 0;
  try {
    await Promise.all(
      names.map((name) =>
        custom.createNamespacedCustomObject({
          ...nj,
          namespace,
          body: { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', metadata: { name }, spec: chaosSpec('app:0', count) },
        }),
      ),
    );
    say(`registered ${jobs} jobs of ${count} allocations (canary 1, auto-promote, max_parallel 2, min_healthy_time 1s)`);
    await rolledOut(custom, namespace, names, 0, opts.waveTimeoutMs ?? 180_000);
    for (let wave = 1; kills < opts.kills; wave++) {
      const waveStart = performance.now();
      await Promise.all(
        names.map((name) =>
          custom.patchNamespacedCustomObject({
            ...nj,
            namespace,
            name,
            body: [{ op: 'replace', path: '/spec/taskGroups/0/tasks/0/config/image', value: `app:${wave}` }],
          }),
        ),
      );
      let waveKills = 0;
      while (waveKills < killsPerWave && kills < opts.kills) {
        // Land the kill while this process leads and writes: after its k-th line about a job.
        const k = 1 + Math.floor(random() * 6);
        if (!(await controller.until(() => controller.leading, 30_000))) throw new Error('no controller became the leader within 30 s');
        const before = controller.jobLines;
        if (!(await controller.until(() => controller.jobLines >= before + k, 10_000))) break; // the wave's rollouts are done
        await sleep(random() * 100);
        controller.kill();
        kills++;
        waveKills++;
        controller = new Controller(opts.startController());
      }
      await rolledOut(custom, namespace, names, wave, opts.waveTimeoutMs ?? 180_000).catch(() => undefined);
      const violations = await check(kc, namespace, names, wave, count, created);
      const report = { wave, kills: waveKills, seconds: (performance.now() - waveStart) / 1000, violations };
      waves.push(report);
      say(
        `wave ${wave}: ${waveKills} kills, ${report.seconds.toFixed(1)} s, ${violations.length === 0 ? 'clean' : `${violations.length} violations:\n  ${violations.join('\n  ')}`}`,
      );
      if (violations.length > 0) break;
    }
  } finally {
    controller.kill();
    pods.stop();
  }
  return { waves, kills, seconds: (performance.now() - started) / 1000, violations: waves.flatMap((w) => w.violations.map((v) => `wave ${w.wave}: ${v}`)) };
}

async function rolledOut(custom: CustomObjectsApi, namespace: string, names: readonly string[], version: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await custom.listNamespacedCustomObject({ ...nj, namespace })) as { items: NomadJob[] };
    const done = names.every((n) => {
      const s = list.items.find((j) => j.metadata.name === n)?.status;
      return s?.latestDeployment?.jobVersion === version && s.latestDeployment.status === 'successful' && s.stableVersion === version;
    });
    if (done) return;
    if (Date.now() > deadline) throw new Error(`version ${version} not rolled out within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** What Caravan promises after a wave: each a sentence naming the job when it does not hold. */
async function check(
  kc: KubeConfig,
  namespace: string,
  names: readonly string[],
  wave: number,
  count: number,
  created: ReadonlyMap<string, V1Pod>,
): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const out: string[] = [];
  const livePods = (await core.listNamespacedPod({ namespace, labelSelector: labels.job })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const deployments = ((await custom.listNamespacedCustomObject({ ...nd, namespace })) as { items: NomadDeployment[] }).items;
  const revisions = (await apps.listNamespacedControllerRevision({ namespace, labelSelector: labels.job })).items;
  for (const job of names) {
    const live = livePods.filter((p) => p.metadata?.labels?.[labels.job] === job);
    if (live.length !== count) out.push(`${job}: ${live.length} live allocations for count ${count} (${live.map((p) => p.metadata?.name).join(', ')})`);
    const indexes = live.map((p) => p.metadata?.labels?.[labels.allocIndex]);
    const twice = [...new Set(indexes.filter((i, n) => indexes.indexOf(i) !== n))];
    if (twice.length > 0) out.push(`${job}: alloc index ${twice.join(', ')} appears twice`);
    const stale = live.filter((p) => p.metadata?.labels?.[labels.jobVersion] !== String(wave));
    if (stale.length > 0) out.push(`${job}: ${stale.map((p) => p.metadata?.name).join(', ')} not at version ${wave}`);
    const mine = deployments.filter((d) => d.spec.job === job);
    const versions = revisions.filter((r) => r.metadata?.labels?.[labels.job] === job).map((r) => Number(r.revision));
    if (Math.max(...versions) !== wave) out.push(`${job}: newest version is ${Math.max(...versions)}, expected ${wave} (a version lost, or a revert)`);
    for (const v of new Set(mine.map((d) => d.spec.jobVersion))) {
      const n = mine.filter((d) => d.spec.jobVersion === v).length;
      if (n !== 1) out.push(`${job}: ${n} NomadDeployments for version ${v}`);
    }
    const newest = mine.find((d) => d.spec.jobVersion === wave);
    if (newest?.status?.status !== 'successful')
      out.push(`${job}: the deployment of version ${wave} is ${newest?.status?.status ?? 'missing'} (${newest?.status?.statusDescription ?? ''})`);
    for (const d of mine.filter((x) => x.status?.status === 'failed')) out.push(`${job}: ${d.metadata.name} failed: ${d.status?.statusDescription}`);
    // No allocation replaced without a cause: nothing fails and no node is lost here, so each
    // name (index at a version) is created once and never as a replacement (-r1, -r2, …).
    const ever = [...created.values()].filter((p) => p.metadata?.labels?.[labels.job] === job);
    for (const p of ever.filter((x) => /-r\d+$/.test(x.metadata?.name ?? ''))) out.push(`${job}: ${p.metadata?.name} replaced an allocation without a cause`);
    const perName = new Map<string, number>();
    for (const p of ever) {
      const key = `${p.metadata?.labels?.[labels.jobVersion]}/${p.metadata?.labels?.[labels.allocIndex]}`;
      perName.set(key, (perName.get(key) ?? 0) + 1);
    }
    for (const [key, n] of perName) if (n > 1) out.push(`${job}: ${n} allocations were created for version/index ${key}`);
  }
  return out;
}
