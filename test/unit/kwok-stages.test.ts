import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kwokStagesFile } from '../../src/cluster/local-cluster.ts';

interface Stage {
  kind: string;
  metadata: { name: string };
  spec: {
    resourceRef: { kind: string };
    selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
    next: { statusTemplate?: string; delete?: boolean };
  };
}

const stages = (loadAll(readFileSync(kwokStagesFile, 'utf8')) as Stage[]).filter((doc) => doc.kind === 'Stage');
const behaviorKey = '.metadata.annotations["sim.caravan.dev/behavior"]';

describe('kwok stages', () => {
  it('have unique names', () => {
    const names = stages.map((s) => s.metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(['ready', 'never-ready', 'crash', 'fail', 'complete'])('behaviour %s is handled by exactly one stage for Pending pods', (behavior) => {
    const pendingStages = stages.filter(
      (s) => s.spec.resourceRef.kind === 'Pod' && s.spec.selector.matchExpressions.some((e) => e.key === '.status.phase' && e.values?.includes('Pending')),
    );
    const matching = pendingStages.filter((s) => {
      const rule = s.spec.selector.matchExpressions.find((e) => e.key === behaviorKey);
      if (!rule) return true;
      return rule.operator === 'In' ? rule.values!.includes(behavior) : !rule.values!.includes(behavior);
    });
    expect(matching).toHaveLength(1);
  });

  it('finishes graceful deletion of any pod', () => {
    const del = stages.find((s) => s.spec.next.delete === true)!;
    expect(del.spec.selector.matchExpressions).toEqual([{ key: '.metadata.deletionTimestamp', operator: 'Exists' }]);
  });
});
