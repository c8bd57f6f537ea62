import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The project's root folder: the nearest folder above this module with a package.json. This
 * module is src/project.ts (tests, scripts), dist/project.js (tsc's output) or inside one of the
 * bundled programs, dist/cli/main.js and dist/plugin/main.js (scripts/bundle.ts).
 */
export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export function fromProjectRoot(...segments: string[]): string {
  return path.join(projectRoot, ...segments);
}
