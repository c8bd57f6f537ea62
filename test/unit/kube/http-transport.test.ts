import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialRefreshMs, pooledAuthentication } from '../../../src/kube/http-transport.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'caravan-transport-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
}

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: false, ...cluster }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function send(auth: ReturnType<typeof pooledAuthentication>): Promise<RequestContext> {
  const context = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
  await auth.applySecurityAuthentication(context);
  return context;
}

describe('pooledAuthentication', () => {
  it('reads TLS files once per refresh interval, and a rotated certificate after it gets a pool of its own', async () => {
    const certFile = file('client.crt', 'certificate one');
    const kc = kubeconfig({ certFile, keyFile: file('client.key', 'key') }, { caFile: file('ca.crt', 'ca') });
    const pools = new Map<string, Agent>();
    let now = 1_000_000;
    const auth = pooledAuthentication(kc, pools, () => now);

    const first = (await send(auth)).getDispatcher();
    writeFileSync(certFile, 'certificate two');
    now += credentialRefreshMs - 1;
    expect((await send(auth)).getDispatcher()).toBe(first);
    expect(pools.size).toBe(1);

    now += 1;
    const rotated = (await send(auth)).getDispatcher();
    expect(rotated).not.toBe(first);
    expect(pools.size).toBe(2);
  });

  it('sends the kubeconfig token, basic auth and Caravan as the user agent', async () => {
    const bearer = await send(pooledAuthentication(kubeconfig({ token: 'abc' }), new Map()));
    expect(bearer.getHeaders()).toMatchObject({ Authorization: 'Bearer abc', 'User-Agent': expect.stringMatching(/^caravan\/\d/) });
    const basic = await send(pooledAuthentication(kubeconfig({ username: 'ada', password: 'pw' }), new Map()));
    expect(basic.getHeaders()['Authorization']).toBe(`Basic ${Buffer.from('ada:pw').toString('base64')}`);
  });

  it("sends an in-cluster token file's token", async () => {
    const tokenFile = file('token', 'from-file');
    const context = await send(pooledAuthentication(kubeconfig({ authProvider: { name: 'tokenFile', config: { tokenFile } } }), new Map()));
    expect(context.getHeaders()['Authorization']).toBe('Bearer from-file');
  });

  it('does not remember a failed read: the next request reads again', async () => {
    const certFile = path.join(dir, 'later.crt');
    const auth = pooledAuthentication(kubeconfig({ certFile, keyFile: file('client.key', 'key') }), new Map(), () => 0);
    await expect(send(auth)).rejects.toThrow(/ENOENT/);
    writeFileSync(certFile, 'certificate');
    expect((await send(auth)).getDispatcher()).toBeDefined();
  });
});
