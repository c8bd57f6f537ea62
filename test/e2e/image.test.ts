import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromProjectRoot } from '../../src/project.ts';

// Issue 16: the image `npm run image` builds (scripts/build-image.sh, from scratch with umoci).
// It checks the image that is there: building it takes minutes, so this test does not. Where
// podman can run containers it uses `podman run`; elsewhere (this machine's podman cannot set
// rlimits) it unpacks the layers with umoci and runs the entrypoint in a chroot as the image's user.

const layout = fromProjectRoot('build', 'image', 'oci');
const { version } = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { version: string };
const has = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const ready = existsSync(layout) && has('umoci') && process.getuid?.() === 0;
const chroot = ['/usr/sbin/chroot', '/usr/bin/chroot'].find((p) => existsSync(p)) ?? 'chroot';
const unpacked = mkdtempSync(path.join(os.tmpdir(), 'caravan-image-'));

interface RuntimeConfig {
  process: { user: { uid: number; gid: number }; args: string[]; env: string[]; cwd: string };
}

function du(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += du(full);
    else if (entry.isFile()) bytes += statSync(full).size;
  }
  return bytes;
}

describe.skipIf(!ready)(`the image in build/image/oci (npm run image; skipped when it is not built)`, () => {
  let config: RuntimeConfig;
  const rootfs = path.join(unpacked, 'bundle', 'rootfs');

  /** The image's entrypoint with `args`, as its user, with only the image's environment. */
  function run(args: string[]): string {
    const [entrypoint] = config.process.args;
    const env = Object.fromEntries(config.process.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const { uid, gid } = config.process.user;
    return execFileSync(chroot, [`--userspec=${uid}:${gid}`, rootfs, `/usr/local/bin/${entrypoint}`, ...args], { encoding: 'utf8', env, cwd: '/' });
  }

  it('unpacks', () => {
    execFileSync('umoci', ['unpack', '--image', `${layout}:${version}`, path.join(unpacked, 'bundle')], { stdio: 'ignore' });
    config = JSON.parse(readFileSync(path.join(unpacked, 'bundle', 'config.json'), 'utf8')) as RuntimeConfig;
  }, 120_000);

  it('runs as the non-root user 1000:1000, entrypoint caravan, command controller', () => {
    expect(config.process.user).toMatchObject({ uid: 1000, gid: 1000 });
    expect(config.process.args).toEqual(['caravan', 'controller']);
  });

  it('caravan --version prints the package version', () => {
    expect(run(['--version']).trim()).toBe(version);
  }, 60_000);

  it('caravan controller --help', () => {
    expect(run(['controller', '--help'])).toContain('Usage: caravan controller');
  }, 60_000);

  it('kubectl-nomad is there too', () => {
    expect(run(['--help'])).toContain('controller');
    expect(readlinkSync(path.join(rootfs, 'usr', 'local', 'bin', 'kubectl-nomad'))).toBe('/app/dist/plugin/main.js');
  }, 60_000);

  it('holds no dev dependency, and no shell', () => {
    const lock = JSON.parse(readFileSync(fromProjectRoot('package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const dev = Object.entries(lock.packages)
      .filter(([p, meta]) => p.startsWith('node_modules/') && meta.dev)
      .map(([p]) => p);
    expect(dev.length).toBeGreaterThan(0);
    expect(dev.filter((p) => existsSync(path.join(rootfs, 'app', p)))).toEqual([]);
    expect(existsSync(path.join(rootfs, 'bin', 'sh'))).toBe(false);
  });

  it('reports its size', () => {
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const size = { unpacked: du(rootfs), compressed: du(path.join(layout, 'blobs')) };
    console.log(`image size: ${mb(size.compressed)} compressed, ${mb(size.unpacked)} unpacked`);
    expect(size.unpacked).toBeLessThan(400 * 2 ** 20);
  });
});

afterAll(() => rmSync(unpacked, { recursive: true, force: true }));
