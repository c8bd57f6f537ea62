import type {
  V1ClusterRole,
  V1Container,
  V1Deployment,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
  V1Service,
} from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromProjectRoot } from '../../src/project.ts';

// Issue 7: deploy/ is a kustomize base whose RBAC is exactly what the controller does. The test
// reads the manifests as written (no kubectl needed); when kubectl is on PATH it also checks that
// kustomize renders the same objects.

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

const deployDir = fromProjectRoot('deploy');

/** The YAML files a kustomization lists (folders are other kustomizations, read by the caller). */
function manifestsOf(dir: string): Manifest[] {
  const kustomization = loadAll(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0] as { resources: string[] };
  return kustomization.resources.filter((r) => r.endsWith('.yaml')).flatMap((file) => loadAll(readFileSync(path.join(dir, file), 'utf8')) as Manifest[]);
}

const base = manifestsOf(path.join(deployDir, 'base'));
const monitoring = manifestsOf(path.join(deployDir, 'monitoring'));

function one<T>(objects: Manifest[], kind: string, name?: string): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind}${name ? ` ${name}` : ''}`).toHaveLength(1);
  return found[0] as unknown as T;
}

const namespace = one<Manifest>(base, 'Namespace').metadata.name;
const deployment = one<V1Deployment>(base, 'Deployment', 'caravan');
const podSpec = deployment.spec!.template.spec!;
const container = podSpec.containers[0]!;
const portNumber = (c: V1Container, port: number | string | undefined) =>
  typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;

/** One line per (API group, resource, resource names): the verbs, sorted. */
function ruleTable(rules: V1PolicyRule[]): Record<string, string> {
  const table: Record<string, string> = {};
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = `${group || 'core'} ${resource}${rule.resourceNames ? ` [${[...rule.resourceNames].sort().join(',')}]` : ''}`;
        expect(table[key], `${key} appears in two rules`).toBeUndefined();
        table[key] = [...rule.verbs].sort().join(',');
      }
    }
  }
  return table;
}

/**
 * The controller's API calls, and where they are made. The ClusterRole must be exactly this: a
 * rule that grows or shrinks fails here until this table (and its reason) says so.
 */
const controllerRules: [rule: string, verbs: string, why: string][] = [
  ['caravan.dev nomadjobs', 'create,delete,get,list,patch,watch', 'NomadJob informer; the Nomad API registers, stops, purges for allowed callers'],
  ['caravan.dev nomadjobs/status', 'patch', 'writeJobStatus (src/controller/reconciler.ts)'],
  ['caravan.dev nomadjobs/finalizers', 'update', 'owner references with blockOwnerDeletion under OwnerReferencesPermissionEnforcement'],
  ['caravan.dev nomaddeployments', 'create,get,list,patch,watch', 'informer; writeDeploymentStatus creates, reads back on 409; the Nomad API writes intent'],
  ['caravan.dev nomaddeployments/status', 'patch', 'writeDeploymentStatus'],
  ['core pods', 'create,delete,list,patch,watch', 'Pod informer; place, stop, mark health/canary/version'],
  ['core pods/exec', 'create,get', 'Nomad alloc restart and alloc signal exec kill into a container for allowed callers (WebSocket: get, and create on 1.35+)'],
  ['core secrets', 'create', "the Nomad API's dispatch writes the payload Secret, owned by the child (src/api/routes/child-jobs.ts)"],
  ['core nodes', 'list,watch', 'Node informer (readiness)'],
  ['core events', 'create,list', "CoreV1Api.createNamespacedEvent (core/v1, not events.k8s.io); the Nomad API reads a Pod's Events"],
  ['events.k8s.io events', 'create,patch', 'transition Events and their series (src/controller/event-recorder.ts)'],
  ['apps controllerrevisions', 'create,delete,get,list,patch,watch', 'job versions (src/kube/job-version-store.ts; watched for the HTTP API)'],
  ['apiextensions.k8s.io customresourcedefinitions', 'create', 'installCrds (src/kube/install-crds.ts)'],
  ['apiextensions.k8s.io customresourcedefinitions [nomaddeployments.caravan.dev,nomadjobs.caravan.dev]', 'get,update', 'installCrds reads and replaces'],
  ['authentication.k8s.io tokenreviews', 'create', 'Nomad HTTP API authenticates callers (issue 6)'],
  ['authorization.k8s.io subjectaccessreviews', 'create', 'Nomad HTTP API authorizes callers (issue 6)'],
];

const leaderElectionRules: [rule: string, verbs: string, why: string][] = [
  ['coordination.k8s.io leases', 'create', 'the first candidate creates the Lease'],
  ['coordination.k8s.io leases [caravan-controller]', 'get,update', 'read, acquire and renew (src/kube/leader-election.ts)'],
];

describe('deploy/ RBAC: least privilege', () => {
  const clusterRole = one<V1ClusterRole>(base, 'ClusterRole', 'caravan-controller');
  const role = one<V1Role>(base, 'Role', 'caravan-leader-election');

  it('has no wildcard in any rule of any role', () => {
    const roles = base.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as unknown as V1Role[];
    const fields = roles.flatMap((r) =>
      (r.rules ?? []).flatMap((rule) => [...rule.verbs, ...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.resourceNames ?? [])]),
    );
    expect(fields.filter((f) => f.includes('*'))).toEqual([]);
    expect(roles.flatMap((r) => r.rules ?? []).filter((rule) => rule.nonResourceURLs)).toEqual([]);
  });

  it.each(controllerRules)('the ClusterRole grants %s: %s (%s)', (rule, verbs) => {
    expect(ruleTable(clusterRole.rules!)[rule]).toBe(verbs);
  });

  it('the ClusterRole grants nothing else', () => {
    expect(ruleTable(clusterRole.rules!)).toEqual(Object.fromEntries(controllerRules.map(([rule, verbs]) => [rule, verbs])));
  });

  it.each(leaderElectionRules)('the leader-election Role grants %s: %s (%s)', (rule, verbs) => {
    expect(ruleTable(role.rules!)[rule]).toBe(verbs);
  });

  it("leader election is a namespaced Role in Caravan's namespace, and nothing else", () => {
    expect(ruleTable(role.rules!)).toEqual(Object.fromEntries(leaderElectionRules.map(([rule, verbs]) => [rule, verbs])));
    expect(
      base
        .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['caravan-aggregate-to-admin', 'caravan-aggregate-to-edit', 'caravan-aggregate-to-view', 'caravan-controller', 'caravan-leader-election']);
    expect(role.metadata?.namespace ?? namespace).toBe(namespace);
  });

  it("binds both roles to the Deployment's ServiceAccount", () => {
    const account = one<Manifest>(base, 'ServiceAccount');
    expect(podSpec.serviceAccountName).toBe(account.metadata.name);
    for (const [kind, roleKind, name] of [
      ['ClusterRoleBinding', 'ClusterRole', 'caravan-controller'],
      ['RoleBinding', 'Role', 'caravan-leader-election'],
    ] as const) {
      const binding = one<V1RoleBinding>(base, kind);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace }]);
    }
  });

  it('the Lease the Role names is the one the controller uses', () => {
    expect(readFileSync(fromProjectRoot('src', 'cli', 'controller-command.ts'), 'utf8')).toContain("name: 'caravan-controller'");
  });
});

/**
 * Issue 16: what a namespace's admin, edit and view roles gain for Caravan's kinds. Users write
 * spec (a job, a deployment's intent); status is read-only, as deployments/status is in the
 * built-in roles; NomadDeployments are created and deleted by the controller only.
 */
const write = 'create,delete,deletecollection,get,list,patch,update,watch';
const steer = 'get,list,patch,update,watch';
const read = 'get,list,watch';
const aggregatedRules: [role: string, label: string, table: Record<string, string>][] = [
  [
    'caravan-aggregate-to-admin',
    'rbac.authorization.k8s.io/aggregate-to-admin',
    {
      'caravan.dev nomadjobs': write,
      'caravan.dev nomaddeployments': steer,
      'caravan.dev nomadjobs/status': read,
      'caravan.dev nomaddeployments/status': read,
    },
  ],
  [
    'caravan-aggregate-to-edit',
    'rbac.authorization.k8s.io/aggregate-to-edit',
    {
      'caravan.dev nomadjobs': write,
      'caravan.dev nomaddeployments': steer,
      'caravan.dev nomadjobs/status': read,
      'caravan.dev nomaddeployments/status': read,
    },
  ],
  [
    'caravan-aggregate-to-view',
    'rbac.authorization.k8s.io/aggregate-to-view',
    { 'caravan.dev nomadjobs': read, 'caravan.dev nomaddeployments': read, 'caravan.dev nomadjobs/status': read, 'caravan.dev nomaddeployments/status': read },
  ],
];

describe('deploy/ aggregated roles for namespace users', () => {
  it.each(aggregatedRules)('%s carries %s and grants exactly its table', (name, label, table) => {
    const role = one<V1ClusterRole>(base, 'ClusterRole', name);
    expect(role.metadata?.labels?.[label]).toBe('true');
    expect(ruleTable(role.rules!)).toEqual(table);
  });

  it('no aggregated role is bound to anyone: the built-in roles carry them', () => {
    const bound = base.filter((o) => o.kind.endsWith('Binding')).map((b) => (b as unknown as V1RoleBinding).roleRef.name);
    expect(bound.filter((n) => n.startsWith('caravan-aggregate-'))).toEqual([]);
  });
});

describe('deploy/ controller Deployment', () => {
  it('runs 2 replicas of `caravan controller`, never fewer than 1 during an update', () => {
    expect(deployment.spec!.replicas).toBe(2);
    expect(deployment.spec!.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(container.args).toEqual(['controller']);
    expect(container.image).toMatch(/^ghcr\.io\/caravan-dev\/caravan:\d+\.\d+\.\d+$/);
  });

  it('gives leader election its namespace from the downward API', () => {
    expect(container.env).toContainEqual({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  });

  it('exposes metrics on 8080 and the Nomad API on 4646', () => {
    expect(container.ports?.map((p) => [p.name, p.containerPort]).sort()).toEqual([
      ['metrics', 8080],
      ['nomad-api', 4646],
    ]);
  });

  it('probes /healthz (liveness, start-up) and /readyz (readiness) on 8080', () => {
    const probe = (p: V1Container['livenessProbe']) => [p?.httpGet?.path, portNumber(container, p?.httpGet?.port)];
    expect(probe(container.livenessProbe)).toEqual(['/healthz', 8080]);
    expect(probe(container.startupProbe)).toEqual(['/healthz', 8080]);
    expect(probe(container.readinessProbe)).toEqual(['/readyz', 8080]);
  });

  it('requests and limits CPU and memory', () => {
    expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it('runs as non-root 1000, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext?.privileged).toBeUndefined();
  });

  it('gives /tmp a writable emptyDir', () => {
    const mount = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(podSpec.volumes?.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
  });

  it('the namespace enforces the restricted Pod Security Standard', () => {
    expect(one<Manifest>(base, 'Namespace').metadata).toMatchObject({ labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
  });
});

describe('deploy/ Service, PodDisruptionBudget, NetworkPolicy, ServiceMonitor', () => {
  const podLabels = deployment.spec!.template.metadata!.labels!;
  const selects = (selector: Record<string, string> | undefined) =>
    Object.entries(selector ?? {}).length > 0 && Object.entries(selector ?? {}).every(([k, v]) => podLabels[k] === v);

  it('the Service selects the controller Pods and serves 8080 and 4646', () => {
    const service = one<V1Service>(base, 'Service', 'caravan');
    expect(selects(service.spec!.selector)).toBe(true);
    expect(service.spec!.ports!.map((p) => [p.name, p.port, portNumber(container, p.targetPort)])).toEqual([
      ['metrics', 8080, 8080],
      ['nomad-api', 4646, 4646],
    ]);
  });

  it('the PodDisruptionBudget keeps one replica', () => {
    const pdb = one<V1PodDisruptionBudget>(base, 'PodDisruptionBudget');
    expect(pdb.spec!.minAvailable).toBe(1);
    expect(selects(pdb.spec!.selector!.matchLabels)).toBe(true);
  });

  it('the NetworkPolicy lets in 8080 and 4646 only, and lets out the API server and DNS only', () => {
    const policy = one<V1NetworkPolicy>(base, 'NetworkPolicy');
    expect(selects(policy.spec!.podSelector?.matchLabels)).toBe(true);
    expect(policy.spec!.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec!.ingress!.flatMap((r) => r.ports!.map((p) => portNumber(container, p.port))).sort()).toEqual([4646, 8080]);
    expect(policy.spec!.egress!.flatMap((r) => r.ports!.map((p) => `${p.protocol}/${p.port}`)).sort()).toEqual(['TCP/443', 'TCP/53', 'TCP/6443', 'UDP/53']);
  });

  it("the ServiceMonitor, in the monitoring overlay only, scrapes /metrics and keeps Caravan's namespace and job labels", () => {
    expect(base.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
    const monitor = one<Manifest & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: object[] } }>(monitoring, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    const service = one<V1Service>(base, 'Service', 'caravan');
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => service.metadata?.labels?.[k] === v)).toBe(true);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics', honorLabels: true })]);
  });
});

describe('deploy/ as kustomize renders it', () => {
  const hasKubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const render = (dir: string) =>
    loadAll(execFileSync('kubectl', ['kustomize', path.join(deployDir, dir)], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Manifest[];
  const ids = (objects: Manifest[]) => objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
  const namespaced = (o: Manifest) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition'].includes(o.kind);
  const inNamespace = (objects: Manifest[]) => objects.map((o) => (namespaced(o) ? { ...o, metadata: { ...o.metadata, namespace } } : o));
  const crds = ['CustomResourceDefinition /nomaddeployments.caravan.dev', 'CustomResourceDefinition /nomadjobs.caravan.dev'];

  it.skipIf(!hasKubectl)('`kubectl kustomize deploy/` is the base: the files above, in caravan-system, plus the CRDs from crds/', () => {
    const rendered = render('.');
    expect(ids(rendered)).toEqual([...ids(inNamespace(base)), ...crds].sort());
    expect(one<V1ClusterRole>(rendered, 'ClusterRole', 'caravan-controller').rules).toEqual(
      one<V1ClusterRole>(base, 'ClusterRole', 'caravan-controller').rules,
    );
  });

  it.skipIf(!hasKubectl)('`kubectl kustomize deploy/monitoring` adds the ServiceMonitor and the dashboard ConfigMap', () => {
    const extra = ['ConfigMap caravan-system/caravan-grafana-dashboards', 'ServiceMonitor caravan-system/caravan'];
    expect(ids(render('monitoring'))).toEqual([...ids(inNamespace(base)), ...crds, ...extra].sort());
  });
});

describe('the Grafana dashboard', () => {
  /** The metric names deploy/README.md promises; the metrics code uses exactly these. */
  const contract = [
    'controller_runtime_reconcile_total',
    'controller_runtime_reconcile_errors_total',
    'controller_runtime_reconcile_time_seconds',
    'workqueue_depth',
    'workqueue_adds_total',
    'workqueue_retries_total',
    'workqueue_queue_duration_seconds',
    'workqueue_work_duration_seconds',
    'workqueue_unfinished_work_seconds',
    'controller_runtime_active_workers',
    'controller_runtime_max_concurrent_reconciles',
    'leader_election_master_status',
    'caravan_deployments',
    'caravan_allocations',
    'caravan_deployment_duration_seconds',
    'caravan_promotions_total',
    'caravan_reverts_total',
    'caravan_time_to_first_healthy_canary_seconds',
  ];
  const histograms = [
    'controller_runtime_reconcile_time_seconds',
    'workqueue_queue_duration_seconds',
    'workqueue_work_duration_seconds',
    'caravan_deployment_duration_seconds',
    'caravan_time_to_first_healthy_canary_seconds',
  ];
  const promqlWords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless']);

  interface Panel {
    type: string;
    targets?: { expr: string }[];
    panels?: Panel[];
  }
  const dashboard = JSON.parse(readFileSync(path.join(deployDir, 'grafana', 'caravan-rollouts.json'), 'utf8')) as {
    uid: string;
    panels: Panel[];
    templating: { list: { query?: string | { query: string } }[] };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = [
    ...panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []),
    ...dashboard.templating.list.flatMap((v) => (typeof v.query === 'object' ? [v.query.query] : [])),
  ];

  /** The metric names a PromQL expression (or a label_values() query) reads. */
  function metricsIn(expr: string): string[] {
    const stripped = expr
      .replace(/"(?:[^"\\]|\\.)*"/g, '""')
      .replace(/\{[^}]*\}/g, '')
      .replace(/\[[^\]]*\]/g, '')
      .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
      .replace(/label_values\(([^,()]+),[^)]*\)/g, '$1');
    const names = [...stripped.matchAll(/\b[A-Za-z_:][A-Za-z0-9_:]*\b(?!\s*\()/g)].map((m) => m[0]).filter((w) => !promqlWords.has(w) && !/^\d/.test(w));
    return names.map((name) => {
      const histogram = histograms.find((h) => name === `${h}_bucket` || name === `${h}_sum` || name === `${h}_count`);
      return histogram ?? name;
    });
  }

  it('parses, with a stable uid, and every panel has a query', () => {
    expect(dashboard.uid).toBe('caravan-rollouts');
    expect(panels.filter((p) => p.type !== 'row' && !p.targets?.length)).toEqual([]);
  });

  it.each(queries)('%s reads only contract metrics', (expr) => {
    const names = metricsIn(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !contract.includes(n))).toEqual([]);
  });

  it('shows every metric of the contract', () => {
    expect([...new Set(queries.flatMap(metricsIn))].sort()).toEqual([...contract].sort());
  });

  it('filters and groups rollouts by nomad_job, never by the scrape label job (issue 16)', () => {
    const rollout = queries.filter((q) => q.includes('caravan_'));
    expect(rollout.filter((q) => /[{,(]\s*job\b/.test(q))).toEqual([]);
    expect(rollout.filter((q) => q.includes('nomad_job')).length).toBeGreaterThan(5);
  });

  it('deploy/README.md names every metric of the contract', () => {
    const readme = readFileSync(path.join(deployDir, 'README.md'), 'utf8');
    expect(contract.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
