import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Certificate and key files of a local cluster. */
export interface ClusterPki {
  readonly caCert: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  /** The API server's identity when it proxies to aggregated APIs (front proxy). */
  readonly frontProxyCert: string;
  readonly frontProxyKey: string;
  /** Signs and verifies service-account tokens. */
  readonly serviceAccountKey: string;
}

export function pkiPaths(pkiDir: string): ClusterPki {
  const f = (name: string) => path.join(pkiDir, name);
  return {
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    apiserverCert: f('apiserver.crt'),
    apiserverKey: f('apiserver.key'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
    frontProxyCert: f('front-proxy-client.crt'),
    frontProxyKey: f('front-proxy-client.key'),
    serviceAccountKey: f('sa.key'),
  };
}

/** Subject alternative names the API server's certificate covers (loopback and in-cluster names). */
export const apiserverSubjectAltNames = [
  'IP:127.0.0.1',
  'IP:10.96.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed; it makes the local cluster certificates (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Creates a CA, the API server's serving certificate and an admin client certificate
 * (group system:masters) with openssl, once. Existing files are kept so a restarted cluster keeps
 * trusting the same kubeconfig.
 */
export async function ensurePki(pkiDir: string): Promise<ClusterPki> {
  const pki = pkiPaths(pkiDir);
  if (Object.values(pki).every((file) => existsSync(file))) return pki;
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const days = '3650';
  await openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days, '-keyout', pki.caKey, '-out', pki.caCert, '-subj', '/CN=caravan-local-ca'],
    pkiDir,
  );

  writeFileSync(path.join(pkiDir, 'server.ext'), `subjectAltName=${apiserverSubjectAltNames.join(',')}\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(path.join(pkiDir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const signed = async (name: string, subject: string, ext: string, cert: string, key: string) => {
    const csr = path.join(pkiDir, `${name}.csr`);
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', subject], pkiDir);
    await openssl(
      ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-days', days, '-extfile', ext, '-out', cert],
      pkiDir,
    );
  };
  await signed('apiserver', '/CN=kube-apiserver', 'server.ext', pki.apiserverCert, pki.apiserverKey);
  await signed('admin', '/O=system:masters/CN=caravan-admin', 'client.ext', pki.adminCert, pki.adminKey);
  await signed('front-proxy-client', '/CN=front-proxy-client', 'client.ext', pki.frontProxyCert, pki.frontProxyKey);
  await openssl(['genrsa', '-out', pki.serviceAccountKey, '2048'], pkiDir);
  return pki;
}
