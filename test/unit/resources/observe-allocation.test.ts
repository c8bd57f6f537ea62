import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { observeAllocation } from '../../../src/resources/allocation-pod.ts';
import { formatRecordedHealth, parseRecordedHealth } from '../../../src/resources/recorded-health.ts';

/** A Pod as the API server returns it as JSON (times as strings). */
const pod = {
  metadata: {
    name: 'web-frontend-2-v3-r1',
    uid: 'uid-7',
    creationTimestamp: '2026-11-22T10:00:00Z',
    labels: {
      'caravan.dev/job': 'web',
      'caravan.dev/task-group': 'frontend',
      'caravan.dev/job-version': '3',
      'caravan.dev/alloc-index': '2',
      'caravan.dev/canary': 'true',
    },
    annotations: {
      'caravan.dev/deployment': 'web-v3',
      'caravan.dev/deployment-health': 'healthy@2026-11-22T10:00:20.000Z',
      'caravan.dev/health': 'healthy',
      'caravan.dev/reschedule-events': '[{"at":1,"delay":30000}]',
    },
  },
  spec: { nodeName: 'kwok-node-1', containers: [] },
  status: {
    phase: 'Running',
    startTime: '2026-11-22T10:00:01Z',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-22T10:00:05Z' }],
    initContainerStatuses: [
      {
        name: 'migrate',
        ready: true,
        restartCount: 0,
        image: 'x',
        imageID: '',
        state: { terminated: { exitCode: 0, finishedAt: '2026-11-22T10:00:02Z', reason: 'Completed' } },
      },
    ],
    containerStatuses: [{ name: 'nginx', ready: true, restartCount: 1, image: 'x', imageID: '', state: { running: { startedAt: '2026-11-22T10:00:03Z' } } }],
  },
} as unknown as V1Pod;

describe('observing an allocation from its Pod', () => {
  it('reads labels, annotations and status into what the planner needs', () => {
    expect(observeAllocation(pod)).toEqual({
      podName: 'web-frontend-2-v3-r1',
      uid: 'uid-7',
      group: 'frontend',
      index: 2,
      version: 3,
      replacement: 1,
      canary: true,
      phase: 'Running',
      createdAt: Date.parse('2026-11-22T10:00:00Z'),
      startedAt: Date.parse('2026-11-22T10:00:01Z'),
      nodeName: 'kwok-node-1',
      readySince: Date.parse('2026-11-22T10:00:05Z'),
      containers: [
        { name: 'migrate', init: true, ready: true, restartCount: 0, terminated: { exitCode: 0, at: Date.parse('2026-11-22T10:00:02Z'), reason: 'Completed' } },
        { name: 'nginx', init: false, ready: true, restartCount: 1, runningSince: Date.parse('2026-11-22T10:00:03Z') },
      ],
      manualHealth: 'healthy',
      deployment: 'web-v3',
      recordedHealth: { health: 'healthy', at: Date.parse('2026-11-22T10:00:20Z') },
      deleting: false,
      rescheduleEvents: [{ at: 1, delay: 30000 }],
    });
  });

  it("is not an allocation without Caravan's labels", () => {
    expect(observeAllocation({ metadata: { name: 'x', uid: 'u' } })).toBeUndefined();
  });

  it.each([
    ['healthy@2026-11-22T10:00:00.000Z', { health: 'healthy', at: Date.parse('2026-11-22T10:00:00Z') }],
    ['unhealthy@2026-11-22T10:00:00.000Z', { health: 'unhealthy', at: Date.parse('2026-11-22T10:00:00Z') }],
    ['maybe@2026', undefined],
    ['healthy@not-a-time', undefined],
  ])('recorded health %s', (text, expected) => expect(parseRecordedHealth(text)).toEqual(expected));

  it('writes recorded health so it reads back', () => {
    expect(parseRecordedHealth(formatRecordedHealth('unhealthy', 1_700_000_000_000))).toEqual({ health: 'unhealthy', at: 1_700_000_000_000 });
  });
});
