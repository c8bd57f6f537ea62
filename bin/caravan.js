#!/usr/bin/env node
// The installed `caravan` (npm install -g): checks the Node version first, because the program's own
// imports fail on older Node with errors that do not say why (client-node 2 needs Node 24).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`caravan: needs Node.js 24 or newer, but ${process.execPath} is ${process.version}. Put Node 24 first on PATH (for example: npm install -g node@24, or nvm use 24).`);
  process.exit(1);
}
await import('../dist/cli/main.js');
