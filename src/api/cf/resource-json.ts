import type { NomadJob } from '../../resources/nomad-job.ts';
import type { CfRevisionSource } from './cf-view.ts';
import { cfTime, type CfApp, type CfDroplet, type CfRevision } from './wire.ts';

/**
 * The context resources a CF client reads around deployments (§6): an app is a NomadJob, its
 * space the namespace (named, as spaces are looked up by guid and Caravan keeps no namespace
 * objects in its caches), and a revision and its droplet are one job version.
 */
const post = (href: string) => ({ href, method: 'POST' as const });

export function appJson(base: string, job: NomadJob, current: CfRevisionSource | undefined): CfApp {
  const guid = job.metadata.uid ?? '';
  const self = `${base}/v3/apps/${guid}`;
  const created = job.metadata.creationTimestamp ?? new Date(0).toISOString();
  const space = job.metadata.namespace ?? 'default';
  return {
    guid,
    created_at: cfTime(created),
    updated_at: cfTime(current?.version.submitTime ?? created),
    name: job.metadata.name,
    state: job.spec.stop ? 'STOPPED' : 'STARTED',
    lifecycle: { type: 'docker', data: {} },
    relationships: { space: { data: { guid: space } }, current_droplet: { data: { guid: current?.guid ?? null } } },
    metadata: { labels: { ...(job.metadata.labels ?? {}) }, annotations: { ...(job.metadata.annotations ?? {}) } },
    links: {
      self: { href: self },
      environment_variables: { href: `${self}/environment_variables` },
      space: { href: `${base}/v3/spaces/${space}` },
      processes: { href: `${self}/processes` },
      packages: { href: `${self}/packages` },
      current_droplet: { href: `${self}/droplets/current` },
      droplets: { href: `${self}/droplets` },
      tasks: { href: `${self}/tasks` },
      start: post(`${self}/actions/start`),
      stop: post(`${self}/actions/stop`),
      clear_buildpack_cache: post(`${self}/actions/clear_buildpack_cache`),
      revisions: { href: `${self}/revisions` },
      deployed_revisions: { href: `${self}/revisions/deployed` },
      features: { href: `${self}/features` },
    },
  };
}

function imagesOf(r: CfRevisionSource): string[] {
  return r.version.spec.taskGroups.flatMap((g) => (g.tasks ?? []).map((t) => String((t.config as { image?: unknown } | undefined)?.image ?? '')));
}

function description(r: CfRevisionSource, previous: CfRevisionSource | undefined): string {
  if (r.version.revertedFrom !== undefined) return `Rolled back to revision ${r.version.revertedFrom}.`;
  if (!previous) return 'Initial revision.';
  return imagesOf(previous).join() !== imagesOf(r).join() ? 'New droplet deployed.' : 'New job version deployed.';
}

export function revisionJson(base: string, r: CfRevisionSource, previous: CfRevisionSource | undefined): CfRevision {
  const self = `${base}/v3/revisions/${r.guid}`;
  const app = r.job.metadata.uid ?? '';
  return {
    guid: r.guid,
    version: r.version.version,
    droplet: { guid: r.guid },
    processes: { web: { command: imagesOf(r).join(' ') || null } },
    sidecars: [],
    description: description(r, previous),
    relationships: { app: { data: { guid: app } } },
    created_at: cfTime(r.version.submitTime),
    updated_at: cfTime(r.version.submitTime),
    links: { self: { href: self }, app: { href: `${base}/v3/apps/${app}` }, environment_variables: { href: `${self}/environment_variables` } },
    metadata: { labels: {}, annotations: {} },
    deployable: true,
  };
}

export function dropletJson(base: string, r: CfRevisionSource): CfDroplet {
  const app = r.job.metadata.uid ?? '';
  const images = imagesOf(r);
  return {
    guid: r.guid,
    state: 'STAGED',
    error: null,
    lifecycle: { type: 'docker', data: {} },
    execution_metadata: '',
    process_types: { web: images.join(' ') },
    image: images[0] ?? null,
    checksum: null,
    buildpacks: null,
    stack: null,
    created_at: cfTime(r.version.submitTime),
    updated_at: cfTime(r.version.submitTime),
    relationships: { app: { data: { guid: app } } },
    metadata: { labels: {}, annotations: {} },
    links: {
      self: { href: `${base}/v3/droplets/${r.guid}` },
      app: { href: `${base}/v3/apps/${app}` },
      assign_current_droplet: { href: `${base}/v3/apps/${app}/relationships/current_droplet`, method: 'POST' },
    },
  };
}
