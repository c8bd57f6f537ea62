import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthProbe } from './components.ts';
import type { ClusterPki } from './pki.ts';

export interface ProbeResult {
  readonly healthy: boolean;
  readonly detail: string;
}

/** One GET against a component's health endpoint; never throws. */
export function probe(target: HealthProbe, pki: ClusterPki, timeoutMs = 2_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const done = (healthy: boolean, detail: string) => resolve({ healthy, detail });
    const onResponse = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(res.statusCode === 200, `HTTP ${res.statusCode}${res.statusCode === 200 ? '' : `: ${body.trim().slice(0, 300)}`}`));
    };
    let req: http.ClientRequest;
    if (target.kind === 'http') {
      req = http.get(target.url, { timeout: timeoutMs }, onResponse);
    } else {
      const tls: https.RequestOptions =
        target.kind === 'https'
          ? {
              ca: readFileSync(pki.caCert),
              ...(target.clientCert ? { cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) } : {}),
            }
          : { rejectUnauthorized: false };
      req = https.get(target.url, { ...tls, timeout: timeoutMs }, onResponse);
    }
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (error) => done(false, error.message));
  });
}

/**
 * Polls until healthy, or until `ended()` says how the process ended (undefined while it runs), or
 * the deadline passes.
 */
export async function waitHealthy(
  target: HealthProbe,
  pki: ClusterPki,
  opts: { timeoutMs: number; ended: () => string | undefined; what: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: ProbeResult = { healthy: false, detail: 'not probed yet' };
  while (Date.now() < deadline) {
    const ended = opts.ended();
    if (ended !== undefined) throw new Error(`${opts.what} exited while starting (${ended})`);
    last = await probe(target, pki);
    if (last.healthy) return;
    await sleep(250);
  }
  throw new Error(`${opts.what} did not become healthy in ${opts.timeoutMs / 1000} s (${target.url}: ${last.detail})`);
}
