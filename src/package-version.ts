import { readFileSync } from 'node:fs';
import { fromProjectRoot } from './project.ts';

/**
 * The version in package.json, which `caravan --version` and `kubectl nomad --version` print. It is
 * read from the file, not from npm_package_version: that variable is set only under `npm run`, so an
 * installed `caravan` (npm install -g, the image) used to print a hard-coded fallback.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${fromProjectRoot('package.json')} has no "version"`);
  return manifest.version;
}
