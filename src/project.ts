import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project's root folder, whether running from src/ (tests, scripts) or dist/ (built). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function fromProjectRoot(...segments: string[]): string {
  return path.join(projectRoot, ...segments);
}
