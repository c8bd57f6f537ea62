import { CustomObjectsApi } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CfView } from '../../../src/api/cf/cf-view.ts';
import { cfApiRoutes } from '../../../src/api/cf/routes/index.ts';
import { startCfApi, type RunningCfApi } from '../../../src/api/cf/server.ts';
import { runController, type RunningController } from '../../../src/controller/controller.ts';
import { KubernetesAccess } from '../../../src/api/kubernetes-access.ts';
import { TableIndexes } from '../../../src/api/table-indexes.ts';
import { ClusterView } from '../../../src/api/cluster-view.ts';
import { clusterClients, freshNamespace, waitFor } from '../kube.ts';
import { startApi, tokenFor, type ApiUnderTest } from '../nomad-api/api-harness.ts';
import {
  appSchema,
  deploymentSchema,
  dropletSchema,
  errorSchema,
  listSchema,
  revisionSchema,
  rootSchema,
  shapeErrors,
  v3RootSchema,
  type Schema,
} from './cf-schemas.ts';

const { kc, core } = clusterClients();
const custom = kc.makeApiClient(CustomObjectsApi);

/** The app: a NomadJob applied with kubectl (CF creates apps elsewhere than /v3/deployments). */
function webJob(namespace: string) {
  return {
    apiVersion: 'caravan.dev/v1alpha1',
    kind: 'NomadJob',
    metadata: { name: 'web', namespace },
    spec: {
      datacenters: ['*'],
      update: { maxParallel: 2, minHealthyTime: '1s', healthyDeadline: '1m', progressDeadline: '3m', autoRevert: false },
      taskGroups: [{ name: 'frontend', count: 4, tasks: [{ name: 'nginx', driver: 'docker', config: { image: 'nginx:1.27' } }] }],
    },
  };
}

/**
 * The Cloud Foundry v3 view driven only through /v3 (issue 14): find the app, create canary
 * deployments, continue and cancel them, list with every filter and page with the links, and
 * check that the Nomad API and kubectl show the same rollouts. Every response is decoded
 * strictly against the spec's shapes.
 */
