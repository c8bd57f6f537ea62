import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The image's ENV lines, by name. */
function imageEnv(): Record<string, string> {
  return Object.fromEntries([...read('Dockerfile').matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe("the controller's process environment", () => {
  it('is the same for the image and for npm start: V8 semi-spaces and glibc thresholds', () => {
    const env = imageEnv();
    expect(env['NODE_OPTIONS']).toBe('--max-semi-space-size=2');
    expect(env['GLIBC_TUNABLES']).toBe('glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072');
    const script = read('scripts/caravan.sh');
    for (const name of ['NODE_OPTIONS', 'GLIBC_TUNABLES']) expect(script).toContain(`export ${name}=\${${name}:-${env[name]}}`);
  });
});
