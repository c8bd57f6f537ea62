/**
 * A job registered over the Nomad API replacing a NomadJob's spec. Nomad's JSON cannot carry
 * Caravan's own fields (a group's `kubernetes` block, canary steps), and it spells a spec with
 * Nomad's defaults filled in. So, before the HTTP layer writes a registered spec:
 * - withCaravanExtensions() keeps what Nomad's JSON cannot say from the spec it replaces (a Nomad
 *   client that never saw a field cannot mean to remove it);
 * - sameNomadJob() says whether the registration changes anything at all, so that `nomad job
 *   inspect` followed by `nomad job run` writes nothing and makes no new version, as in Nomad.
 */
import { isDeepStrictEqual } from 'node:util';
import { canonicalJob, mergedUpdateStrategy } from '../../model/defaults.ts';
import type { NomadJobSpec, TaskGroupSpec, UpdateSpec } from '../../model/nomad-job-spec.ts';
import { nomadJobSpec } from './job-spec.ts';

type GroupExtras = Pick<TaskGroupSpec, 'kubernetes'> & { canarySteps?: UpdateSpec['canarySteps'] };

/** What a group has that Nomad's API cannot show: its kubernetes block and its canary steps (its own or the job's). */
function groupExtras(spec: NomadJobSpec, group: TaskGroupSpec): GroupExtras {
  const steps = group.update?.canarySteps ?? spec.update?.canarySteps;
  return { ...(group.kubernetes ? { kubernetes: group.kubernetes } : {}), ...(steps ? { canarySteps: steps } : {}) };
}

/**
 * The submitted spec with the Caravan-only fields of the spec it replaces, group by group (by
 * name). Canary steps come back only while the submitted group still asks for the canaries they
 * end with: a client that changed the canary count meant a different rollout.
 */
export function withCaravanExtensions(existing: NomadJobSpec | undefined, submitted: NomadJobSpec): NomadJobSpec {
  if (!existing) return submitted;
  const type = submitted.type ?? 'service';
  const taskGroups = submitted.taskGroups.map((group) => {
    const before = existing.taskGroups.find((g) => g.name === group.name);
    if (!before) return group;
    const extras = groupExtras(existing, before);
    let out: TaskGroupSpec = group.kubernetes === undefined && extras.kubernetes ? { ...group, kubernetes: extras.kubernetes } : group;
    if (extras.canarySteps && !group.update?.canarySteps) {
      const was = mergedUpdateStrategy(existing.type ?? 'service', existing.update, before.update, before.count ?? 1);
      const now = mergedUpdateStrategy(type, submitted.update, group.update, group.count ?? 1);
      if (was && now && was.canary === now.canary && now.canary > 0) {
        const { canary: _canary, ...update } = group.update ?? {};
        out = { ...out, update: { ...update, canarySteps: extras.canarySteps } };
      }
    }
    return out;
  });
  return { ...submitted, taskGroups };
}

/**
 * Whether two specs are the same job to Nomad and to Caravan: they show the same api.Job (Nomad's
 * defaults filled in, so a default written out equals one left out) and carry the same
 * Caravan-only fields.
 */
export function sameNomadJob(name: string, namespace: string, a: NomadJobSpec, b: NomadJobSpec): boolean {
  const shown = (spec: NomadJobSpec) => nomadJobSpec(canonicalJob(name, namespace, spec), spec);
  const extras = (spec: NomadJobSpec) =>
    spec.taskGroups.map((g) => [
      g.name,
      canonicalJob(name, namespace, spec).taskGroups.find((c) => c.name === g.name)?.update?.canarySteps ?? [],
      g.kubernetes ?? {},
    ]);
  return isDeepStrictEqual(shown(a), shown(b)) && isDeepStrictEqual(extras(a), extras(b));
}
