import type { Millis } from '../model/duration.ts';
import type { Job, TaskGroup } from '../model/job.ts';
import { datacenterLabel } from '../model/node-labels.ts';
import type { ConstraintSpec } from '../model/nomad-job-spec.ts';
import { nodeLabelFor } from '../model/placement.ts';

/**
 * What the system and sysbatch schedulers know about one Kubernetes Node, as the shell observed
 * it. Nomad's ready node is `Ready`, not cordoned (its SchedulingEligibility) and not draining.
 */
export interface ObservedNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The Ready condition is True. */
  readonly ready: boolean;
  /** `spec.unschedulable` (cordoned): Nomad's "ineligible". */
  readonly unschedulable: boolean;
  /** When the Node object was created: a sysbatch version runs on the nodes there when it was evaluated. */
  readonly createdAt: Millis;
}

/** A node's value of a Nomad attribute, through the same attribute → node label map the Pod's affinity uses. */
export function nodeAttribute(node: ObservedNode, attribute: string): string | undefined {
  if (attribute === '${node.unique.name}') return node.name;
  if (!attribute.startsWith('${')) return attribute; // a literal
  const label = nodeLabelFor(attribute);
  return label.ok ? node.labels[label.value] : undefined;
}

/** Nomad's checkOrder: numbers compare as numbers, anything else lexically. */
function ordered(operator: string, l: string, r: string): boolean {
  const ln = Number(l);
  const rn = Number(r);
  const cmp = l.trim() !== '' && r.trim() !== '' && !Number.isNaN(ln) && !Number.isNaN(rn) ? ln - rn : l < r ? -1 : l > r ? 1 : 0;
  return operator === '<' ? cmp < 0 : operator === '<=' ? cmp <= 0 : operator === '>' ? cmp > 0 : cmp >= 0;
}

function versionParts(v: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(v.trim());
  return m ? m[1]!.split('.').map(Number) : undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Nomad's `version`/`semver` operators: comma-separated clauses such as `>= 1.2, < 2.0`, all of which must hold. */
function versionMatches(value: string, constraint: string): boolean {
  const have = versionParts(value);
  if (!have) return false;
  return constraint.split(',').every((clause) => {
    const m = /^\s*(>=|<=|!=|~>|=|>|<)?\s*(\S+)\s*$/.exec(clause);
    const want = m && versionParts(m[2]!);
    if (!m || !want) return false;
    const cmp = compareVersions(have, want);
    switch (m[1] ?? '=') {
      case '>=':
        return cmp >= 0;
      case '<=':
        return cmp <= 0;
      case '>':
        return cmp > 0;
      case '<':
        return cmp < 0;
      case '!=':
        return cmp !== 0;
      case '~>': {
        // Pessimistic: at least `want`, below the next release of its second-to-last part.
        const upper = want.length > 1 ? [...want.slice(0, -2), want.at(-2)! + 1] : [want[0]! + 1];
        return cmp >= 0 && compareVersions(have, upper) < 0;
      }
      default:
        return cmp === 0;
    }
  });
}

const setOf = (s: string) => s.split(',').map((x) => x.trim());

/**
 * Nomad's checkConstraint (scheduler/feasible.go) against one node. Both sides must be found for
 * every operator but `!=`, `is_set` and `is_not_set`. `distinct_hosts` holds trivially for a
 * per-node scheduler (one allocation per node); `distinct_property` is not applied to system jobs here.
 */
export function constraintHolds(c: ConstraintSpec, node: ObservedNode): boolean {
  const operator = c.operator ?? '=';
  if (operator === 'distinct_hosts' || operator === 'distinct_property') return true;
  const l = nodeAttribute(node, c.attribute ?? '');
  const r = c.value === undefined ? undefined : nodeAttribute(node, c.value);
  const found = l !== undefined && r !== undefined;
  switch (operator) {
    case '=':
    case '==':
    case 'is':
      return found && l === r;
    case '!=':
    case 'not':
      return l !== r;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return found && ordered(operator, l, r);
    case 'is_set':
      return l !== undefined;
    case 'is_not_set':
      return l === undefined;
    case 'regexp':
      try {
        return found && new RegExp(r).test(l);
      } catch {
        return false;
      }
    case 'version':
    case 'semver':
      return found && versionMatches(l, r);
    case 'set_contains':
    case 'set_contains_all': {
      if (!found) return false;
      const have = new Set(setOf(l));
      return setOf(r).every((x) => have.has(x));
    }
    case 'set_contains_any': {
      if (!found) return false;
      const have = new Set(setOf(l));
      return setOf(r).some((x) => have.has(x));
    }
    default:
      return false;
  }
}

export type Eligibility = { readonly eligible: true } | { readonly eligible: false; readonly reason: string };

/** The node is in one of the job's datacenters (its `caravan.dev/datacenter` label), or the job takes `*`. */
export function inDatacenters(job: Job, node: ObservedNode): boolean {
  return job.datacenters.includes('*') || job.datacenters.includes(node.labels[datacenterLabel] ?? '');
}

/**
 * Whether a task group may be placed on a node (Nomad's readyNodesInDCsAndPool, then the
 * constraint checkers): Ready, not cordoned, in the job's datacenters, and every job and group
 * constraint holds. The reason says which test failed.
 */
export function nodeEligibility(job: Job, group: TaskGroup, node: ObservedNode): Eligibility {
  if (!node.ready) return { eligible: false, reason: `node ${node.name} is not ready` };
  if (node.unschedulable) return { eligible: false, reason: `node ${node.name} is ineligible (cordoned)` };
  if (!inDatacenters(job, node)) return { eligible: false, reason: `node ${node.name} is not in datacenters ${job.datacenters.join(', ')}` };
  const failed = [...job.constraints, ...group.constraints].find((c) => !constraintHolds(c, node));
  if (failed)
    return { eligible: false, reason: `node ${node.name} fails constraint ${failed.attribute ?? ''} ${failed.operator ?? '='} ${failed.value ?? ''}`.trim() };
  return { eligible: true };
}
