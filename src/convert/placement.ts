import type { AffinitySpec, ConstraintSpec, SpreadSpec } from '../model/nomad-job-spec.ts';
import { BlockReader, nonEmpty, present } from './block-reader.ts';
import { noReasons } from './unsupported-nomad.ts';

/** Nomad's shorthand attributes (`distinct_hosts = true`, `version = ">= 1.2"`): each sets the operator. */
const shorthandOperators = ['version', 'semver', 'regexp', 'set_contains', 'set_contains_any', 'set_contains_all'] as const;

export function constraints(parent: BlockReader): ConstraintSpec[] | undefined {
  return nonEmpty(parent.blocks('constraint').map((block, i) => constraint(new BlockReader(block, `${parent.path}.constraints[${i}]`, parent.ctx))));
}

export function affinities(parent: BlockReader): AffinitySpec[] | undefined {
  return nonEmpty(parent.blocks('affinity').map((block, i) => affinity(new BlockReader(block, `${parent.path}.affinities[${i}]`, parent.ctx))));
}

export function spreads(parent: BlockReader): SpreadSpec[] | undefined {
  return nonEmpty(parent.blocks('spread').flatMap((block, i) => spread(new BlockReader(block, `${parent.path}.spreads[${i}]`, parent.ctx)) ?? []));
}

function constraint(r: BlockReader): ConstraintSpec {
  let attribute = r.string('attribute');
  let operator = r.string('operator');
  let value = r.string('value');
  for (const shorthand of shorthandOperators) {
    const v = r.string(shorthand, 'value');
    if (v !== undefined) [operator, value] = [shorthand, v];
  }
  if (r.bool('distinct_hosts', 'operator')) operator = 'distinct_hosts';
  const property = r.string('distinct_property', 'attribute');
  if (property !== undefined) [operator, attribute] = ['distinct_property', property];
  r.finish('constraint', noReasons);
  return present<ConstraintSpec>({ attribute, operator: withoutDefault(operator), value });
}

function affinity(r: BlockReader): AffinitySpec {
  const attribute = r.string('attribute');
  let operator = r.string('operator');
  let value = r.string('value');
  const weight = r.number('weight');
  for (const shorthand of shorthandOperators) {
    const v = r.string(shorthand, 'value');
    if (v !== undefined) [operator, value] = [shorthand, v];
  }
  r.finish('affinity', noReasons);
  return present<AffinitySpec>({ attribute, operator: withoutDefault(operator), value, weight });
}

/** "=" is the operator Nomad fills in when none is given, so both spellings convert alike. */
function withoutDefault(operator: string | undefined): string | undefined {
  return operator === '=' ? undefined : operator;
}

function spread(r: BlockReader): SpreadSpec | undefined {
  const attribute = r.string('attribute');
  const weight = r.number('weight');
  const targets = r.blocks('target').map((block, i) => {
    const t = new BlockReader(block, `${r.path}.targets[${i}]`, r.ctx);
    const percent = t.number('percent');
    t.finish('target', noReasons);
    return present<{ value: string; percent?: number }>({ value: block.labels[0] ?? '', percent });
  });
  r.finish('spread', noReasons);
  if (attribute === undefined) {
    r.omit(r.block.pos, 'this spread block is left out: it needs an attribute', r.path);
    return undefined;
  }
  return present<SpreadSpec>({ attribute, weight, targets: nonEmpty(targets) });
}
