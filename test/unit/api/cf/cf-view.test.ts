import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CfView } from '../../../../src/api/cf/cf-view.ts';
import { appRoutes } from '../../../../src/api/cf/routes/apps.ts';
import { deploymentRoutes } from '../../../../src/api/cf/routes/deployments.ts';
import type { CfApiContext } from '../../../../src/api/cf/server.ts';
import { TableIndexes } from '../../../../src/api/table-indexes.ts';
import { ClusterView } from '../../../../src/api/cluster-view.ts';
import { formatRecordedHealth } from '../../../../src/resources/recorded-health.ts';
import { annotations } from '../../../../src/resources/labels.ts';
import type { NomadDeployment } from '../../../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../../../src/resources/nomad-job.ts';
import { fixtureStart, populateCluster } from '../cluster-fixture.ts';
import { MemoryCluster } from '../memory-cluster.ts';

/** A CF deployment's source is kept per deployment object (issue 15); it follows the deployment, its job's versions and its Pods. */
describe('CfView.deploymentSource follows what it is made of', () => {
  const setup = () => {
    const cluster = new MemoryCluster();
    let rv = populateCluster(cluster, { jobs: 3, podsPerJob: 2, namespaces: 1, nodes: 2 });
    const cf = new CfView(new ClusterView(cluster));
    return { cluster, cf, next: () => String(++rv) };
  };

  it("the deployment's status", () => {
    const { cluster, cf, next } = setup();
    const d = cluster.deployments.get('default/web-00001-v1')!;
    expect(cf.deploymentSource(d).facts.status).toBe('successful');
    const failed = cluster.apply<NomadDeployment>('deployments', {
      ...d,
      metadata: { ...d.metadata, resourceVersion: next() },
      status: { ...d.status!, status: 'failed' },
    });
    expect(cf.deploymentSource(failed).facts.status).toBe('failed');
  });

  it('a Pod recorded healthy later', () => {
    const { cluster, cf, next } = setup();
    const d = cluster.deployments.get('default/web-00001-v1')!;
    const before = cf.deploymentSource(d).lastHealthyAt;
    const pod = cluster.pods.byIndex('job', 'default/web-00001')[0]!;
    const later = fixtureStart + 3_600_000;
    cluster.apply<V1Pod>('pods', {
      ...pod,
      metadata: {
        ...pod.metadata,
        resourceVersion: next(),
        annotations: { ...pod.metadata!.annotations, [annotations.deploymentHealth]: formatRecordedHealth('healthy', later) },
      },
    });
    expect(before).not.toBe(new Date(later).toISOString());
    expect(cf.deploymentSource(d).lastHealthyAt).toBe(new Date(later).toISOString());
  });

  it("the revision of the job's version going away", () => {
    const { cluster, cf } = setup();
    const d = cluster.deployments.get('default/web-00001-v1')!;
    expect(cf.deploymentSource(d).revision?.version).toBe(1);
    cluster.delete('revisions', cluster.revisionCache.get('default/web-00001-v1')!);
    expect(cf.deploymentSource(d).revision).toBeNull();
  });
});

describe('/v3/deployments rows are kept with their source, per base URL', () => {
  it('follow a status change, and answer each base with its own links', async () => {
    const cluster = new MemoryCluster();
    let rv = populateCluster(cluster, { jobs: 3, podsPerJob: 1, namespaces: 1, nodes: 1 });
    const cf = new CfView(new ClusterView(cluster));
    const route = deploymentRoutes.find((r) => r.method === 'GET' && r.path === '/v3/deployments')!;
    const list = async (base: string) => {
      const request = {
        params: {},
        search: '',
        body: undefined,
        caller: { username: 't', groups: [] },
        base,
        may: async () => true,
        signal: new AbortController().signal,
      };
      const context = { cf, indexes: new TableIndexes(cluster) } as unknown as CfApiContext;
      return ((await route.handler(request, context)).body as { resources: { guid: string; state: string; links: { self: { href: string } } }[] }).resources;
    };
    const d = cluster.deployments.get('default/web-00001-v1')!;
    const row = async (base: string) => (await list(base)).find((r) => r.guid === d.metadata.uid)!;
    expect((await row('https://a')).state).toBe('DEPLOYED');
    cluster.apply<NomadDeployment>('deployments', {
      ...d,
      metadata: { ...d.metadata, resourceVersion: String(++rv) },
      status: { ...d.status!, status: 'failed', statusDescription: 'Failed due to unhealthy allocations' },
    });
    expect((await row('https://a')).state).toBe('CANCELED');
    expect((await row('https://b')).links.self.href).toBe(`https://b/v3/deployments/${d.metadata.uid}`);
  });
});

describe('/v3/apps rows are kept per job object and its versions', () => {
  it('follow a stop and a new version', async () => {
    const cluster = new MemoryCluster();
    let rv = populateCluster(cluster, { jobs: 2, podsPerJob: 1, namespaces: 1, nodes: 1 });
    const cf = new CfView(new ClusterView(cluster));
    const route = appRoutes.find((r) => r.method === 'GET' && r.path === '/v3/apps')!;
    const app = async () => {
      const request = {
        params: {},
        search: '',
        body: undefined,
        caller: { username: 't', groups: [] },
        base: 'https://a',
        may: async () => true,
        signal: new AbortController().signal,
      };
      const context = { cf, indexes: new TableIndexes(cluster) } as unknown as CfApiContext;
      const { resources } = (await route.handler(request, context)).body as {
        resources: { name: string; state: string; relationships: { current_droplet: { data: { guid: string } } } }[];
      };
      return resources.find((r) => r.name === 'web-00001')!;
    };
    expect((await app()).state).toBe('STARTED');
    const j = cluster.jobs.get('default/web-00001')!;
    cluster.apply<NomadJob>('jobs', { ...j, metadata: { ...j.metadata, resourceVersion: String(++rv) }, spec: { ...j.spec, stop: true } });
    expect((await app()).state).toBe('STOPPED');
    cluster.delete('revisions', cluster.revisionCache.get('default/web-00001-v1')!);
    expect((await app()).relationships.current_droplet.data.guid).toBe(cluster.revisionCache.get('default/web-00001-v0')!.metadata!.uid);
  });
});
