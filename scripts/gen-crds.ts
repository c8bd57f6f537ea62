// Writes crds/*.yaml, and the Helm chart's copy in charts/caravan/files/crds, from src/crd/
// (run with: npm run gen:crds).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCrdFiles } from '../src/crd/render.ts';
import { fromProjectRoot } from '../src/project.ts';

for (const [name, text] of Object.entries(renderCrdFiles())) {
  for (const dir of [fromProjectRoot('crds'), fromProjectRoot('charts', 'caravan', 'files', 'crds')]) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
