// Bundles the two programs Caravan ships, `caravan` (src/cli/main.ts) and `kubectl-nomad`
// (src/plugin/main.ts), each into one file under dist/, over what tsc emitted there. Why:
// importing @kubernetes/client-node loads its ~1,000 generated modules whole, even for
// KubeConfig alone (config.js imports gen/index.js): from its installed files a Node process
// holds 25 MiB more heap and 67 MiB more RSS, and a command starts in 0.6 s instead of 0.3 s
// (docs/performance.md). Bundled, only what Caravan reaches is loaded, in one file.
// The other dependencies stay external, loaded from node_modules as installed: some find their
// own files at run time (pino's worker transports, hcl2json's WebAssembly).
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fromProjectRoot } from '../src/project.ts';

const manifest = JSON.parse(readFileSync(fromProjectRoot('package.json'), 'utf8')) as { dependencies: Record<string, string> };
const bundled = new Set(['@kubernetes/client-node']);
const external = Object.keys(manifest.dependencies).filter((name) => !bundled.has(name));
const entries = { 'cli/main': 'src/cli/main.ts', 'plugin/main': 'src/plugin/main.ts' };

await build({
  absWorkingDir: fromProjectRoot(),
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external,
  // Bundled CommonJS (client-node's dependencies) calls require() for Node's own modules.
  banner: { js: "import { createRequire as caravanCreateRequire } from 'node:module'; const require = caravanCreateRequire(import.meta.url);" },
  // Names kept and no renaming: a stack trace in a log still reads as the source does.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const out of Object.keys(entries)) chmodSync(path.join(fromProjectRoot('dist'), `${out}.js`), 0o755);
