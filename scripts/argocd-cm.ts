// Prints the argocd-cm patch that installs Caravan's Argo CD health checks and actions
// (docs/argocd.md). Run with: scripts/node24 node scripts/argocd-cm.ts [--namespace argocd]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dump } from 'js-yaml';
import { fromProjectRoot } from '../src/project.ts';

/** Argo CD's built-in layout: resource_customizations/<group>/<Kind>/{health.lua,actions/...}. */
export const customizationsRoot = fromProjectRoot('argocd/resource_customizations');

const read = (file: string) => readFileSync(file, 'utf8');
const dirs = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/**
 * The argocd-cm keys for every kind under `root`: `resource.customizations.health.<group>_<Kind>`
 * holds health.lua; `resource.customizations.actions.<group>_<Kind>` holds discovery.lua and one
 * definition per actions/<name>/action.lua, the YAML Argo CD's ResourceActions expects.
 */
export function argocdCmData(root = customizationsRoot): Record<string, string> {
  const data: Record<string, string> = {};
  for (const group of dirs(root)) {
    for (const kind of dirs(path.join(root, group))) {
      const dir = path.join(root, group, kind);
      const key = `${group}_${kind}`;
      if (existsSync(path.join(dir, 'health.lua'))) data[`resource.customizations.health.${key}`] = read(path.join(dir, 'health.lua'));
      const actions = path.join(dir, 'actions');
      if (existsSync(path.join(actions, 'discovery.lua'))) {
        const definitions = dirs(actions)
          .filter((name) => existsSync(path.join(actions, name, 'action.lua')))
          .map((name) => ({ name, 'action.lua': read(path.join(actions, name, 'action.lua')) }));
        data[`resource.customizations.actions.${key}`] = dump(
          { 'discovery.lua': read(path.join(actions, 'discovery.lua')), definitions },
          { lineWidth: -1, noRefs: true },
        );
      }
    }
  }
  return data;
}

/** A ConfigMap to merge into argocd-cm (`kubectl patch --type merge --patch-file`). */
export function argocdCmPatch(namespace = 'argocd', root = customizationsRoot): string {
  return dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace }, data: argocdCmData(root) }, { lineWidth: -1, noRefs: true });
}

if (import.meta.main) {
  const at = process.argv.indexOf('--namespace');
  process.stdout.write(argocdCmPatch(at > 0 ? process.argv[at + 1] : undefined));
}
