import { isDeepStrictEqual } from 'node:util';
import type { JobVersion } from '../model/job-versions.ts';
import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import type { NomadJob } from '../resources/nomad-job.ts';

export type RevertPlan =
  | { readonly kind: 'write'; readonly spec: NomadJobSpec; readonly target: JobVersion }
  | { readonly kind: 'unchanged'; readonly target: JobVersion }
  | { readonly kind: 'refused'; readonly error: string };

/**
 * `nomad job revert JOB N` registers version N's spec as a new version. Caravan's controller
 * never writes a NomadJob's spec (it is the user's, and Git's), so the revert is the user's own
 * write: version N's spec goes back into the NomadJob, and the controller records it as the
 * next version, as for any change. Reverting to the spec the job already has changes nothing.
 */
export function planRevert(job: NomadJob, versions: readonly JobVersion[], version: number): RevertPlan {
  const target = versions.find((v) => v.version === version);
  if (!target) {
    const kept = versions.map((v) => v.version).join(', ');
    return { kind: 'refused', error: `NomadJob "${job.metadata.name}" has no version ${version}; versions kept: ${kept || 'none'}` };
  }
  if (isDeepStrictEqual(target.spec, job.spec)) return { kind: 'unchanged', target };
  return { kind: 'write', spec: target.spec, target };
}

/** Said on every revert that writes: the spec now differs from what a GitOps tool applied. */
export function gitOpsWarning(job: string, version: number): string {
  return (
    `warning: this writes version ${version}'s spec into NomadJob ${job} (as \`nomad job revert\` registers it again). ` +
    `If Argo CD, Flux or another tool applies this job from Git, it will report drift and may put Git's spec back: revert the change in Git too.`
  );
}
