import { isTerminal } from '../planner/deployment.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { deploymentReport, type DeploymentReport } from './deployment-view.ts';

/** The operator actions Nomad has as `nomad deployment promote|pause|resume|fail`. */
export type Intent =
  | { readonly kind: 'promote'; readonly groups?: readonly string[] }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'fail' };

export type IntentPatch =
  /** `spec` is a JSON merge patch of the deployment's spec; empty when it already asks for this. */
  { readonly ok: true; readonly spec: Record<string, unknown>; readonly unchanged: boolean } | { readonly ok: false; readonly error: string };

/** Nomad's refusals for a deployment that has ended (nomad/deployment_endpoint.go). */
const terminalErrors: Record<Intent['kind'], string> = {
  promote: "can't promote terminal deployment",
  pause: "can't pause terminal deployment",
  resume: "can't resume terminal deployment",
  fail: "can't fail terminal deployment",
};

/**
 * The spec change that records an intent. Refused here, in Nomad's words, when the deployment
 * has ended (the controller no longer acts on it) or a named group is not in it; everything
 * else (unhealthy canaries, …) is the controller's to decide and report.
 * Promoting named groups adds to the groups already asked for: an earlier request that the
 * controller could not honour yet stays in force.
 */
export function intentPatch(d: NomadDeployment, intent: Intent): IntentPatch {
  const status = d.status?.status ?? 'running';
  if (isTerminal(status)) return { ok: false, error: terminalErrors[intent.kind] };
  const spec = d.spec;
  switch (intent.kind) {
    case 'pause':
    case 'resume': {
      const paused = intent.kind === 'pause';
      return { ok: true, spec: { paused }, unchanged: spec.paused === paused };
    }
    case 'fail':
      return { ok: true, spec: { failed: true }, unchanged: spec.failed === true };
    case 'promote': {
      if (!intent.groups || intent.groups.length === 0)
        return { ok: true, spec: { promote: { all: true, groups: null } }, unchanged: spec.promote?.all === true };
      const known = Object.keys(d.status?.taskGroups ?? {});
      const unknown = intent.groups.filter((g) => !known.includes(g));
      if (known.length > 0 && unknown.length > 0)
        return {
          ok: false,
          error: `task group ${unknown.map((g) => `"${g}"`).join(', ')} not in deployment ${d.metadata.name}; its groups: ${known.join(', ')}`,
        };
      if (spec.promote?.all) return { ok: true, spec: {}, unchanged: true };
      const before = spec.promote?.groups ?? [];
      const groups = [...new Set([...before, ...intent.groups])].sort();
      return { ok: true, spec: { promote: { groups, all: null } }, unchanged: groups.length === before.length };
    }
  }
}

/** The deployment an intent is for: the one named, else the job's latest (from its status). */
export function targetDeploymentName(job: NomadJob, named: string | undefined): { ok: true; name: string } | { ok: false; error: string } {
  if (named) return { ok: true, name: named };
  const latest = job.status?.latestDeployment?.name;
  if (latest) return { ok: true, name: latest };
  return {
    ok: false,
    error: `NomadJob "${job.metadata.name}" has no deployment yet${job.status ? '' : ' (the controller has not reported on it; is it running?)'}`,
  };
}

export type IntentOutcome =
  | { readonly kind: 'honoured'; readonly deployment: DeploymentReport }
  | { readonly kind: 'refused'; readonly deployment: DeploymentReport; readonly error: string }
  | { readonly kind: 'pending'; readonly deployment: DeploymentReport };

/** Whether the controller has acted on the spec's generation `generation`, and how. */
export function intentOutcome(d: NomadDeployment, generation: number): IntentOutcome {
  const report = deploymentReport(d);
  if ((d.status?.observedGeneration ?? -1) < generation) return { kind: 'pending', deployment: report };
  if (report.refused) return { kind: 'refused', deployment: report, error: report.refused };
  return { kind: 'honoured', deployment: report };
}
