/**
 * Caravan's layer rules (../shared/style.md, "Caravan's shape"), checked by `npm run lint` and so
 * by `npm test`. The arrows point one way: controller uses planner, resources and kube; api,
 * plugin and metrics use resources and kube, never controller; planner uses model; model and
 * planner touch no network, clock or file. The CLI wires everything.
 */
// Resolved names: Node's built-ins as written, packages by their folder under node_modules.
const io = '^(node:)?(fs|fs/promises|child_process|http|https|net|tls|dgram|dns|os|cluster|worker_threads|readline)$|node_modules/(@kubernetes/client-node|fastify|pino|prom-client|p-queue)/';
module.exports = {
  forbidden: [
    {
      name: 'pure-core-no-io',
      comment: 'model and planner are pure: no I/O modules (types from the Kubernetes client are allowed in model for the Pod shape)',
      severity: 'error',
      from: { path: '^src/(model|planner)/' },
      to: { path: io, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'planner-no-kubernetes-types',
      comment: 'the planner decides on its own observed types, never on Kubernetes objects',
      severity: 'error',
      from: { path: '^src/planner/' },
      to: { path: 'node_modules/@kubernetes/client-node/' },
    },
    {
      name: 'pure-core-stays-down',
      comment: 'model and planner import no shell layer',
      severity: 'error',
      from: { path: '^src/(model|planner)/' },
      to: { path: '^src/(resources|kube|controller|api|plugin|metrics|cli|cluster|convert|crd|log)/' },
    },
    {
      name: 'model-not-planner',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/planner/' },
    },
    {
      name: 'resources-are-codecs',
      comment: 'resources hold types, labels and codecs: they build on model only',
      severity: 'error',
      from: { path: '^src/resources/' },
      to: { path: '^src/(kube|controller|api|plugin|metrics|cli|cluster|convert|log)/' },
    },
    {
      name: 'kube-not-above',
      comment: 'kube (client, informers, caches, leader election) knows no controller, API or plugin',
      severity: 'error',
      from: { path: '^src/kube/' },
      to: { path: '^src/(controller|api|plugin|cli|metrics)/' },
    },
    {
      name: 'readers-not-controller',
      comment: 'the HTTP APIs, the kubectl plugin and the metrics read resources and caches, never the controller',
      severity: 'error',
      from: { path: '^src/(api|plugin|metrics)/' },
      to: { path: '^src/controller/' },
    },
    {
      name: 'src-not-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the Go port) has no compiler API for dependency-cruiser to use; swc parses TypeScript instead.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
