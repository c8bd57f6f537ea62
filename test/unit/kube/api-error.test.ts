import { ApiException, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { apiErrorCode, explainKubernetesError, formatKubernetesError, KubernetesError, kubernetesErrorStatus } from '../../../src/kube/api-error.ts';
import { createLogger } from '../../../src/log/logger.ts';

// Response headers as an API server sends them; client-node copies every one into the exception.
const headers = {
  'audit-id': '6f0c3c56-61d4-4b8e-a1f5-0b0f2b1c9b7e',
  'cache-control': 'no-cache, private',
  'content-type': 'application/json',
  date: 'Sat, 06 Dec 2025 19:30:00 GMT',
  'x-kubernetes-pf-flowschema-uid': '0d9a5d5c-4b4d-4d6b-9e0c-8e1b3c3f6a11',
  'x-kubernetes-pf-prioritylevel-uid': 'a0a4c5e2-7c2b-4a8e-bb51-5e2b0f3f4c22',
};

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });

/** Status bodies as kube-apiserver writes them, and how client-node's generated clients throw them. */
const answered: [string, ApiException<unknown>, { code: number; reason: string; message: string }][] = [
  [
    'NotFound',
    new ApiException(
      404,
      'Unknown API Status Code!',
      status(404, 'NotFound', 'nomadjobs.caravan.dev "web" not found', { name: 'web', group: 'caravan.dev', kind: 'nomadjobs' }),
      headers,
    ),
    { code: 404, reason: 'NotFound', message: 'nomadjobs.caravan.dev "web" not found' },
  ],
  [
    'AlreadyExists (409)',
    new ApiException(409, 'Unknown API Status Code!', status(409, 'AlreadyExists', 'pods "web-frontend-0-v1" already exists'), headers),
    { code: 409, reason: 'AlreadyExists', message: 'pods "web-frontend-0-v1" already exists' },
  ],
  [
    'Conflict',
    new ApiException(
      409,
      'Unknown API Status Code!',
      status(
        409,
        'Conflict',
        'Operation cannot be fulfilled on nomadjobs.caravan.dev "web": the object has been modified; please apply your changes to the latest version and try again',
      ),
      headers,
    ),
    {
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on nomadjobs.caravan.dev "web": the object has been modified; please apply your changes to the latest version and try again',
    },
  ],
  [
    'Forbidden',
    new ApiException(
      403,
      'Unknown API Status Code!',
      status(
        403,
        'Forbidden',
        'pods is forbidden: User "system:serviceaccount:shop:deployer" cannot create resource "pods" in API group "" in the namespace "shop"',
      ),
      headers,
    ),
    {
      code: 403,
      reason: 'Forbidden',
      message: 'pods is forbidden: User "system:serviceaccount:shop:deployer" cannot create resource "pods" in API group "" in the namespace "shop"',
    },
  ],
  [
    'Invalid, with a multi-line message',
    new ApiException(
      422,
      'Unknown API Status Code!',
      status(
        422,
        'Invalid',
        'NomadJob.caravan.dev "web" is invalid: spec.update: Invalid value: "object": Minimum healthy time must be less than healthy deadline: 6m > 5m',
      ),
      headers,
    ),
    {
      code: 422,
      reason: 'Invalid',
      message: 'NomadJob.caravan.dev "web" is invalid: spec.update: Invalid value: "object": Minimum healthy time must be less than healthy deadline: 6m > 5m',
    },
  ],
  // The generated clients drop the body of a 401 ("Unauthorized", undefined).
  ['Unauthorized, without a body', new ApiException(401, 'Unauthorized', undefined, headers), { code: 401, reason: 'Unauthorized', message: 'Unauthorized' }],
  // Log and metrics requests parse the Status before throwing.
  [
    'a Status already parsed',
    new ApiException(
      400,
      'container "app" in pod "web-0" is waiting to start',
      { kind: 'Status', code: 400, reason: 'BadRequest', message: 'container "app" in pod "web-0" is waiting to start' },
      {},
    ),
    { code: 400, reason: 'BadRequest', message: 'container "app" in pod "web-0" is waiting to start' },
  ],
  [
    'a proxy error page',
    new ApiException(502, 'Unknown API Status Code!', '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>', {
      'content-type': 'text/html',
    }),
    { code: 502, reason: 'Unknown', message: '502 Bad Gateway' },
  ],
  [
    'a plain-text answer',
    new ApiException(500, 'Unknown API Status Code!', 'upstream connect error\nreset reason: overflow', { 'content-type': 'text/plain' }),
    { code: 500, reason: 'InternalError', message: 'upstream connect error' },
  ],
  [
    'a Status without a message',
    new ApiException(503, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', code: 503 }), headers),
    { code: 503, reason: 'ServiceUnavailable', message: 'HTTP 503' },
  ],
];

describe('a Kubernetes API error', () => {
  it.each(answered)('%s is its Status: code, reason and message', (_, error, expected) => {
    expect(error.message).toContain('Headers:');
    expect(kubernetesErrorStatus(error)).toEqual(expected);
  });

  it('prints as kubectl prints it, on one line, without the headers', () => {
    const [, notFound] = answered[0]!;
    expect(formatKubernetesError(kubernetesErrorStatus(notFound)!)).toBe('Error from server (NotFound): nomadjobs.caravan.dev "web" not found');
  });

  it('is one, as client-node really raises it from an answer', async () => {
    // A server answering with a recorded Status: this checks client-node's wrapping, not Kubernetes.
    const server = https.createServer(selfSignedCertificate(), (_, res) => {
      res.writeHead(404, headers);
      res.end(status(404, 'NotFound', 'pods "web-0" not found', { name: 'web-0', kind: 'pods' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await kubeConfigFor(`https://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { skipTLSVerify: true })
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ name: 'web-0', namespace: 'shop' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiException);
      expect(kubernetesErrorStatus(error)).toEqual({ code: 404, reason: 'NotFound', message: 'pods "web-0" not found' });
      expect(apiErrorCode(error)).toBe(404);
    } finally {
      server.close();
    }
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['a system error that is not about connecting', Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })],
  ])('is not made of %s', (_, error) => {
    expect(kubernetesErrorStatus(error)).toBeUndefined();
    expect(explainKubernetesError(error, {})).toBe(error);
  });
});

function kubeConfigFor(server: string, opts: { skipTLSVerify?: boolean } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: opts.skipTLSVerify ?? false }],
    users: [{ name: 'u', token: 'token' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

/** A certificate no kubeconfig trusts. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caravan-tls-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=not-the-api-server', '-days', '1'], {
    stdio: 'ignore',
  });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('an API server that cannot be reached', () => {
  it('is named with the address tried and what to check, instead of "fetch failed"', async () => {
    const server = `https://127.0.0.1:${await closedLoopbackPort()}`;
    const error = await kubeConfigFor(server)
      .makeApiClient(VersionApi)
      .getCode()
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('fetch failed');
    const explained = explainKubernetesError(error, { server, kubeconfig: '/home/me/.kube/config' });
    expect(explained).toBeInstanceOf(KubernetesError);
    expect((explained as KubernetesError).status).toEqual({
      code: 0,
      reason: 'ECONNREFUSED',
      message: `cannot reach the Kubernetes API server at ${server}: connection refused (ECONNREFUSED). Is the cluster running? For the local cluster: npm run caravan -- cluster status; otherwise check the server address in the KUBECONFIG in use (/home/me/.kube/config).`,
    });
    expect((explained as Error).message).toBe((explained as KubernetesError).status.message);
    expect((explained as Error).cause).toBe(error);
    expect(apiErrorCode(explained)).toBeUndefined();
  });

  it('is named by the address the connection went to when the kubeconfig is not at hand (logs)', async () => {
    const port = await closedLoopbackPort();
    // The informer lists through node:https, whose error is the system error itself.
    const error = await new Promise((resolve) => https.get(`https://127.0.0.1:${port}/api/v1/pods`).on('error', resolve));
    expect(kubernetesErrorStatus(error)?.message).toMatch(
      new RegExp(`^cannot reach the Kubernetes API server at 127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)\\. Is the cluster running\\?`),
    );
  });

  it('says which certificate check failed', async () => {
    const tls = https.createServer(selfSignedCertificate(), (_, res) => res.end('{}'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const server = `https://127.0.0.1:${(tls.address() as net.AddressInfo).port}`;
      const error = await kubeConfigFor(server)
        .makeApiClient(VersionApi)
        .getCode()
        .catch((e: unknown) => e);
      expect(kubernetesErrorStatus(error, { server })).toEqual({
        code: 0,
        reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        message: expect.stringMatching(
          new RegExp(
            `^cannot reach the Kubernetes API server at ${server}: its TLS certificate was not accepted \\(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate.*\\)\\. Check the cluster's certificate-authority in the KUBECONFIG in use: is it this server's\\?$`,
          ),
        ),
      });
    } finally {
      tls.close();
    }
  });

  it('with a host name that does not resolve, says so', async () => {
    const error = await kubeConfigFor('https://api.cluster.invalid:6443')
      .makeApiClient(VersionApi)
      .getCode()
      .catch((e: unknown) => e);
    expect(kubernetesErrorStatus(error, { server: 'https://api.cluster.invalid:6443' })?.message).toMatch(
      /^cannot reach the Kubernetes API server at https:\/\/api\.cluster\.invalid:6443: the host name api\.cluster\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)\./,
    );
  });
});

describe('the logger', () => {
  function capture(apiServer?: { server: string }) {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    return { lines, logger: createLogger({ pretty: false, destination, ...(apiServer ? { apiServer } : {}) }) };
  }

  it('logs a Kubernetes API error as its Status, on one line, without headers or body', () => {
    const { lines, logger } = capture();
    const [, conflict] = answered[2]!;
    logger.warn({ namespace: 'shop', job: 'web', retryInMs: 1000, err: conflict }, 'reconcile failed; retrying');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ namespace: 'shop', job: 'web', msg: 'reconcile failed; retrying' });
    expect(line['err']).toEqual({ type: 'KubernetesError', code: 409, reason: 'Conflict', message: expect.stringContaining('the object has been modified') });
    expect(lines[0]).not.toContain('audit-id');
  });

  it('logs an unreachable API server with the address from the kubeconfig', async () => {
    const server = `https://127.0.0.1:${await closedLoopbackPort()}`;
    const { lines, logger } = capture({ server });
    const error = await kubeConfigFor(server)
      .makeApiClient(VersionApi)
      .getCode()
      .catch((e: unknown) => e);
    logger.warn({ resource: 'pods', err: error }, 'pods watch failed; reconnecting');
    const line = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(line.err).toEqual({
      type: 'KubernetesError',
      code: 0,
      reason: 'ECONNREFUSED',
      message: expect.stringContaining(`cannot reach the Kubernetes API server at ${server}: connection refused`),
    });
  });

  it('logs other errors as pino does', () => {
    const { lines, logger } = capture();
    logger.error({ err: new RangeError('out of range') }, 'failed');
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: { type: 'RangeError', message: 'out of range', stack: expect.stringContaining('RangeError') } });
  });
});