describe('the CF v3 API drives rollouts of the same objects', () => {
  let cf: RunningCfApi;
  let nomad: ApiUnderTest;
  let controller: RunningController;
  let closeView: () => void;
  let namespace: string;
  let token: string;
  let readerToken: string;
  let base: string;
  let appGuid: string;
  const transcript: string[] = [];

  beforeAll(async () => {
    nomad = await startApi();
    const indexes = new TableIndexes(nomad.cluster);
    const view = new ClusterView(nomad.cluster);
    closeView = () => {
      indexes.close();
      view.close();
    };
    cf = await startCfApi({ kc, cf: new CfView(view), indexes, access: new KubernetesAccess(kc) }, cfApiRoutes, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${cf.port}`;
    controller = await runController(kc, {});
    namespace = await freshNamespace(core, 'cfapi');
    token = await tokenFor(namespace, 'developer', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list', 'update', 'patch'] },
    ]);
    readerToken = await tokenFor(namespace, 'auditor', [{ apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list'] }]);
    await custom.createNamespacedCustomObject({ group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs', namespace, body: webJob(namespace) });
  }, 120_000);
  afterAll(async () => {
    if (transcript.length > 0) writeFileSync(process.env['CF_TRANSCRIPT'] ?? '/tmp/cf-api-transcript.txt', transcript.join('\n'));
    await controller?.stop();
    await cf?.close();
    closeView?.();
    await nomad?.stop();
  });

  async function call(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string | null; schema?: Schema; record?: boolean } = {},
  ): Promise<{ status: number; json: any; text: string }> {
    const auth = opts.token === null ? {} : { Authorization: `bearer ${opts.token ?? token}` };
    const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
      method,
      headers: { ...auth, ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    const json = text === '' ? undefined : JSON.parse(text);
    if (opts.record)
      transcript.push(
        `$ curl -X ${method} -H "Authorization: bearer $TOKEN" '${path.startsWith('http') ? path : base + path}'${opts.body !== undefined ? ` -d '${JSON.stringify(opts.body)}'` : ''}\nHTTP ${res.status}\n${text === '' ? '(empty body)' : JSON.stringify(json, null, 2)}\n`,
      );
    const schema = res.status >= 400 ? errorSchema : opts.schema;
    if (schema && json !== undefined) expect(shapeErrors(json, schema), `${method} ${path}`).toEqual([]);
    return { status: res.status, json, text };
  }
  const deployment = (guid: string) => call('GET', `/v3/deployments/${guid}`, { schema: deploymentSchema });
  const until = (guid: string, what: string, ok: (d: any) => boolean) =>
    waitFor(
      what,
      async () => {
        const d = (await deployment(guid)).json;
        return ok(d) ? d : undefined;
      },
      120_000,
      500,
    );

  it('serves the root documents without a token', async () => {
    const root = await call('GET', '/', { token: null, schema: rootSchema });
    expect(root.json.links.cloud_controller_v3.meta.version).toBe('3.228.0');
    const v3 = await call('GET', '/v3', { token: null, schema: v3RootSchema });
    expect(v3.json.links.deployments.href).toBe(`${base}/v3/deployments`);
  });

  it("refuses requests without a valid token with CF's errors", async () => {
    expect((await call('GET', '/v3/deployments', { token: null })).json.errors).toEqual([
      { detail: 'Authentication error', title: 'CF-NotAuthenticated', code: 10002 },
    ]);
    expect((await call('GET', '/v3/deployments', { token: 'not-a-token' })).json.errors).toEqual([
      { detail: 'Invalid Auth Token', title: 'CF-InvalidAuthToken', code: 1000 },
    ]);
    expect((await call('GET', '/v3/nothing')).json.errors).toEqual([{ detail: 'Unknown request', title: 'CF-NotFound', code: 10000 }]);
    const bad = await call('GET', '/v3/deployments?foo=1&per_page=0');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({
      title: 'CF-BadQueryParameter',
      code: 10005,
      detail: expect.stringMatching(
        /^The query parameter is invalid: Unknown query parameter\(s\): 'foo'\. Valid parameters are: .*, Per page must be a positive integer$/,
      ),
    });
  });

  it('finds the app, its first rollout, revisions and droplets', async () => {
    // The job was created a moment ago: the API answers from caches its watch fills.
    const apps = await waitFor(
      'the app in the CF API',
      async () => {
        const found = await call('GET', `/v3/apps?names=web&space_guids=${namespace}`, { schema: listSchema(appSchema) });
        return found.json.resources.length > 0 ? found : undefined;
      },
      30_000,
      250,
    );
    await call('GET', `/v3/apps?names=web&space_guids=${namespace}`, { schema: listSchema(appSchema), record: true });
    expect(apps.json.resources).toHaveLength(1);
    appGuid = apps.json.resources[0].guid;
    expect(apps.json.resources[0]).toMatchObject({ name: 'web', state: 'STARTED' });
    const first = await waitFor(
      'version 0 deployed',
      async () => {
        const list = await call('GET', `/v3/deployments?app_guids=${appGuid}&status_values=FINALIZED`, { schema: listSchema(deploymentSchema) });
        return list.json.resources[0]?.status.reason === 'DEPLOYED' ? list.json.resources[0] : undefined;
      },
      120_000,
      500,
    );
    expect(first).toMatchObject({
      strategy: 'rolling',
      options: { max_in_flight: 2 },
      revision: { version: 0 },
      previous_droplet: { guid: null },
      relationships: { app: { data: { guid: appGuid } } },
    });
    expect(first.links.cancel).toBeUndefined();
    const app = await call('GET', `/v3/apps/${appGuid}`, { schema: appSchema });
    expect(app.json.relationships.current_droplet.data.guid).toBe(first.revision.guid);
    const revisions = await call('GET', `/v3/apps/${appGuid}/revisions`, { schema: listSchema(revisionSchema) });
    expect(revisions.json.resources.map((r: { guid: string }) => r.guid)).toEqual([first.revision.guid]);
    await call('GET', `/v3/revisions/${first.revision.guid}`, { schema: revisionSchema });
    await call('GET', `/v3/droplets/${first.droplet.guid}`, { schema: dropletSchema });
    await call('GET', `/v3/apps/${appGuid}/droplets/current`, { schema: dropletSchema });
    expect((await call('GET', `/v3/apps/00000000-0000-0000-0000-000000000000`)).json.errors[0].detail).toBe('App not found');
  });

  let canaryGuid: string;
  it('creates a canary deployment with steps, and continues it step by step until it finishes', async () => {
    const created = await call('POST', '/v3/deployments', {
      schema: deploymentSchema,
      record: true,
      body: {
        options: {
          max_in_flight: 2,
          canary: { steps: [{ instance_weight: 25 }, { instance_weight: 50 }] },
          web_instances: null,
          memory_in_mb: null,
          disk_in_mb: null,
          log_rate_limit_in_bytes_per_second: null,
        },
        strategy: 'canary',
        relationships: { app: { data: { guid: appGuid } } },
      },
    });
    expect(created.status).toBe(201);
    canaryGuid = created.json.guid;
    expect(created.json).toMatchObject({
      strategy: 'canary',
      status: { value: 'ACTIVE', reason: 'DEPLOYING', canary: { steps: { current: 1, total: 2 } } },
      options: { max_in_flight: 2, canary: { steps: [{ instance_weight: 25 }, { instance_weight: 50 }] } },
      revision: { version: 1 },
    });
    const early = await call('POST', `/v3/deployments/${canaryGuid}/actions/continue`);
    if (early.status !== 200)
      expect(early.json.errors[0]).toEqual({
        detail: 'Cannot continue a deployment with status: ACTIVE and reason: DEPLOYING',
        title: 'CF-UnprocessableEntity',
        code: 10008,
      });
    else await call('GET', `/v3/deployments/${canaryGuid}`); // the first step may already have paused
    await until(canaryGuid, 'step 1 paused', (d) => d.status.reason === 'PAUSED' || d.status.canary.steps.current === 2);
    // What `cf continue-deployment` does: find the active deployment, then continue it.
    const active = await call('GET', `/v3/deployments?app_guids=${appGuid}&status_values=ACTIVE&order_by=-created_at&per_page=1`, {
      schema: listSchema(deploymentSchema),
      record: true,
    });
    expect(active.json.resources).toHaveLength(1);
    expect(active.json.pagination.first.href).toBe(`${base}/v3/deployments?app_guids=${appGuid}&order_by=-created_at&page=1&per_page=1&status_values=ACTIVE`);
    const paused = active.json.resources[0];
    expect(paused).toMatchObject({
      guid: canaryGuid,
      status: { value: 'ACTIVE', reason: 'PAUSED', canary: { steps: { current: 1, total: 2 } } },
      links: { continue: { href: `${base}/v3/deployments/${canaryGuid}/actions/continue`, method: 'POST' }, cancel: { method: 'POST' } },
    });
    const continued = await call('POST', paused.links.continue.href, { record: true });
    expect([continued.status, continued.text]).toEqual([200, '']);
    // Answered once the controller has moved to step 2 (CF: PREPAUSED, shown as DEPLOYING).
    const moving = await call('GET', `/v3/deployments/${canaryGuid}`, { record: true });
    expect(moving.json.status.canary.steps.current).toBe(2);
    const step2 = await until(canaryGuid, 'step 2 paused', (d) => d.status.reason === 'PAUSED' && d.status.canary.steps.current === 2);
    expect(step2.links.continue).toBeDefined();
    expect((await call('POST', `/v3/deployments/${canaryGuid}/actions/continue`, { record: true })).status).toBe(200);
    const done = await until(canaryGuid, 'deployed', (d) => d.status.value === 'FINALIZED');
    expect(done).toMatchObject({ status: { value: 'FINALIZED', reason: 'DEPLOYED' }, state: 'DEPLOYED' });
    expect(done.links.continue).toBeUndefined();
    expect(done.links.cancel).toBeUndefined();
    const again = await call('POST', `/v3/deployments/${canaryGuid}/actions/continue`);
    expect([again.status, again.json.errors[0].detail]).toEqual([422, 'Cannot continue a deployment with status: FINALIZED and reason: DEPLOYED']);
    const cancelDone = await call('POST', `/v3/deployments/${canaryGuid}/actions/cancel`);
    expect([cancelDone.status, cancelDone.json.errors[0]]).toEqual([
      422,
      { detail: 'Cannot cancel a deployment with status: FINALIZED and reason: DEPLOYED', title: 'CF-UnprocessableEntity', code: 10008 },
    ]);
  });

  it('lists deployments with each filter, and pages through with the links', async () => {
    const labelled = await call('PATCH', `/v3/deployments/${canaryGuid}`, {
      body: { metadata: { labels: { release: 'spring' }, annotations: { note: 'canary in two steps' } } },
      schema: deploymentSchema,
    });
    expect(labelled.json.metadata).toEqual({
      labels: expect.objectContaining({ release: 'spring' }),
      annotations: expect.objectContaining({ note: 'canary in two steps' }),
    });
    const guids = async (query: string) =>
      (await call('GET', `/v3/deployments?${query}`, { schema: listSchema(deploymentSchema) })).json.resources.map((d: { guid: string }) => d.guid);
    const all: string[] = await guids(`app_guids=${appGuid}`);
    expect(all).toHaveLength(2);
    expect(all[1]).toBe(canaryGuid);
    expect(await guids(`app_guids=${appGuid}&order_by=-created_at`)).toEqual([...all].reverse());
    expect(await guids(`app_guids=${appGuid}&order_by=updated_at`)).toHaveLength(2);
    expect(await guids(`guids=${canaryGuid}`)).toEqual([canaryGuid]);
    expect(await guids(`app_guids=${appGuid}&status_values=ACTIVE`)).toEqual([]);
    expect(await guids(`app_guids=${appGuid}&status_values=FINALIZED`)).toEqual(all);
    expect(await guids(`app_guids=${appGuid}&status_reasons=DEPLOYED,CANCELED`)).toEqual(all);
    expect(await guids(`app_guids=${appGuid}&states=DEPLOYED`)).toEqual(all);
    expect(await guids(`app_guids=${appGuid}&status_values=foo`)).toEqual([]);
    expect(await guids(`app_guids=${appGuid}&label_selector=release=spring`)).toEqual([canaryGuid]);
    expect(await guids(`app_guids=${appGuid}&label_selector=release in (spring,summer)`)).toEqual([canaryGuid]);
    expect(await guids(`app_guids=${appGuid}&label_selector=!release`)).toEqual([all[0]]);
    const canary = (await deployment(canaryGuid)).json;
    expect(await guids(`app_guids=${appGuid}&created_ats[gte]=${canary.created_at}`)).toEqual([canaryGuid]);
    expect(await guids(`app_guids=${appGuid}&created_ats[lt]=${canary.created_at}`)).toEqual([all[0]]);
    expect(await guids(`app_guids=${appGuid}&created_ats=${canary.created_at}`)).toContain(canaryGuid);
    expect(await guids(`app_guids=${appGuid}&updated_ats[lte]=${canary.updated_at}`)).toContain(canaryGuid);
    expect(await guids(`app_guids=${appGuid}&updated_ats[gt]=2000-01-01T00:00:00Z`)).toEqual(all);
    // Page through one at a time, following `next` until it is null.
    const seen: string[] = [];
    let href: string | undefined = `${base}/v3/deployments?app_guids=${appGuid}&per_page=1`;
    while (href) {
      const page: { json: any } = await call('GET', href, { schema: listSchema(deploymentSchema) });
      expect(page.json.pagination).toMatchObject({ total_results: 2, total_pages: 2 });
      seen.push(...page.json.resources.map((d: { guid: string }) => d.guid));
      href = page.json.pagination.next?.href;
    }
    expect(seen).toEqual(all);
    const last = await call('GET', `/v3/deployments?app_guids=${appGuid}&per_page=1&page=2`);
    expect(last.json.pagination).toMatchObject({ next: null, previous: { href: `${base}/v3/deployments?app_guids=${appGuid}&page=1&per_page=1` } });
    // An auditor reads but cannot change.
    expect((await call('GET', `/v3/deployments?app_guids=${appGuid}`, { token: readerToken })).json.resources).toHaveLength(2);
    expect(
      (await call('PATCH', `/v3/deployments/${canaryGuid}`, { token: readerToken, body: { metadata: { labels: { x: 'y' } } } })).json.errors[0].title,
    ).toBe('CF-NotAuthorized');
    expect((await call('POST', `/v3/deployments/${canaryGuid}/actions/cancel`, { token: readerToken })).json.errors[0].detail).toBe('Deployment not found');
  });

  it('creates another deployment and cancels it: CANCELED (CANCELING while the controller works), and the app rolls back', async () => {
    const both = await call('POST', '/v3/deployments', {
      body: { droplet: { guid: appGuid }, revision: { guid: appGuid }, relationships: { app: { data: { guid: appGuid } } } },
    });
    expect([both.status, both.json.errors[0].detail]).toEqual([422, "Droplet Cannot set both fields 'droplet' and 'revision'"]);
    const before = (await call('GET', `/v3/apps/${appGuid}`)).json.relationships.current_droplet.data.guid;
    const created = await call('POST', '/v3/deployments', {
      schema: deploymentSchema,
      record: true,
      body: { strategy: 'canary', relationships: { app: { data: { guid: appGuid } } } },
    });
    const guid = created.json.guid;
    expect(created.json).toMatchObject({ strategy: 'canary', previous_droplet: { guid: before }, status: { canary: { steps: { current: 1, total: 1 } } } });
    expect(created.json.options.canary).toBeUndefined();
    await until(guid, 'the canary paused', (d) => d.status.reason === 'PAUSED');
    const canceled = await call('POST', `/v3/deployments/${guid}/actions/cancel`, { record: true });
    expect([canceled.status, canceled.text]).toEqual([200, '']);
    const final = await until(guid, 'canceled', (d) => d.status.value === 'FINALIZED');
    expect(final).toMatchObject({ status: { value: 'FINALIZED', reason: 'CANCELED' }, state: 'CANCELED' });
    // The app rolls back to its previous revision: a new version with that version's spec.
    const rolledBack = await waitFor(
      'the rollback version',
      async () => {
        const revisions = (await call('GET', `/v3/apps/${appGuid}/revisions`, { schema: listSchema(revisionSchema) })).json.resources;
        return revisions.at(-1).version > final.revision.version ? revisions.at(-1) : undefined;
      },
      30_000,
      500,
    );
    expect(rolledBack.version).toBe(final.revision.version + 1);
    const job = (await custom.getNamespacedCustomObject({ group: 'caravan.dev', version: 'v1alpha1', plural: 'nomadjobs', namespace, name: 'web' })) as {
      spec: { update: { canarySteps?: unknown; canary?: number } };
    };
    expect(job.spec.update.canarySteps).toHaveLength(2); // the spec of version 1, the canary-steps rollout
  });

  it('shows the same rollouts through the Nomad API and kubectl: IDs, counts and outcome', async () => {
    // The rollback the last test started may still be running: compare once every rollout is over.
    const list = await waitFor(
      'every deployment of the app finalized',
      async () => {
        const resources = (await call('GET', `/v3/deployments?app_guids=${appGuid}`)).json.resources as {
          guid: string;
          status: { value: string; reason: string };
          revision: { version: number };
        }[];
        return resources.every((d) => d.status.value === 'FINALIZED') ? resources : undefined;
      },
      60_000,
      500,
    );
    const nomadStatus: Record<string, string> = { DEPLOYED: 'successful', CANCELED: 'failed', SUPERSEDED: 'cancelled' };
    const nomadToken = await tokenFor(namespace, 'nomad-reader', [
      { apiGroups: ['caravan.dev'], resources: ['nomadjobs', 'nomaddeployments'], verbs: ['get', 'list'] },
    ]);
    const nomadList = await fetch(`${nomad.url}/v1/job/web/deployments?namespace=${namespace}`, { headers: { 'X-Nomad-Token': nomadToken } }).then(
      (r) =>
        r.json() as Promise<{ ID: string; Status: string; JobVersion: number; TaskGroups: Record<string, { HealthyAllocs: number; DesiredTotal: number }> }[]>,
    );
    const objects = (await custom.listNamespacedCustomObject({ group: 'caravan.dev', version: 'v1alpha1', plural: 'nomaddeployments', namespace })) as {
      items: { metadata: { uid: string }; status: { status: string; taskGroups: Record<string, { healthyAllocs: number }> } }[];
    };
    for (const d of list.filter((x) => x.status.reason !== 'SUPERSEDED')) {
      const n = nomadList.find((x) => x.ID === d.guid);
      const k = objects.items.find((x) => x.metadata.uid === d.guid);
      expect(n, d.guid).toBeDefined();
      expect(k, d.guid).toBeDefined();
      expect([n!.Status, k!.status.status, n!.JobVersion]).toEqual([nomadStatus[d.status.reason], nomadStatus[d.status.reason], d.revision.version]);
      expect(n!.TaskGroups['frontend']!.HealthyAllocs).toBe(k!.status.taskGroups['frontend']!.healthyAllocs);
    }
    expect(list.length).toBeGreaterThanOrEqual(3);
  });
});
