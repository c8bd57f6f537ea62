import { readFileSync } from 'node:fs';
import { fromProjectRoot } from '../project.ts';

/** Versions of the local control plane's components, pinned in scripts/versions.env. */
export interface ControlPlaneVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly kwok: string;
}

const keys = { K8S_VERSION: 'kubernetes', ETCD_VERSION: 'etcd', KWOK_VERSION: 'kwok' } as const;

/** Parses the KEY=VALUE lines of versions.env (the same file the bash build script sources). */
export function parseVersionsEnv(text: string): ControlPlaneVersions {
  const found: Partial<Record<keyof ControlPlaneVersions, string>> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z0-9_]+)=(\S+)$/.exec(line);
    if (!match) throw new Error(`versions.env: cannot read line ${JSON.stringify(raw)}; expected KEY=value`);
    const field = keys[match[1] as keyof typeof keys];
    if (field) found[field] = match[2]!;
  }
  const missing = Object.entries(keys)
    .filter(([, field]) => !found[field])
    .map(([key]) => key);
  if (missing.length > 0) throw new Error(`versions.env: missing ${missing.join(', ')}`);
  return found as ControlPlaneVersions;
}

export function readControlPlaneVersions(): ControlPlaneVersions {
  return parseVersionsEnv(readFileSync(fromProjectRoot('scripts', 'versions.env'), 'utf8'));
}
