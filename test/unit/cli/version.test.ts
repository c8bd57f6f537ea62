import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromProjectRoot } from '../../../src/project.ts';

// Issue 16: an installed caravan (npm install -g, the image) printed a hard-coded 0.1.0, because
// npm_package_version is only set under `npm run`.
const { version } = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { version: string };

describe('--version prints the version in package.json, outside npm too', () => {
  it.each([
    ['caravan', 'src/cli/main.ts'],
    ['kubectl-nomad', 'src/plugin/main.ts'],
  ])(
    '%s --version',
    (_, entry) => {
      const env = { ...process.env };
      delete env['npm_package_version'];
      const out = execFileSync(process.execPath, [fromProjectRoot(entry), '--version'], { encoding: 'utf8', env });
      expect(out.trim()).toBe(version);
    },
    60_000,
  );
});
