import type { NomadJob } from '../../../resources/nomad-job.ts';
import type { CfRevisionSource } from '../cf-view.ts';
import { cfErrors } from '../errors.ts';
import { appsQuery, dropletsQuery, parseListQuery, revisionsQuery, timestampMatches, type ListQuery, type ListQuerySpec } from '../list-query.ts';
import { matchesLabels } from '../label-selector.ts';
import { ordered, paginated } from '../pagination.ts';
import { appJson, dropletJson, revisionJson } from '../resource-json.ts';
import type { CfApiContext, CfRequest, CfRoute } from '../server.ts';
import type { CfApp } from '../wire.ts';
import { jobAccess, namespaceOf, visibleNamespaces } from './access.ts';

function queryOf(req: CfRequest, spec: ListQuerySpec): ListQuery {
  const parsed = parseListQuery(req.search, spec);
  if (!parsed.ok) throw cfErrors.badQueryParameter(parsed.errors);
  return parsed.query;
}

/** The app of the path, readable by the caller (`get nomadjobs`); CC's 404 otherwise. */
async function appFor(req: CfRequest, ctx: CfApiContext): Promise<NomadJob> {
  const job = ctx.cf.appByGuid(req.params['guid'] ?? '');
  if (!job || !(await req.may(jobAccess('get', namespaceOf(job), job.metadata.name)))) throw cfErrors.resourceNotFound('App not found');
  return job;
}

/** A revision or droplet of the path (both are job versions), readable through its app. */
async function versionFor(req: CfRequest, ctx: CfApiContext, notFound: 'Revision not found' | 'Droplet not found'): Promise<CfRevisionSource> {
  const r = ctx.cf.revisionByGuid(req.params['guid'] ?? '');
  if (!r || !(await req.may(jobAccess('get', namespaceOf(r.job), r.job.metadata.name)))) throw cfErrors.resourceNotFound(notFound);
  return r;
}

/** An app's JSON in the list, kept per job object while its versions stay as they were, for the base it was made for. */
const apps = new WeakMap<NomadJob, { base: string; versions: unknown; json: CfApp }>();

function listedApp(req: CfRequest, ctx: CfApiContext, job: NomadJob): CfApp {
  const versions = ctx.cf.view.versions(job);
  const known = apps.get(job);
  if (known && known.base === req.base && known.versions === versions) return known.json;
  const json = appJson(req.base, job, ctx.cf.revisions(job).at(-1));
  apps.set(job, { base: req.base, versions, json });
  return json;
}

const inList = (q: ListQuery, key: string, value: string) => q.lists[key] === undefined || q.lists[key].includes(value);
const inTime = (q: ListQuery, created: string, updated: string) =>
  (q.createdAts === undefined || timestampMatches(created, q.createdAts)) && (q.updatedAts === undefined || timestampMatches(updated, q.updatedAts));

function listed<T extends { guid: string; created_at: string; updated_at: string }>(
  req: CfRequest,
  path: string,
  q: ListQuery,
  rows: readonly T[],
  extra: (row: T, field: string) => string = () => '',
) {
  const sorted = ordered(
    rows,
    q,
    (r, field) => (field === 'created_at' ? r.created_at : field === 'updated_at' ? r.updated_at : extra(r, field)),
    (r) => r.guid,
  );
  return { status: 200, body: paginated(`${req.base}${path}`, q, sorted) };
}

const previousOf = (all: readonly CfRevisionSource[], r: CfRevisionSource) => all.filter((x) => x.version.version < r.version.version).at(-1);

/** Apps, revisions and droplets (spec §6.4-6.6): the context `cf` reads around deployments. */
export const appRoutes: CfRoute[] = [
  {
    method: 'GET',
    path: '/v3/apps',
    handler: async (req, ctx) => {
      const q = queryOf(req, appsQuery);
      const visible = await visibleNamespaces(req, ctx, (ns) => jobAccess('list', ns));
      const apps = ctx.cf.view
        .jobs('*')
        .filter((j) => visible(namespaceOf(j)))
        .map((j) => ({ job: j, json: listedApp(req, ctx, j) }))
        .filter(
          ({ job, json }) =>
            inList(q, 'guids', json.guid) &&
            inList(q, 'names', json.name) &&
            inList(q, 'space_guids', namespaceOf(job)) &&
            inList(q, 'lifecycle_type', 'docker') &&
            (q.labelSelector === undefined || matchesLabels(json.metadata.labels, q.labelSelector)) &&
            inTime(q, json.created_at, json.updated_at),
        )
        .map(({ json }) => json);
      return listed(req, '/v3/apps', q, apps, (a, field) => (field === 'name' ? a.name : a.state));
    },
  },
  {
    method: 'GET',
    path: '/v3/apps/:guid',
    handler: async (req, ctx) => {
      const job = await appFor(req, ctx);
      return { status: 200, body: appJson(req.base, job, ctx.cf.revisions(job).at(-1)) };
    },
  },
  {
    method: 'GET',
    path: '/v3/apps/:guid/revisions',
    handler: async (req, ctx) => {
      const q = queryOf(req, revisionsQuery);
      const job = await appFor(req, ctx);
      const all = ctx.cf.revisions(job);
      const rows = all
        .map((r) => revisionJson(req.base, r, previousOf(all, r)))
        .filter(
          (r) =>
            inList(q, 'versions', String(r.version)) &&
            inTime(q, r.created_at, r.updated_at) &&
            (q.labelSelector === undefined || matchesLabels(r.metadata.labels, q.labelSelector)),
        );
      return listed(req, `/v3/apps/${job.metadata.uid}/revisions`, q, rows);
    },
  },
  {
    method: 'GET',
    path: '/v3/revisions/:guid',
    handler: async (req, ctx) => {
      const r = await versionFor(req, ctx, 'Revision not found');
      return { status: 200, body: revisionJson(req.base, r, previousOf(ctx.cf.revisions(r.job), r)) };
    },
  },
  {
    method: 'GET',
    path: '/v3/apps/:guid/droplets',
    handler: async (req, ctx) => {
      const q = queryOf(req, dropletsQuery);
      const job = await appFor(req, ctx);
      const rows = ctx.cf
        .revisions(job)
        .map((r) => dropletJson(req.base, r))
        .filter((d) => inList(q, 'guids', d.guid) && inList(q, 'states', d.state) && inTime(q, d.created_at, d.updated_at));
      return listed(req, `/v3/apps/${job.metadata.uid}/droplets`, q, rows);
    },
  },
  {
    method: 'GET',
    path: '/v3/apps/:guid/droplets/current',
    handler: async (req, ctx) => {
      const job = await appFor(req, ctx);
      const current = ctx.cf.revisions(job).at(-1);
      if (!current) throw cfErrors.resourceNotFound('Droplet not found');
      return { status: 200, body: dropletJson(req.base, current) };
    },
  },
  {
    method: 'GET',
    path: '/v3/droplets/:guid',
    handler: async (req, ctx) => ({ status: 200, body: dropletJson(req.base, await versionFor(req, ctx, 'Droplet not found')) }),
  },
];
