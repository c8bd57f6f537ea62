import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { canonicalJob } from '../../../src/model/defaults.ts';
import type { NomadJobSpec, TaskGroupSpec } from '../../../src/model/nomad-job-spec.ts';
import {
  allocationPodName,
  cachedPod,
  nodeNameKey,
  observeAllocation,
  renderAllocationPod,
  systemAllocationPodName,
} from '../../../src/resources/allocation-pod.ts';

const web: TaskGroupSpec = {
  name: 'frontend',
  count: 3,
  meta: { tier: 'web' },
  networks: [
    {
      ports: [
        { label: 'http', to: 8080 },
        { label: 'admin', static: 9000 },
      ],
    },
  ],
  services: [{ name: 'web', port: 'http', checks: [{ type: 'http', path: '/healthz', interval: '5s', timeout: '1s' }] }],
  tasks: [
    { name: 'migrate', driver: 'docker', lifecycle: { hook: 'prestart' }, config: { image: 'web:2', command: '/migrate' } },
    {
      name: 'nginx',
      driver: 'docker',
      config: { image: 'nginx:1.27', ports: ['http', 'admin'], command: 'nginx', args: ['-g', 'daemon off;'] },
      env: { MODE: 'prod', NOMAD_REGION: 'override' },
      resources: { cpu: 250, memoryMB: 128, memoryMaxMB: 256 },
      killTimeout: '20s',
      user: '1000:2000',
    },
  ],
  kubernetes: { labels: { team: 'shop' }, serviceAccountName: 'web', tolerations: [{ operator: 'Exists' }] },
};
const spec: NomadJobSpec = {
  datacenters: ['dc1'],
  meta: { owner: 'storefront' },
  constraints: [{ attribute: '${attr.kernel.name}', value: 'linux' }, { operator: 'distinct_hosts' }],
  affinities: [{ attribute: '${meta.rack}', value: 'r1', weight: -30 }],
  spreads: [{ attribute: '${node.datacenter}' }],
  taskGroups: [web],
};
const job = canonicalJob('shop', 'team-a', spec);
const pod = renderAllocationPod({ job, jobUid: 'uid-1', version: 4, group: 'frontend', index: 2, canary: true, deployment: 'shop-v4' });
const nginx = pod.spec!.containers.find((c) => c.name === 'nginx')!;
const env = (c: V1Container, name: string): V1EnvVar | undefined => c.env?.find((e) => e.name === name);

