import type { V1Affinity, V1NodeSelectorRequirement, V1PreferredSchedulingTerm, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import { datacenterLabel } from './node-labels.ts';
import type { AffinitySpec, ConstraintSpec, SpreadSpec } from './nomad-job-spec.ts';

/**
 * Nomad node attributes that have a Kubernetes node label. `${meta.<key>}` maps to the node
 * label <key> (Nomad client meta becomes node labels).
 */
const attributeLabels: Readonly<Record<string, string>> = {
  '${node.datacenter}': datacenterLabel,
  '${node.unique.name}': 'kubernetes.io/hostname',
  '${node.class}': 'node.kubernetes.io/instance-type',
  '${attr.kernel.name}': 'kubernetes.io/os',
  '${attr.cpu.arch}': 'kubernetes.io/arch',
  '${attr.platform.aws.placement.availability-zone}': 'topology.kubernetes.io/zone',
  '${node.region}': 'topology.kubernetes.io/region',
};

export type Mapped<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function nodeLabelFor(attribute: string): Mapped<string> {
  const known = attributeLabels[attribute];
  if (known) return { ok: true, value: known };
  const meta = /^\$\{meta\.([A-Za-z0-9._/-]+)\}$/.exec(attribute);
  if (meta) return { ok: true, value: meta[1]! };
  return {
    ok: false,
    reason: `attribute ${JSON.stringify(attribute)} has no Kubernetes node label; use \${meta.<label>} for a node label, or one of ${Object.keys(attributeLabels).join(', ')}`,
  };
}

/** A hard constraint as a node selector requirement (distinct_* are pod anti-affinity, not here). */
export function constraintRequirement(c: ConstraintSpec): Mapped<V1NodeSelectorRequirement> {
  const operator = c.operator ?? '=';
  const label = nodeLabelFor(c.attribute ?? '');
  if (!label.ok) return label;
  const key = label.value;
  const value = c.value ?? '';
  switch (operator) {
    case '=':
    case '==':
    case 'is':
      return { ok: true, value: { key, operator: 'In', values: [value] } };
    case '!=':
    case 'not':
      return { ok: true, value: { key, operator: 'NotIn', values: [value] } };
    case 'is_set':
      return { ok: true, value: { key, operator: 'Exists' } };
    case 'is_not_set':
      return { ok: true, value: { key, operator: 'DoesNotExist' } };
    case 'set_contains_any':
      return { ok: true, value: { key, operator: 'In', values: value.split(',').map((v) => v.trim()) } };
    case '>':
    case '<':
      if (!/^-?\d+$/.test(value)) return { ok: false, reason: `operator "${operator}" needs a whole number on Kubernetes, got ${JSON.stringify(value)}` };
      return { ok: true, value: { key, operator: operator === '>' ? 'Gt' : 'Lt', values: [value] } };
    default:
      return {
        ok: false,
        reason: `operator "${operator}" cannot be expressed as a Kubernetes node affinity (supported: =, !=, >, <, is_set, is_not_set, set_contains_any, distinct_hosts, distinct_property)`,
      };
  }
}

const isDistinct = (c: ConstraintSpec) => c.operator === 'distinct_hosts' || c.operator === 'distinct_property';

/** Checks every constraint and affinity can be placed by kube-scheduler; returns the reasons it cannot. */
export function placementProblems(
  constraints: readonly ConstraintSpec[],
  affinities: readonly AffinitySpec[],
  /** System and sysbatch jobs: Caravan checks constraints per node itself, so every Nomad operator works; only the attribute must be a node label. */
  checkedPerNode = false,
): { index: number; kind: 'constraint' | 'affinity'; reason: string }[] {
  const problems: { index: number; kind: 'constraint' | 'affinity'; reason: string }[] = [];
  constraints.forEach((c, index) => {
    if (checkedPerNode) {
      const label = c.operator === 'distinct_hosts' || c.attribute === '${node.unique.name}' ? undefined : nodeLabelFor(c.attribute ?? '');
      if (label && !label.ok) problems.push({ index, kind: 'constraint', reason: label.reason });
      return;
    }
    if (c.operator === 'distinct_property') {
      const label = nodeLabelFor(c.attribute ?? '');
      if (!label.ok) problems.push({ index, kind: 'constraint', reason: label.reason });
      return;
    }
    if (isDistinct(c)) return;
    const mapped = constraintRequirement(c);
    if (!mapped.ok) problems.push({ index, kind: 'constraint', reason: mapped.reason });
  });
  affinities.forEach((a, index) => {
    const mapped = constraintRequirement(a);
    if (!mapped.ok) problems.push({ index, kind: 'affinity', reason: mapped.reason });
  });
  return problems;
}

export interface PlacementInput {
  readonly datacenters: readonly string[];
  readonly constraints: readonly ConstraintSpec[];
  readonly affinities: readonly AffinitySpec[];
  /** Labels that select the allocations of the same job and group (for distinct_* and spreads). */
  readonly groupSelector: Readonly<Record<string, string>>;
}

/** Node and pod affinity for kube-scheduler from Nomad's datacenters, constraints and affinities. */
export function podAffinity(input: PlacementInput): V1Affinity | undefined {
  const required: V1NodeSelectorRequirement[] = [];
  if (!input.datacenters.includes('*')) required.push({ key: datacenterLabel, operator: 'In', values: [...input.datacenters] });
  for (const c of input.constraints) {
    if (isDistinct(c)) continue;
    const mapped = constraintRequirement(c);
    if (mapped.ok) required.push(mapped.value);
  }
  const preferred: V1PreferredSchedulingTerm[] = [];
  for (const a of input.affinities) {
    const mapped = constraintRequirement(a);
    if (!mapped.ok) continue;
    const weight = a.weight ?? 50;
    // A negative Nomad weight avoids the match: the same term with the operator inverted.
    const inverted = { In: 'NotIn', NotIn: 'In', Exists: 'DoesNotExist', DoesNotExist: 'Exists', Gt: 'Lt', Lt: 'Gt' } as const;
    const requirement = weight >= 0 ? mapped.value : { ...mapped.value, operator: inverted[mapped.value.operator as keyof typeof inverted] };
    preferred.push({ weight: Math.max(1, Math.abs(weight)), preference: { matchExpressions: [requirement] } });
  }
  const antiAffinity = input.constraints.filter(isDistinct).map((c) => ({
    labelSelector: { matchLabels: { ...input.groupSelector } },
    topologyKey: c.operator === 'distinct_hosts' ? 'kubernetes.io/hostname' : (nodeLabelFor(c.attribute ?? '') as { value: string }).value,
  }));
  const affinity: V1Affinity = {};
  if (required.length > 0 || preferred.length > 0) {
    affinity.nodeAffinity = {
      ...(required.length > 0 ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: required }] } } : {}),
      ...(preferred.length > 0 ? { preferredDuringSchedulingIgnoredDuringExecution: preferred } : {}),
    };
  }
  if (antiAffinity.length > 0) affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: antiAffinity };
  return Object.keys(affinity).length > 0 ? affinity : undefined;
}

/** Nomad spreads are soft: allocations lean towards even shares, placement never fails for them. */
export function topologySpread(spreads: readonly SpreadSpec[], groupSelector: Readonly<Record<string, string>>): V1TopologySpreadConstraint[] {
  return spreads.flatMap((s) => {
    const label = nodeLabelFor(s.attribute);
    if (!label.ok) return [];
    return [{ maxSkew: 1, topologyKey: label.value, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...groupSelector } } }];
  });
}
