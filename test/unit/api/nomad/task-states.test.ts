import type { CoreV1Event, V1ContainerStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { maxTaskEvents, taskState, taskStates } from '../../../../src/api/nomad/task-states.ts';
import { allocationPod, at, ns, running } from './fixtures.ts';

const container = (state: NonNullable<V1ContainerStatus['state']>, extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus => ({
  name: 'nginx',
  image: 'nginx:1.27',
  imageID: '',
  ready: false,
  restartCount: 0,
  state,
  ...extra,
});
const events = (status: V1ContainerStatus, phase: 'Running' | 'Failed' | 'Succeeded' | 'Pending' = 'Running', kube: CoreV1Event[] = []) =>
  taskState(allocationPod({ uid: 'u', phase, containers: [status] }), status, kube);

describe('a task state from its container status', () => {
  it.each<[string, V1ContainerStatus, 'Running' | 'Failed' | 'Succeeded' | 'Pending', Record<string, unknown>]>([
    ['running', running(615), 'Running', { State: 'running', Failed: false, StartedAt: '2026-03-01T10:10:15Z', FinishedAt: '0001-01-01T00:00:00Z' }],
    ['creating', container({ waiting: { reason: 'ContainerCreating' } }), 'Pending', { State: 'pending', Failed: false, StartedAt: '0001-01-01T00:00:00Z' }],
    [
      'exited 0',
      container({ terminated: { exitCode: 0, startedAt: new Date(at(615)), finishedAt: new Date(at(660)) } }),
      'Succeeded',
      { State: 'dead', Failed: false, FinishedAt: '2026-03-01T10:11:00Z' },
    ],
    [
      'exited 1',
      container({ terminated: { exitCode: 1, startedAt: new Date(at(615)), finishedAt: new Date(at(660)) } }),
      'Failed',
      { State: 'dead', Failed: true },
    ],
  ])('%s', (_what, status, phase, expected) => {
    expect(events(status, phase)).toMatchObject(expected);
  });

  it('a crash-looping task is pending, restarting after the back-off the kubelet announced', () => {
    const status = container(
      { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=nginx pod=web-frontend-0-v1_shop(uid)' } },
      { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: new Date(at(640)), finishedAt: new Date(at(645)) } } },
    );
    const state = events(status);
    expect(state).toMatchObject({ State: 'pending', Failed: false, Restarts: 3, LastRestart: '2026-03-01T10:10:45Z' });
    expect(state.Events.map((e) => [e.Type, e.Time, e.DisplayMessage])).toEqual([
      ['Received', ns(610), 'Task received by client'],
      ['Started', ns(640), 'Task started by client'],
      ['Terminated', ns(645), 'Exit Code: 1'],
      ['Restarting', ns(645), 'Task restarting in 40s'],
    ]);
    expect(state.Events[2]!.Details).toEqual({ exit_code: '1', signal: '0' });
    expect(state.Events[3]).toMatchObject({ StartDelay: 40e9, RestartReason: 'Restart within policy' });
  });

  it.each([
    [
      'an OOM kill',
      { exitCode: 137, reason: 'OOMKilled' },
      'Exit Code: 137, Signal: 9, Exit Message: "OOM Killed"',
      { exit_code: '137', signal: '9', oom_killed: 'true' },
    ],
    ['an exit message', { exitCode: 2, message: 'config missing' }, 'Exit Code: 2, Exit Message: "config missing"', { exit_code: '2', signal: '0' }],
  ])('a Terminated event reports %s', (_what, terminated, display, details) => {
    const state = events(container({ terminated: { ...terminated, startedAt: new Date(at(615)), finishedAt: new Date(at(660)) } }), 'Running');
    expect(state.Events.find((e) => e.Type === 'Terminated')).toMatchObject({ DisplayMessage: display, Details: details });
  });

  it('a failed batch task is not restarted, which fails it', () => {
    const state = events(container({ terminated: { exitCode: 1, startedAt: new Date(at(615)), finishedAt: new Date(at(660)) } }), 'Failed');
    expect(state.Events.at(-1)).toMatchObject({ Type: 'Not Restarting', FailsTask: true, DisplayMessage: 'Task exceeded restart policy' });
  });

  it('an image that cannot be pulled is a driver failure', () => {
    const state = events(container({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:9"' } }), 'Pending');
    expect(state.Events.at(-1)).toMatchObject({ Type: 'Driver Failure', DriverError: 'ImagePullBackOff: Back-off pulling image "nginx:9"' });
  });
});

describe('Kubernetes Events add what the status cannot show', () => {
  const kubeEvent = (reason: string, seconds: number, message: string, fieldPath = 'spec.containers{nginx}'): CoreV1Event => ({
    metadata: { name: `web.${reason}`, namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: 'web-frontend-0-v1', namespace: 'shop', fieldPath },
    reason,
    message,
    lastTimestamp: new Date(at(seconds)),
  });

  it('image pulls become Driver events, in time order with the rest', () => {
    const state = events(running(615), 'Running', [
      kubeEvent('Pulled', 614, 'Successfully pulled image "nginx:1.27" in 2.1s'),
      kubeEvent('Pulling', 612, 'Pulling image "nginx:1.27"'),
      kubeEvent('Started', 615, 'Started container nginx'),
      kubeEvent('Pulling', 612, 'Pulling image "envoy"', 'spec.containers{proxy}'),
      kubeEvent('Scheduled', 610, 'Successfully assigned shop/web-frontend-0-v1 to kwok-node-3', ''),
    ]);
    expect(state.Events.map((e) => [e.Type, e.Time, e.DisplayMessage])).toEqual([
      ['Received', ns(610), 'Task received by client'],
      ['Driver', ns(612), 'Downloading image'],
      ['Driver', ns(614), 'Successfully pulled image "nginx:1.27" in 2.1s'],
      ['Started', ns(615), 'Task started by client'],
    ]);
    expect(state.Events[1]!.Details).toEqual({ image: 'nginx:1.27' });
  });

  it('keeps the last events only, as Nomad does', () => {
    const many = Array.from({ length: 20 }, (_, i) => kubeEvent('Pulling', 611 + i * 0.1, 'Pulling image "nginx:1.27"'));
    const state = events(running(615), 'Running', many);
    expect(state.Events).toHaveLength(maxTaskEvents);
    expect(state.Events.at(-1)!.Type).toBe('Started');
  });
});

describe('taskStates', () => {
  it('is null before the Pod has container statuses, as Nomad has none before a client picks the allocation up', () => {
    expect(taskStates(allocationPod({ uid: 'u', scheduled: false, phase: 'Pending' }))).toBeNull();
  });

  it('has a state per container, init containers (prestart tasks) included', () => {
    const pod = allocationPod({ uid: 'u' });
    pod.status!.initContainerStatuses = [
      container({ terminated: { exitCode: 0, startedAt: new Date(at(611)), finishedAt: new Date(at(613)) } }, { name: 'migrate' }),
    ];
    expect(Object.entries(taskStates(pod)!).map(([name, s]) => [name, s.State, s.Failed])).toEqual([
      ['migrate', 'dead', false],
      ['nginx', 'running', false],
    ]);
  });
});