describe('the Pod of an allocation', () => {
  it('has a deterministic name from job, group, index and version', () => {
    expect(pod.metadata?.name).toBe('shop-frontend-2-v4');
    expect(allocationPodName('shop', 'frontend', 2, 4, 1)).toBe('shop-frontend-2-v4-r1');
  });

  it.each([
    ['caravan.dev/job', 'shop'],
    ['caravan.dev/task-group', 'frontend'],
    ['caravan.dev/job-version', '4'],
    ['caravan.dev/alloc-index', '2'],
    ['caravan.dev/canary', 'true'],
    ['app.kubernetes.io/managed-by', 'caravan'],
    ['team', 'shop'],
  ])('is labelled %s=%s', (key, value) => expect(pod.metadata?.labels?.[key]).toBe(value));

  it("records Nomad's allocation name and its deployment, and is owned by the NomadJob", () => {
    expect(pod.metadata?.annotations).toMatchObject({ 'caravan.dev/alloc-name': 'shop.frontend[2]', 'caravan.dev/deployment': 'shop-v4' });
    expect(pod.metadata?.ownerReferences).toEqual([
      { apiVersion: 'caravan.dev/v1alpha1', kind: 'NomadJob', name: 'shop', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    expect(pod.metadata?.namespace).toBe('team-a');
  });

  it('runs a prestart task as an init container and the others as containers', () => {
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['migrate']);
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['nginx']);
  });

  it('maps docker command and args onto the container args, keeping the image entrypoint', () => {
    expect(nginx.image).toBe('nginx:1.27');
    expect(nginx.command).toBeUndefined();
    expect(nginx.args).toEqual(['nginx', '-g', 'daemon off;']);
  });

  it('requests cpu MHz as millicores and memory in Mi, limiting memory at memory_max', () => {
    expect(nginx.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  it('exposes the group ports the task uses, a static port as a host port', () => {
    expect(nginx.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'admin', containerPort: 9000, protocol: 'TCP', hostPort: 9000 },
    ]);
  });

  it("turns the service's http check into the readiness probe of the task listening on its port", () => {
    expect(nginx.readinessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
      periodSeconds: 5,
      timeoutSeconds: 1,
      failureThreshold: 1,
      successThreshold: 1,
    });
  });

  it.each<[string, Partial<V1EnvVar>]>([
    ['NOMAD_ALLOC_ID', { valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }],
    ['NOMAD_ALLOC_INDEX', { value: '2' }],
    ['NOMAD_ALLOC_NAME', { value: 'shop.frontend[2]' }],
    ['NOMAD_JOB_NAME', { value: 'shop' }],
    ['NOMAD_GROUP_NAME', { value: 'frontend' }],
    ['NOMAD_TASK_NAME', { value: 'nginx' }],
    ['NOMAD_DC', { value: 'dc1' }],
    ['NOMAD_META_owner', { value: 'storefront' }],
    ['NOMAD_META_OWNER', { value: 'storefront' }],
    ['NOMAD_META_tier', { value: 'web' }],
    ['NOMAD_PORT_http', { value: '8080' }],
    ['NOMAD_ADDR_http', { value: '$(NOMAD_POD_IP):8080' }],
    ['MODE', { value: 'prod' }],
    ['NOMAD_REGION', { value: 'override' }],
  ])("sets %s as Nomad's task environment does", (name, expected) => {
    expect(env(nginx, name)).toMatchObject(expected);
  });

  it('places on the job datacenters and constraints, avoids negative affinities, keeps distinct hosts apart and spreads', () => {
    const affinity = pod.spec?.affinity;
    expect(affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions).toEqual([
      { key: 'caravan.dev/datacenter', operator: 'In', values: ['dc1'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ]);
    expect(affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 30, preference: { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] } },
    ]);
    expect(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: { 'caravan.dev/job': 'shop', 'caravan.dev/task-group': 'frontend' } }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    expect(pod.spec?.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'caravan.dev/datacenter',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'caravan.dev/job': 'shop', 'caravan.dev/task-group': 'frontend' } },
      },
    ]);
  });

  it('carries the kubernetes block, the kill timeout as grace period, and the numeric user', () => {
    expect(pod.spec).toMatchObject({
      serviceAccountName: 'web',
      tolerations: [{ operator: 'Exists' }],
      terminationGracePeriodSeconds: 20,
      restartPolicy: 'Always',
    });
    expect(nginx.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 2000 });
  });

  it.each([
    ['batch', 3, 'OnFailure'],
    ['batch', 0, 'Never'],
    ['service', 2, 'Always'],
  ] as const)('a %s job with %d restart attempts runs with restartPolicy %s', (type, attempts, policy) => {
    const j = canonicalJob('j', 'd', {
      type,
      taskGroups: [{ name: 'g', restart: { attempts }, tasks: [{ name: 't', driver: 'docker', config: { image: 'x' } }] }],
    });
    expect(renderAllocationPod({ job: j, jobUid: 'u', version: 0, group: 'g', index: 0, canary: false }).spec?.restartPolicy).toBe(policy);
  });

  it('a job on every datacenter has no datacenter affinity and no NOMAD_DC', () => {
    const j = canonicalJob('j', 'd', { taskGroups: [{ name: 'g', tasks: [{ name: 't', driver: 'docker', config: { image: 'x' } }] }] });
    const p = renderAllocationPod({ job: j, jobUid: 'u', version: 0, group: 'g', index: 0, canary: false });
    expect(p.spec?.affinity).toBeUndefined();
    expect(env(p.spec!.containers[0]!, 'NOMAD_DC')).toBeUndefined();
  });
});

