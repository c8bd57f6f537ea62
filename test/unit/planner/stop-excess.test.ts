import { describe, expect, it } from 'vitest';
import { jobStatus, type JobStatusInput } from '../../../src/planner/job-status.ts';
import { excessToStop, type StopCandidate } from '../../../src/planner/stop-excess.ts';

const old = (index: number): StopCandidate => ({ id: `old-${index}`, index, canary: false, migrating: false });
const canary = (index: number): StopCandidate => ({ id: `canary-${index}`, index, canary: true, migrating: false });
const range = (n: number, f: (i: number) => StopCandidate) => Array.from({ length: n }, (_, i) => f(i));

describe('stopping what exceeds count (Nomad computeStop, §2.1 step 6)', () => {
  it.each<[string, StopCandidate[], number, boolean, string[]]>([
    ['not more than count: nothing', range(3, old), 3, false, []],
    ['a count decrease stops the highest indexes (§4 case 24)', range(5, old), 3, false, ['old-4', 'old-3']],
    ['while canarying, canaries are not counted and old ones untouched (§4 case 13)', [...range(5, old), canary(0), canary(1)], 5, true, []],
    ['canary == count: after promotion every old allocation goes (§4 case 16)', [...range(3, old), ...range(3, canary)], 3, false, ['old-2', 'old-1', 'old-0']],
    [
      'canary 7 > count 3: old same-name ones, then the highest canaries (§4 case 15)',
      [...range(3, old), ...range(7, canary)],
      3,
      false,
      ['old-2', 'old-1', 'old-0', 'canary-6', 'canary-5', 'canary-4', 'canary-3'],
    ],
    ['migrating ones before others', [old(0), { ...old(1), migrating: true }, old(2)], 2, false, ['old-1']],
  ])('%s', (_rule, allocs, count, canarying, stopped) => {
    expect(excessToStop(allocs, count, canarying).map((a) => a.id)).toEqual(stopped);
  });
});

describe('job status (Nomad getJobStatus, §1.1)', () => {
  const base: JobStatusInput = { type: 'service', stop: false, periodicOrParameterized: false, activeDeployment: false, liveAllocations: 0, everPlaced: false };
  it.each<[string, Partial<JobStatusInput>, string]>([
    ['a brand-new job', {}, 'pending'],
    ['an active deployment with no allocations yet (§4 case 45)', { activeDeployment: true }, 'running'],
    ['live allocations', { liveAllocations: 2 }, 'running'],
    ['everything finished', { everPlaced: true }, 'dead'],
    ['stopped', { stop: true }, 'dead'],
    ['a system job', { type: 'system' }, 'running'],
    ['a stopped periodic job', { periodicOrParameterized: true, stop: true }, 'dead'],
  ])('%s: %s', (_what, input, status) => expect(jobStatus({ ...base, ...input })).toBe(status));
});

describe('job summary per task group (Nomad §1.8)', () => {
  it('counts Pods by where they are in their life', async () => {
    const { jobSummary } = await import('../../../src/planner/job-summary.ts');
    const a = (phase: 'Pending' | 'Running' | 'Failed' | 'Succeeded', nodeName?: string) => ({
      podName: `p-${Math.random()}`,
      uid: 'u',
      group: 'web',
      index: 0,
      version: 0,
      replacement: 0,
      canary: false,
      phase,
      createdAt: 0,
      containers: [],
      deleting: false,
      ...(nodeName ? { nodeName } : {}),
    });
    const allocs = [a('Pending'), a('Pending', 'n1'), a('Running', 'n1'), a('Running', 'n1'), a('Failed', 'n1'), a('Succeeded', 'n1'), a('Running', 'gone')];
    expect(jobSummary(['web', 'db'], allocs, new Set(['gone']))).toEqual({
      web: { queued: 1, starting: 1, running: 2, failed: 1, complete: 1, lost: 1 },
      db: { queued: 0, starting: 0, running: 0, failed: 0, complete: 0, lost: 0 },
    });
  });
});
