import type { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';

/** A raw GET against the API server with the kubeconfig's credentials (for OpenAPI and Table views). */
export async function rawGet(kc: KubeConfig, path: string, accept = 'application/json'): Promise<unknown> {
  const options: https.RequestOptions = { headers: { Accept: accept } };
  await kc.applyToHTTPSOptions(options);
  const url = new URL(path, kc.getCurrentCluster()!.server);
  return new Promise((resolve, reject) => {
    https
      .get(url, options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body}`))));
      })
      .on('error', reject);
  });
}
