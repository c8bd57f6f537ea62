import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { nomadDeploymentResource } from '../../../resources/api-version.ts';
import type { NomadDeployment } from '../../../resources/nomad-deployment.ts';
import { deploymentJson, type DeploymentSource } from '../deployment-json.ts';
import { cfErrors } from '../errors.ts';
import { deploymentsQuery, parseListQuery, timestampMatches, type ListQuery } from '../list-query.ts';
import { matchesLabels } from '../label-selector.ts';
import { parseMetadata, type MetadataUpdate } from '../metadata-message.ts';
import { ordered, paginated } from '../pagination.ts';
import type { CfApiContext, CfRequest, CfRoute } from '../server.ts';
import type { CfDeployment } from '../wire.ts';
import { deploymentAccess, fresh, namespaceOf, visibleNamespaces } from './access.ts';
import { createDeployment } from './create-deployment.ts';

export const presentDeployment = (req: CfRequest, ctx: CfApiContext, d: NomadDeployment): CfDeployment =>
  deploymentJson(req.base, ctx.cf.deploymentSource(fresh(ctx, d)));

/** A deployment the caller may do `verb` on; CC answers 404 for one it cannot see (§3.2, §3.5). */
export async function deploymentFor(req: CfRequest, ctx: CfApiContext, verb: 'get' | 'patch'): Promise<NomadDeployment> {
  const d = ctx.cf.deploymentByGuid(req.params['guid'] ?? '');
  if (!d || !(await req.may(deploymentAccess(verb, namespaceOf(d), d.metadata.name)))) throw cfErrors.resourceNotFound('Deployment not found');
  return d;
}

function matches(q: ListQuery, d: CfDeployment, labels: Readonly<Record<string, string>>, createdAt: string, updatedAt: string): boolean {
  const lists = q.lists;
  const inList = (key: string, value: string) => lists[key] === undefined || lists[key].includes(value);
  return (
    inList('guids', d.guid) &&
    inList('app_guids', d.relationships.app.data.guid) &&
    inList('states', d.state) &&
    inList('status_reasons', d.status.reason) &&
    inList('status_values', d.status.value) &&
    (q.labelSelector === undefined || matchesLabels(labels, q.labelSelector)) &&
    (q.createdAts === undefined || timestampMatches(createdAt, q.createdAts)) &&
    (q.updatedAts === undefined || timestampMatches(updatedAt, q.updatedAts))
  );
}

interface ListRow {
  readonly json: CfDeployment;
  readonly labels: Readonly<Record<string, string>>;
  readonly created: string;
  readonly updated: string;
}

/** A deployment's row of the list, kept with its source (CfView keeps one per deployment object) for the base it was made for. */
const rows = new WeakMap<DeploymentSource, { base: string; row: ListRow }>();

function listRow(base: string, source: DeploymentSource, d: NomadDeployment): ListRow {
  const known = rows.get(source);
  if (known && known.base === base) return known.row;
  const row = {
    json: deploymentJson(base, source),
    labels: d.metadata.labels ?? {},
    created: new Date(source.createdAt).toISOString(),
    updated: new Date(source.updatedAt).toISOString(),
  };
  rows.set(source, { base, row });
  return row;
}

/** Merges metadata as CC does: listed keys set, null deletes, others kept (a JSON merge patch). */
export async function patchMetadata(ctx: CfApiContext, d: NomadDeployment, metadata: MetadataUpdate): Promise<NomadDeployment> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  const written = (await custom.patchNamespacedCustomObject(
    {
      ...nomadDeploymentResource,
      namespace: namespaceOf(d),
      name: d.metadata.name,
      body: { metadata: { labels: metadata.labels, annotations: metadata.annotations } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as NomadDeployment;
  await ctx.cf.view.caughtUp('deployments', `${namespaceOf(d)}/${d.metadata.name}`, written.metadata.resourceVersion);
  return written;
}

/** `/v3/deployments` and `/v3/deployments/:guid` (spec §3.1-3.4); the actions are in deployment-actions.ts. */
export const deploymentRoutes: CfRoute[] = [
  {
    method: 'GET',
    path: '/v3/deployments',
    handler: async (req, ctx) => {
      const parsed = parseListQuery(req.search, deploymentsQuery);
      if (!parsed.ok) throw cfErrors.badQueryParameter(parsed.errors);
      const q = parsed.query;
      const visible = await visibleNamespaces(req, ctx, (ns) => deploymentAccess('list', ns));
      const rows = ctx.cf.view
        .deployments('*')
        .filter((d) => visible(namespaceOf(d)))
        .map((d) => listRow(req.base, ctx.cf.deploymentSource(d), d))
        .filter((r) => matches(q, r.json, r.labels, r.created, r.updated));
      const sorted = ordered(
        rows,
        q,
        (r, field) => (field === 'updated_at' ? r.updated : r.created),
        (r) => r.json.guid,
      );
      const page = paginated(`${req.base}/v3/deployments`, q, sorted);
      return { status: 200, body: { pagination: page.pagination, resources: page.resources.map((r) => r.json) } };
    },
  },
  {
    method: 'GET',
    path: '/v3/deployments/:guid',
    handler: async (req, ctx) => ({ status: 200, body: presentDeployment(req, ctx, await deploymentFor(req, ctx, 'get')) }),
  },
  {
    method: 'PATCH',
    path: '/v3/deployments/:guid',
    handler: async (req, ctx) => {
      const d = await deploymentFor(req, ctx, 'get');
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw cfErrors.messageParseError();
      const unknown = Object.keys(body).filter((k) => k !== 'metadata');
      if (unknown.length > 0) throw cfErrors.unprocessable([`Unknown field(s): ${unknown.map((k) => `'${k}'`).join(', ')}`]);
      // Readable but not writable: CC's 403 (§3.4).
      if (!(await req.may(deploymentAccess('patch', namespaceOf(d), d.metadata.name)))) throw cfErrors.notAuthorized();
      const metadata = parseMetadata((body as Record<string, unknown>)['metadata']);
      if (!metadata.ok) throw cfErrors.unprocessable(metadata.errors);
      const written = await patchMetadata(ctx, d, metadata.metadata);
      return { status: 200, body: presentDeployment(req, ctx, written) };
    },
  },
  {
    method: 'POST',
    path: '/v3/deployments',
    handler: async (req, ctx) => ({ status: 201, body: presentDeployment(req, ctx, await createDeployment(req, ctx)) }),
  },
];
