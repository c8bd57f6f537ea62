import { canarySteps, cfStatus, isCanaryDeployment, type DeploymentFacts } from './status.ts';
import { cfTime, type CfDeployment } from './wire.ts';

/** Everything the CF deployment object is made of, gathered from the caches (cf-view.ts). */
export interface DeploymentSource {
  readonly guid: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly facts: DeploymentFacts;
  /** When a canary or allocation of the deployment was last recorded healthy. */
  readonly lastHealthyAt?: string;
  readonly maxInFlight: number;
  /** The canary steps as percentages of the group's count (undefined: no steps). */
  readonly canaryWeights?: readonly number[];
  /** The job version's revision (and droplet) guid, and the one before it. */
  readonly revision: { readonly guid: string; readonly version: number } | null;
  readonly previousRevisionGuid: string | null;
  readonly appGuid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export function deploymentJson(base: string, s: DeploymentSource): CfDeployment {
  const status = cfStatus(s.facts);
  const canary = isCanaryDeployment(s.facts);
  const self = `${base}/v3/deployments/${s.guid}`;
  const active = status.value === 'ACTIVE';
  return {
    guid: s.guid,
    created_at: cfTime(s.createdAt),
    updated_at: cfTime(s.updatedAt),
    status: {
      value: status.value,
      reason: status.reason,
      details: { last_successful_healthcheck: cfTime(s.lastHealthyAt ?? s.createdAt), last_status_change: cfTime(s.updatedAt) },
      ...(canary ? { canary: { steps: canarySteps(s.facts) } } : {}),
    },
    strategy: canary ? 'canary' : 'rolling',
    options: {
      max_in_flight: s.maxInFlight,
      ...(canary && s.canaryWeights ? { canary: { steps: s.canaryWeights.map((w) => ({ instance_weight: w })) } } : {}),
    },
    droplet: { guid: s.revision?.guid ?? '' },
    previous_droplet: { guid: s.previousRevisionGuid },
    new_processes: s.revision ? [{ guid: s.revision.guid, type: 'web' }] : [],
    revision: s.revision,
    relationships: { app: { data: { guid: s.appGuid } } },
    metadata: { labels: { ...s.labels }, annotations: { ...s.annotations } },
    links: {
      self: { href: self },
      app: { href: `${base}/v3/apps/${s.appGuid}` },
      ...(active ? { cancel: { href: `${self}/actions/cancel`, method: 'POST' as const } } : {}),
      ...(status.state === 'PAUSED' ? { continue: { href: `${self}/actions/continue`, method: 'POST' as const } } : {}),
    },
    state: status.state,
  };
}
