import { describe, expect, it } from 'vitest';
import { canonicalJob } from '../../../src/model/defaults.ts';
import { renderAllocationPod } from '../../../src/resources/allocation-pod.ts';
import {
  childIdentity,
  dispatchedChild,
  nomadJobId,
  payloadSecret,
  periodicChild,
  withChildEnvironment,
  withDispatchPayload,
} from '../../../src/resources/child-job.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';

const parent: NomadJob = {
  apiVersion: 'caravan.dev/v1alpha1',
  kind: 'NomadJob',
  metadata: { name: 'report', namespace: 'shop', uid: 'parent-uid' },
  spec: {
    type: 'batch',
    meta: { mode: 'full', region: 'eu' },
    parameterized: { payload: 'optional', metaRequired: ['customer'], metaOptional: ['mode'] },
    taskGroups: [
      {
        name: 'run',
        tasks: [
          { name: 'main', driver: 'docker', config: { image: 'report:1' }, dispatchPayload: { file: 'input/order.json' } },
          { name: 'side', driver: 'docker', config: { image: 'side:1' } },
        ],
      },
    ],
  },
};

describe('children of periodic and parameterized parents (issue 13)', () => {
  it('a dispatched child: Nomad ID with the template, the parent, meta merged over the job meta, no parameterized block', () => {
    const child = dispatchedChild(parent, {
      unix: 1767225600,
      hex8: '4f1c9a2b',
      idPrefixTemplate: 'acme',
      meta: { customer: 'acme', mode: 'quick' },
      hasPayload: true,
    });
    expect(child.metadata.name).toBe('report-dispatch-1767225600-4f1c9a2b');
    expect(nomadJobId(child)).toBe('report/dispatch-acme-1767225600-4f1c9a2b');
    expect(childIdentity(child)).toEqual({ nomadId: 'report/dispatch-acme-1767225600-4f1c9a2b', parentId: 'report', parentName: 'report', dispatched: true });
    expect(child.spec.parameterized).toBeUndefined();
    expect(child.spec.meta).toEqual({ mode: 'quick', region: 'eu', customer: 'acme' });
    expect(child.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'NomadJob', name: 'report', uid: 'parent-uid' })]);
  });

  it('a periodic child runs the spec without periodic, and its ID carries the launch time', () => {
    const { parameterized: _p, ...template } = parent.spec;
    const child = periodicChild({ ...parent, spec: { ...template, periodic: { crons: ['@daily'] } } }, 1767232800_500);
    expect(child.metadata.name).toBe('report-periodic-1767232800');
    expect(childIdentity(child)?.launch).toBe(1767232800_000);
    expect(child.spec.periodic).toBeUndefined();
  });

  it("the payload Secret is owned by the child and mounted at the task's local/<file>; other tasks get nothing", () => {
    const child = {
      ...dispatchedChild(parent, { unix: 1, hex8: 'abcdef01', meta: { customer: 'acme' }, hasPayload: true }),
      metadata: { ...dispatchedChild(parent, { unix: 1, hex8: 'abcdef01', meta: { customer: 'acme' }, hasPayload: true }).metadata, uid: 'child-uid' },
    };
    const secret = payloadSecret(child, Buffer.from('{"order":1}'));
    expect(secret.metadata?.ownerReferences?.[0]?.uid).toBe('child-uid');
    expect(Buffer.from(secret.data!['payload']!, 'base64').toString()).toBe('{"order":1}');
    const job = canonicalJob(child.metadata.name, 'shop', child.spec);
    const pod = withDispatchPayload(
      renderAllocationPod({ job, jobUid: 'child-uid', version: 0, group: 'run', index: 0, canary: false }),
      job,
      secret.metadata!.name,
    );
    const [main, side] = pod.spec!.containers;
    expect(main!.volumeMounts).toEqual([{ name: 'dispatch-payload', mountPath: '/local/input/order.json', subPath: 'payload', readOnly: true }]);
    expect(side!.volumeMounts).toBeUndefined();
    expect(pod.spec!.volumes).toEqual([{ name: 'dispatch-payload', secret: { secretName: 'report-dispatch-1-abcdef01-payload' } }]);
    expect(main!.env).toEqual(
      expect.arrayContaining([
        { name: 'NOMAD_META_customer', value: 'acme' },
        { name: 'NOMAD_META_CUSTOMER', value: 'acme' },
      ]),
    );
    const named = withChildEnvironment(pod, childIdentity(child)).spec!.containers[0]!.env!;
    expect(named).toEqual(
      expect.arrayContaining([
        { name: 'NOMAD_JOB_ID', value: 'report/dispatch-1-abcdef01' },
        { name: 'NOMAD_JOB_NAME', value: 'report/dispatch-1-abcdef01' },
        { name: 'NOMAD_JOB_PARENT_ID', value: 'report' },
      ]),
    );
  });
});
