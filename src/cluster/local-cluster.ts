import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiErrorCode, loadKubeConfig } from '../kube/client.ts';
import { fromProjectRoot } from '../project.ts';
import { isNodeReady } from '../resources/node.ts';
import { ensureBinaries, binaryCacheDir, binaryPaths } from './binaries.ts';
import { componentLogFile, componentPidFile, controlPlaneComponents, type ClusterPorts, type ComponentName, type ComponentSpec } from './components.ts';
import { defaultFakeNodeOptions, fakeNode, fakeNodeLabel, fakeNodeName, type FakeNodeOptions } from './fake-nodes.ts';
import { waitHealthy, probe } from './health.ts';
import { renderAdminKubeconfig } from './kubeconfig.ts';
import { clusterLayout, type ClusterLayout } from './layout.ts';
import { ensurePki, pkiPaths } from './pki.ts';
import { describeEnd, isAlive, readProcessRecord, startDetached, stopProcess, tailFile } from './processes.ts';
import { readControlPlaneVersions } from './versions.ts';

/** What cluster.json keeps, so `up` after `down` (or after a reboot) brings back the same cluster. */
interface ClusterState {
  readonly ports: ClusterPorts;
  readonly nodes: number;
  readonly createdAt: string;
}

export interface LocalCluster {
  readonly layout: ClusterLayout;
  readonly kubeconfig: string;
  readonly server: string;
  readonly nodes: number;
}

export type Report = (line: string) => void;

export const kwokStagesFile = fromProjectRoot('scripts', 'kwok-stages.yaml');

function readState(layout: ClusterLayout): ClusterState | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as ClusterState;
}

/**
 * A free loopback port below Linux's ephemeral range (32768 and up by default): a port from that
 * range can be taken by another process's outgoing connection before our component binds it.
 */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

async function choosePorts(): Promise<ClusterPorts> {
  const taken = new Set<number>();
  return {
    etcdClient: await freePort(taken),
    etcdPeer: await freePort(taken),
    apiserver: await freePort(taken),
    controllerManager: await freePort(taken),
    scheduler: await freePort(taken),
    kwok: await freePort(taken),
  };
}

function componentsOf(layout: ClusterLayout, state: ClusterState): ComponentSpec[] {
  const binaries = binaryPaths(binaryCacheDir(), readControlPlaneVersions());
  return controlPlaneComponents({ layout, pki: pkiPaths(layout.pkiDir), ports: state.ports, binaries, kwokStagesFile });
}

export interface UpOptions {
  readonly dir: string;
  /** Number of kwok nodes; defaults to what the cluster had, or 10. */
  readonly nodes?: number;
  readonly report?: Report;
}

/**
 * Brings a local cluster up, idempotently: builds missing binaries, creates certificates and
 * ports on first use, starts every component that is not running (saying so when one had died),
 * waits for health, and makes the fake nodes. A healthy running cluster is reused as it is.
 */
