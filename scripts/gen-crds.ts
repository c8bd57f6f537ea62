// Writes crds/*.yaml from src/crd/ (run with: npm run gen:crds).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderCrdFiles } from '../src/crd/render.ts';
import { fromProjectRoot } from '../src/project.ts';

for (const [name, text] of Object.entries(renderCrdFiles())) {
  const file = path.join(fromProjectRoot('crds'), name);
  writeFileSync(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
