import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CfView } from '../../../../src/api/cf/cf-view.ts';
import { ClusterView } from '../../../../src/api/cluster-view.ts';
import { formatRecordedHealth } from '../../../../src/resources/allocation-pod.ts';
import { annotations } from '../../../../src/resources/labels.ts';
import type { NomadDeployment } from '../../../../src/resources/nomad-deployment.ts';
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
