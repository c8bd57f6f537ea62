import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterView } from '../../../src/api/cluster-view.ts';
import { KubernetesAccess } from '../../../src/api/kubernetes-access.ts';
import { nomadApiRoutes } from '../../../src/api/routes/index.ts';
import { startNomadApi, type RunningNomadApi } from '../../../src/api/server.ts';
import { TableIndexes } from '../../../src/api/table-indexes.ts';
import { createClusterCaches, type ClusterCaches } from '../../../src/kube/cluster-caches.ts';
import { clusterClients, freshNamespace } from '../kube.ts';
import { tokenFor } from './api-harness.ts';

const { kc, core } = clusterClients();

function get(port: number, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/v1/regions', ca, servername: 'localhost', headers: { 'X-Nomad-Token': token } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

describe('the Nomad API over TLS', () => {
  let cluster: ClusterCaches;
  let indexes: TableIndexes;
  let view: ClusterView;
  let api: RunningNomadApi;
  let cert: string;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caravan-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    cluster = createClusterCaches(kc);
    await cluster.start();
    indexes = new TableIndexes(cluster);
    view = new ClusterView(cluster);
    api = await startNomadApi({ kc, cluster, indexes, access: new KubernetesAccess(kc), knownLeader: () => true }, nomadApiRoutes(view), {
      port: 0,
      host: '127.0.0.1',
      tls: { cert, key: readFileSync(path.join(dir, 'key.pem'), 'utf8') },
    });
  });
  afterAll(async () => {
    await api?.close();
    indexes?.close();
    view?.close();
    cluster?.stop();
  });

  it('serves HTTPS with the given certificate, and still asks for a token', async () => {
    const namespace = await freshNamespace(core, 'tls');
    const token = await tokenFor(namespace, 'someone');
    expect(await get(api.port, cert, token)).toEqual({ status: 200, body: '["global"]' });
    expect((await get(api.port, cert, '')).status).toBe(403);
    await expect(get(api.port, '', token)).rejects.toThrow(); // an unknown CA is refused by the client
  });
});
