import { describe, expect, it } from 'vitest';
import { canonicalJob } from '../../../src/model/defaults.ts';
import type { ConstraintSpec } from '../../../src/model/nomad-job-spec.ts';
import { constraintHolds, nodeEligibility, type ObservedNode } from '../../../src/planner/node-feasibility.ts';

const node = (labels: Record<string, string> = {}, extra: Partial<ObservedNode> = {}): ObservedNode => ({
  name: 'kwok-node-1',
  labels: { 'caravan.dev/datacenter': 'dc1', 'kubernetes.io/arch': 'amd64', 'topology.kubernetes.io/zone': 'zone-b', ...labels },
  ready: true,
  unschedulable: false,
  createdAt: 0,
  ...extra,
});

const c = (attribute: string, operator: string | undefined, value?: string): ConstraintSpec => ({
  attribute,
  ...(operator ? { operator } : {}),
  ...(value !== undefined ? { value } : {}),
});

describe("Nomad's constraint operators against a node's attributes (scheduler/feasible.go checkConstraint)", () => {
  it.each([
    ['= (the default operator) matches the label', c('${attr.cpu.arch}', undefined, 'amd64'), {}, true],
    ['= does not match another value', c('${attr.cpu.arch}', '=', 'arm64'), {}, false],
    ['== and is are =', c('${node.datacenter}', 'is', 'dc1'), {}, true],
    ['= on a missing attribute fails', c('${meta.rack}', '=', 'r1'), {}, false],
    ['!= holds on a missing attribute', c('${meta.rack}', '!=', 'r1'), {}, true],
    ['!= fails on the same value', c('${node.datacenter}', '!=', 'dc1'), {}, false],
    ['${node.unique.name} is the node name', c('${node.unique.name}', '=', 'kwok-node-1'), {}, true],
    ['${meta.<key>} is the node label <key>', c('${meta.gpu}', '=', 'true'), { gpu: 'true' }, true],
    ['> compares numbers as numbers', c('${meta.cores}', '>', '8'), { cores: '16' }, true],
    ['< compares numbers as numbers (not lexically)', c('${meta.cores}', '<', '8'), { cores: '16' }, false],
    ['>= on strings compares lexically', c('${attr.platform.aws.placement.availability-zone}', '>=', 'zone-b'), {}, true],
    ['<= on a missing attribute fails', c('${meta.cores}', '<=', '8'), {}, false],
    ['is_set', c('${meta.gpu}', 'is_set'), { gpu: 'x' }, true],
    ['is_set on a missing attribute', c('${meta.gpu}', 'is_set'), {}, false],
    ['is_not_set', c('${meta.gpu}', 'is_not_set'), {}, true],
    ['regexp', c('${node.datacenter}', 'regexp', '^dc[12]$'), {}, true],
    ['regexp that does not match', c('${node.datacenter}', 'regexp', '^eu-'), {}, false],
    ['an invalid regexp fails', c('${node.datacenter}', 'regexp', '('), {}, false],
    ['set_contains: every listed value present', c('${meta.features}', 'set_contains', 'a,b'), { features: 'a,b,c' }, true],
    ['set_contains_all: one missing', c('${meta.features}', 'set_contains_all', 'a,d'), { features: 'a,b,c' }, false],
    ['set_contains_any: one present', c('${meta.features}', 'set_contains_any', 'd, c'), { features: 'a,b,c' }, true],
    ['version: a range', c('${meta.kernel}', 'version', '>= 5.10, < 6.0'), { kernel: '5.15.0' }, true],
    ['version: out of the range', c('${meta.kernel}', 'version', '>= 6.0'), { kernel: '5.15.0' }, false],
    ['version: pessimistic ~>', c('${meta.kernel}', 'version', '~> 5.4'), { kernel: '5.15' }, true],
    ['semver: exact', c('${meta.agent}', 'semver', '1.2.3'), { agent: '1.2.3' }, true],
    ['distinct_hosts holds: one allocation per node anyway', c('', 'distinct_hosts'), {}, true],
    ['an unknown operator fails', c('${node.datacenter}', 'near', 'dc1'), {}, false],
  ] as const)('%s', (_, constraint, labels, holds) => {
    expect(constraintHolds(constraint, node(labels))).toBe(holds);
  });
});

describe('which nodes a system job may place on', () => {
  const job = canonicalJob('agent', 'default', {
    type: 'system',
    datacenters: ['dc1'],
    constraints: [{ attribute: '${attr.cpu.arch}', value: 'amd64' }],
    taskGroups: [
      {
        name: 'agent',
        tasks: [{ name: 'a', driver: 'docker', config: { image: 'x' } }],
        constraints: [{ attribute: '${meta.role}', operator: '!=', value: 'edge' }],
      },
    ],
  });
  const group = job.taskGroups[0]!;
  it.each([
    ['a Ready node in the datacenter that passes every constraint', node(), true, undefined],
    ['NotReady', node({}, { ready: false }), false, 'node kwok-node-1 is not ready'],
    ['cordoned (Nomad: ineligible)', node({}, { unschedulable: true }), false, 'node kwok-node-1 is ineligible (cordoned)'],
    ['in another datacenter', node({ 'caravan.dev/datacenter': 'dc2' }), false, 'node kwok-node-1 is not in datacenters dc1'],
    ['failing a job constraint', node({ 'kubernetes.io/arch': 'arm64' }), false, 'node kwok-node-1 fails constraint ${attr.cpu.arch} = amd64'],
    ['failing a group constraint', node({ role: 'edge' }), false, 'node kwok-node-1 fails constraint ${meta.role} != edge'],
  ])('%s', (_, n, eligible, reason) => {
    const e = nodeEligibility(job, group, n);
    expect(e.eligible).toBe(eligible);
    if (!e.eligible) expect(e.reason).toBe(reason);
  });

  it('datacenters ["*"] takes every datacenter', () => {
    const any = canonicalJob('agent', 'default', {
      type: 'system',
      datacenters: ['*'],
      taskGroups: [{ name: 'g', tasks: [{ name: 'a', driver: 'docker', config: { image: 'x' } }] }],
    });
    expect(nodeEligibility(any, any.taskGroups[0]!, node({ 'caravan.dev/datacenter': 'dc9' })).eligible).toBe(true);
  });
});
