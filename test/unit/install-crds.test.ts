import { dumpYaml } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { nomadDeploymentCrd } from '../../src/crd/nomad-deployment-crd.ts';
import { nomadJobCrd } from '../../src/crd/nomad-job-crd.ts';
import { caravanCrds } from '../../src/kube/install-crds.ts';

describe('CRDs sent through client-node', () => {
  it('serialize back to exactly the generated JSON (no CEL rule, default or enum lost)', () => {
    const [job, deployment] = caravanCrds();
    expect(load(dumpYaml(job))).toEqual(JSON.parse(JSON.stringify(nomadJobCrd())));
    expect(load(dumpYaml(deployment))).toEqual(JSON.parse(JSON.stringify(nomadDeploymentCrd())));
  });
});