export async function up(opts: UpOptions): Promise<LocalCluster> {
  const report = opts.report ?? (() => {});
  const layout = clusterLayout(opts.dir);
  await ensureBinaries(readControlPlaneVersions());
  mkdirSync(layout.dir, { recursive: true });
  const previous = readState(layout);
  const state: ClusterState = {
    ports: previous?.ports ?? (await choosePorts()),
    nodes: opts.nodes ?? previous?.nodes ?? defaultFakeNodeOptions.count,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
  };
  writeFileSync(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  const pki = await ensurePki(layout.pkiDir);
  const server = `https://127.0.0.1:${state.ports.apiserver}`;
  writeFileSync(layout.kubeconfig, renderAdminKubeconfig(server, pki), { mode: 0o600 });

  const components = componentsOf(layout, state);
  for (const tier of [...new Set(components.map((c) => c.tier))].sort()) {
    const inTier = components.filter((c) => c.tier === tier);
    await Promise.all(inTier.map((c) => ensureComponent(layout, c, report)));
  }

  const kc = loadKubeConfig(layout.kubeconfig);
  await ensureFakeNodes(kc, { ...defaultFakeNodeOptions, count: state.nodes }, report);
  await waitForDefaultServiceAccount(kc);
  return { layout, kubeconfig: layout.kubeconfig, server, nodes: state.nodes };
}

/**
 * Makes one component run and be healthy: reuses the process a pid file records when it still runs
 * the same binary, else starts it (saying why) and waits for its health endpoint.
 */
export async function ensureComponent(layout: ClusterLayout, c: ComponentSpec, report: Report): Promise<void> {
  const pidFile = componentPidFile(layout, c.name);
  const logFile = componentLogFile(layout, c.name);
  const record = readProcessRecord(pidFile);
  if (record && isAlive(record) && record.binary === c.binary) {
    await waitHealthy(c.health, pkiPaths(layout.pkiDir), {
      timeoutMs: 60_000,
      ended: () => (isAlive(record) ? undefined : 'its process is gone'),
      what: c.name,
    });
    return;
  }
  if (record && isAlive(record)) {
    report(`${c.name}: running an older binary (${record.binary}); restarting it`);
    await stopProcess(pidFile);
  } else if (record) {
    report(`${c.name}: had died (pid ${record.pid}, started ${record.startedAt}); its last log lines:\n${indent(tailFile(logFile))}\n${c.name}: restarting`);
  }
  if (c.name === 'etcd') mkdirSync(layout.etcdDataDir, { recursive: true, mode: 0o700 });
  const started = Date.now();
  const fresh = await startDetached(c.binary, c.args, logFile, pidFile, c.env);
  // Judged by its exit event, not /proc: right after spawn /proc may not show the binary yet (issue 11).
  const ended = () => {
    const end = fresh.ended();
    return end && describeEnd(end);
  };
  try {
    await waitHealthy(c.health, pkiPaths(layout.pkiDir), { timeoutMs: 90_000, ended, what: c.name });
  } catch (error) {
    throw new Error(`${(error as Error).message}; last lines of ${logFile}:\n${indent(tailFile(logFile, 25))}`);
  }
  report(`${c.name}: up in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${fresh.record.pid}, log ${logFile})`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Creates the missing fake nodes, removes surplus ones, and waits until all are Ready. */
export async function ensureFakeNodes(kc: KubeConfig, opts: FakeNodeOptions, report: Report): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const existing = await core.listNode({ labelSelector: `${fakeNodeLabel}=true` });
  const wanted = new Set(Array.from({ length: opts.count }, (_, i) => fakeNodeName(i)));
  const have = new Set(existing.items.map((n) => n.metadata!.name!));
  const toCreate = [...wanted].filter((name) => !have.has(name));
  for (const name of [...have].filter((n) => !wanted.has(n))) {
    await core.deleteNode({ name });
  }
  await Promise.all(
    toCreate.map(async (name) => {
      try {
        await core.createNode({ body: fakeNode(Number(name.slice('kwok-node-'.length)), opts) });
      } catch (error) {
        if (apiErrorCode(error) !== 409) throw error;
      }
    }),
  );
  if (toCreate.length > 0) report(`kwok: created ${toCreate.length} fake node(s)`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const nodes = await core.listNode({ labelSelector: `${fakeNodeLabel}=true` });
    const ready = nodes.items.filter(isNodeReady).length;
    if (ready >= opts.count) return;
    if (Date.now() > deadline) throw new Error(`only ${ready}/${opts.count} kwok nodes became Ready in 60 s; see the kwok log`);
    await sleep(250);
  }
}

/** Pods can only be created in a namespace once kube-controller-manager made its default ServiceAccount. */
async function waitForDefaultServiceAccount(kc: KubeConfig, namespace = 'default'): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace });
      return;
    } catch (error) {
      if (apiErrorCode(error) !== 404 || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

export interface DownOptions {
  readonly dir: string;
  /** Also delete the cluster's data, certificates and logs. */
  readonly purge?: boolean;
}

/** Stops every component (kwok and the controllers first, etcd last). */
export async function down(opts: DownOptions): Promise<void> {
  const layout = clusterLayout(opts.dir);
  const state = readState(layout);
  if (state) {
    const components = componentsOf(layout, state);
    for (const tier of [...new Set(components.map((c) => c.tier))].sort().reverse()) {
      await Promise.all(components.filter((c) => c.tier === tier).map((c) => stopProcess(componentPidFile(layout, c.name))));
    }
  }
  if (opts.purge) rmSync(layout.dir, { recursive: true, force: true });
}

export type ComponentState = 'running' | 'unhealthy' | 'died' | 'stopped';

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly state: ComponentState;
  readonly pid?: number;
  readonly detail: string;
  readonly logFile: string;
}

export interface ClusterStatus {
  readonly exists: boolean;
  readonly layout: ClusterLayout;
  readonly server?: string;
  readonly components: ComponentStatus[];
  readonly nodes?: { readonly ready: number; readonly total: number };
  readonly healthy: boolean;
}

/** Each component's process and health; a component that died says so with its last log lines. */
export async function status(dir: string): Promise<ClusterStatus> {
  const layout = clusterLayout(dir);
  const state = readState(layout);
  if (!state) return { exists: false, layout, components: [], healthy: false };
  const pki = pkiPaths(layout.pkiDir);
  const components = await Promise.all(
    componentsOf(layout, state).map(async (c): Promise<ComponentStatus> => {
      const logFile = componentLogFile(layout, c.name);
      const record = readProcessRecord(componentPidFile(layout, c.name));
      if (!record) return { name: c.name, state: 'stopped', detail: 'not started', logFile };
      if (!isAlive(record)) return { name: c.name, state: 'died', pid: record.pid, detail: `exited; last log lines:\n${indent(tailFile(logFile))}`, logFile };
      const result = await probe(c.health, pki);
      return { name: c.name, state: result.healthy ? 'running' : 'unhealthy', pid: record.pid, detail: `${c.health.url}: ${result.detail}`, logFile };
    }),
  );
  let nodes: ClusterStatus['nodes'];
  if (components.find((c) => c.name === 'kube-apiserver')?.state === 'running') {
    try {
      const list = await loadKubeConfig(layout.kubeconfig)
        .makeApiClient(CoreV1Api)
        .listNode({ labelSelector: `${fakeNodeLabel}=true` });
      nodes = { ready: list.items.filter(isNodeReady).length, total: list.items.length };
    } catch {
      nodes = undefined;
    }
  }
  const healthy = components.every((c) => c.state === 'running') && nodes !== undefined && nodes.ready === state.nodes;
  return { exists: true, layout, server: `https://127.0.0.1:${state.ports.apiserver}`, components, ...(nodes ? { nodes } : {}), healthy };
}