describe('the Pod of a system or sysbatch allocation', () => {
  const agent = canonicalJob('agent', 'default', {
    type: 'system',
    datacenters: ['dc1'],
    constraints: [{ attribute: '${meta.rack}', operator: 'regexp', value: 'r[0-9]' }],
    taskGroups: [
      {
        name: 'agent',
        tasks: [{ name: 'a', driver: 'docker', config: { image: 'agent:1' } }],
        kubernetes: { tolerations: [{ key: 'gpu', operator: 'Exists' }] },
      },
    ],
  });
  const pod = renderAllocationPod({ job: agent, jobUid: 'u', version: 2, group: 'agent', index: 0, canary: false, node: 'kwok-node-4', replacement: 1 });

  it("is named after its node, keeps Nomad's name <job>.<group>[0] and records the node", () => {
    expect(pod.metadata?.name).toBe('agent-agent-kwok-node-4-v2-r1');
    expect(pod.metadata?.annotations).toMatchObject({ 'caravan.dev/alloc-name': 'agent.agent[0]', 'caravan.dev/node': 'kwok-node-4' });
    expect(pod.metadata?.labels?.['caravan.dev/alloc-index']).toBe('0');
  });

  it('is pinned to the node as DaemonSets pin theirs: only a required node affinity on metadata.name (the planner checked the rest)', () => {
    expect(pod.spec?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['kwok-node-4'] }] }],
        },
      },
    });
    expect(pod.spec?.tolerations).toEqual([
      { key: 'gpu', operator: 'Exists' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('reads back the node it is pinned to before it is bound', () => {
    const observed = observeAllocation({ ...pod, metadata: { ...pod.metadata, uid: 'x' } });
    expect(observed).toMatchObject({ node: 'kwok-node-4', index: 0, version: 2, replacement: 1 });
    expect(observed?.nodeName).toBeUndefined();
  });

  it.each([
    ['kwok-node-4', 'kwok-node-4'],
    ['ip-10-0-1-23.eu-west-1.compute.internal', 'ip-10-0-1-2-'],
    ['Node_With_Caps', 'node-with-c'],
  ])('node %s appears in Pod names as a short key', (node, prefix) => {
    const key = nodeNameKey(node);
    expect(key.startsWith(prefix)).toBe(true);
    expect(key.length).toBeLessThanOrEqual(20);
    expect(key).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(nodeNameKey(node)).toBe(key);
    expect(systemAllocationPodName('agent', 'agent', node, 0)).toBe(`agent-agent-${key}-v0`);
  });

  it('two long node names sharing a prefix get different keys', () => {
    expect(nodeNameKey('ip-10-0-1-23.eu-west-1.compute.internal')).not.toBe(nodeNameKey('ip-10-0-1-24.eu-west-1.compute.internal'));
  });
});

describe('cachedPod: what the Pod informer keeps (issue 15)', () => {
  const running = {
    ...pod,
    metadata: {
      ...pod.metadata,
      uid: 'pod-uid',
      resourceVersion: '42',
      creationTimestamp: '2026-12-06T10:00:00Z',
      managedFields: [{ manager: 'kwok', operation: 'Update' }],
    },
    spec: { ...pod.spec!, nodeName: 'kwok-node-1' },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.0.1.7',
      qosClass: 'Burstable',
      startTime: '2026-12-06T10:00:01Z',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-12-06T10:00:00Z', lastProbeTime: null },
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-12-06T10:00:01Z', lastProbeTime: null },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-06T10:00:03Z', lastProbeTime: null },
      ],
      initContainerStatuses: [
        { name: 'migrate', image: 'web:2', imageID: 'sha', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
      containerStatuses: [
        {
          name: 'nginx',
          image: 'nginx:1.27',
          imageID: 'sha',
          containerID: 'kwok://1',
          ready: true,
          started: true,
          restartCount: 1,
          state: { running: { startedAt: '2026-12-06T10:00:02Z' } },
          volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets' }],
        },
      ],
    },
  } as unknown as V1Pod;

  it('observes the same allocation as the whole Pod', () => {
    expect(observeAllocation(cachedPod(running))).toEqual(observeAllocation(running));
  });

  it('keeps what the HTTP APIs read and drops the rest of the spec and status', () => {
    const cached = cachedPod(running);
    expect(cached.metadata).not.toHaveProperty('managedFields');
    expect(cached.spec).toEqual({
      nodeName: 'kwok-node-1',
      restartPolicy: pod.spec?.restartPolicy,
      terminationGracePeriodSeconds: pod.spec?.terminationGracePeriodSeconds,
      containers: [{ name: 'nginx' }],
      initContainers: [{ name: 'migrate' }],
    });
    expect(cached.status).toMatchObject({ phase: 'Running', podIP: '10.0.1.7', startTime: '2026-12-06T10:00:01Z' });
    expect(cached.status).not.toHaveProperty('hostIP');
    expect(cached.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-12-06T10:00:00Z' },
      { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-06T10:00:03Z' },
    ]);
    expect(cached.status?.containerStatuses?.[0]).toEqual({
      name: 'nginx',
      containerID: 'kwok://1',
      ready: true,
      started: true,
      restartCount: 1,
      state: { running: { startedAt: '2026-12-06T10:00:02Z' } },
    });
    expect(JSON.stringify(cached).length).toBeLessThan(JSON.stringify(running).length / 2);
  });
});
