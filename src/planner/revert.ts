import { latestStableVersion, type JobVersion } from '../model/job-versions.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import { specChanged } from '../model/spec-change.ts';
import { revertDescription } from './deployment.ts';

export type RevertDecision =
  /** Run the stable version's spec again, as a new version (the NomadJob spec is not touched). */
  { readonly kind: 'revert'; readonly toVersion: JobVersion; readonly description: string } | { readonly kind: 'none'; readonly description: string };

/**
 * Nomad's auto-revert (§2.9) when a deployment fails with `base` as its description: the target
 * is the latest stable version; none, or one whose spec is the spec that just failed (the
 * failing version is itself stable, or a revert already ran), means no revert. That guard is
 * what stops revert loops.
 */
export function revertDecision(base: string, autoRevert: boolean, failingSpec: NomadJobSpec, history: readonly JobVersion[]): RevertDecision {
  if (!autoRevert) return { kind: 'none', description: base };
  const stable = latestStableVersion(history);
  if (!stable) return { kind: 'none', description: revertDescription.noStable(base) };
  if (!specChanged(stable.spec, failingSpec)) return { kind: 'none', description: revertDescription.sameSpec(base, stable.version) };
  return { kind: 'revert', toVersion: stable, description: revertDescription.rollingBack(base, stable.version) };
}
