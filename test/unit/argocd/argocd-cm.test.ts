import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { argocdCmData, argocdCmPatch, customizationsRoot } from '../../../scripts/argocd-cm.ts';
import { fromProjectRoot } from '../../../src/project.ts';

const scripts = readdirSync(customizationsRoot, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.lua'))
  .sort();

interface Actions {
  'discovery.lua': string;
  definitions: { name: string; 'action.lua': string }[];
}

/** Every script under argocd/resource_customizations/, found in argocd-cm `data`, by where Argo CD looks for it. */
function scriptsIn(data: Record<string, string>): string[] {
  return Object.entries(data)
    .flatMap(([key, value]) => {
      const [, what, groupKind] = /^resource\.customizations\.(health|actions)\.(.+)$/.exec(key)!;
      const dir = groupKind!.replace('_', '/');
      if (what === 'health') return [[`${dir}/health.lua`, value]];
      const actions = load(value) as Actions;
      return [
        [`${dir}/actions/discovery.lua`, actions['discovery.lua']],
        ...actions.definitions.map((d) => [`${dir}/actions/${d.name}/action.lua`, d['action.lua']]),
      ];
    })
    .map(([file, text]) => {
      expect(text, file).toBe(readFileSync(path.join(customizationsRoot, file!), 'utf8'));
      return file!;
    })
    .sort();
}

describe('the argocd-cm patch', () => {
  it('carries every script, unchanged, under the key Argo CD reads it from', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(7);
    expect(scriptsIn(argocdCmData())).toEqual(scripts);
  });

  it('is a ConfigMap patch for argocd-cm in the namespace asked for', () => {
    const patch = load(argocdCmPatch('gitops')) as { kind: string; metadata: object; data: Record<string, string> };
    expect(patch).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'gitops' } });
    expect(Object.keys(patch.data).sort()).toEqual([
      'resource.customizations.actions.caravan.dev_NomadDeployment',
      'resource.customizations.health.caravan.dev_NomadDeployment',
      'resource.customizations.health.caravan.dev_NomadJob',
    ]);
  });

  describe('the shell snippet in docs/argocd.md', () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'caravan-argocd-cm-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('writes the same data as scripts/argocd-cm.ts', () => {
      const doc = readFileSync(fromProjectRoot('docs/argocd.md'), 'utf8');
      const snippet = /<!-- argocd-cm\.sh:[^\n]*-->\n```sh\n([\s\S]*?)```/.exec(doc)?.[1];
      expect(snippet, 'the marked sh block in docs/argocd.md').toBeDefined();
      symlinkSync(fromProjectRoot('argocd'), path.join(work, 'argocd'));
      execFileSync('sh', ['-e', '-c', snippet!], { cwd: work });
      const { data } = load(readFileSync(path.join(work, 'argocd-cm-patch.yaml'), 'utf8')) as { data: Record<string, string> };
      expect(scriptsIn(data)).toEqual(scripts);
      const parsed = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, k.includes('.actions.') ? load(v) : v]));
      expect(parsed(data)).toEqual(parsed(argocdCmData()));
    });
  });
});
