import { describe, expect, it } from 'vitest';
import { deploymentReport } from '../../../src/plugin/deployment-view.ts';
import { exitCodeFor, outcomeLine, progressLine, watchRollout, type WatchDeps } from '../../../src/plugin/watch.ts';
import type { NomadDeployment } from '../../../src/resources/nomad-deployment.ts';
import type { NomadJob } from '../../../src/resources/nomad-job.ts';
import { t0, webJob, webV1 } from './fixtures.ts';

const group = webV1().status!.taskGroups!['frontend']!;
const promoted = webV1({
  spec: { promote: { all: true } },
  status: { statusDescription: 'Deployment is running', taskGroups: { frontend: { ...group, promoted: true, placedAllocs: 2, healthyAllocs: 1 } } },
});
const successful = webV1({
  status: {
    status: 'successful',
    statusDescription: 'Deployment completed successfully',
    taskGroups: { frontend: { ...group, promoted: true, placedAllocs: 3, healthyAllocs: 3 } },
  },
});

describe('watch: exit codes', () => {
  it.each([
    ['successful', 0],
    ['failed', 1],
    ['cancelled', 2],
    ['running', undefined],
    ['paused', undefined],
  ] as const)('%s → %s', (status, code) => {
    expect(exitCodeFor(status)).toBe(code);
  });
});

describe('watch: progress lines', () => {
  it("say the status, description and each group's counters", () => {
    expect(progressLine(deploymentReport(webV1()))).toBe(
      'web-v1 running: Deployment is running but requires manual promotion | frontend: healthy 1/3, placed 1, canaries 1/1',
    );
    expect(progressLine(deploymentReport(promoted))).toBe('web-v1 running: Deployment is running | frontend: healthy 1/3, placed 2, canaries 1/1 promoted');
  });

  it('carry a refusal of the intent on one line', () => {
    const refused = webV1({
      status: {
        conditions: [
          {
            type: 'IntentHonoured',
            status: 'False',
            reason: 'Refused',
            message: '1 error occurred:\n\t* Task group "frontend" has 0/1 healthy allocations\n\n',
          },
        ],
      },
    });
    expect(progressLine(deploymentReport(refused))).toMatch(/\(intent refused: 1 error occurred: \* Task group "frontend" has 0\/1 healthy allocations\)$/);
  });

  it('end by saying what happens next after a failure with a rollback', () => {
    const failed = webV1({
      status: { status: 'failed', statusDescription: 'Failed due to unhealthy allocations - rolling back to job version 0', revertedJobVersion: 0 },
    });
    expect(outcomeLine(deploymentReport(failed), 'web')).toBe(
      'Deployment web-v1 (d1d1d1d1) failed: Failed due to unhealthy allocations - rolling back to job version 0\nCaravan is rolling back to job version 0; follow it with: kubectl nomad watch web',
    );
  });
});

/** A clock and a scripted cluster: each look at the deployment returns the next state. */
function scripted(states: (NomadDeployment | undefined)[], job: NomadJob = webJob()) {
  let clock = t0;
  let looks = 0;
  const printed: string[] = [];
  const deps: WatchDeps = {
    readJob: async () => job,
    readDeployment: async () => states[Math.min(looks++, states.length - 1)],
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    print: (line) => printed.push(line),
  };
  return { deps, printed };
}

describe('watch: following a rollout', () => {
  it('prints a line when progress changes and exits 0 on success', async () => {
    const { deps, printed } = scripted([webV1(), webV1(), promoted, successful]);
    const result = await watchRollout('web', deps, { intervalMs: 1000 });
    expect(result).toMatchObject({ code: 0, message: 'Deployment web-v1 (d1d1d1d1) successful: Deployment completed successfully' });
    expect(printed).toEqual([
      '2026-03-01T10:00:00Z web-v1 running: Deployment is running but requires manual promotion | frontend: healthy 1/3, placed 1, canaries 1/1',
      '2026-03-01T10:00:02Z web-v1 running: Deployment is running | frontend: healthy 1/3, placed 2, canaries 1/1 promoted',
      '2026-03-01T10:00:03Z web-v1 successful: Deployment completed successfully | frontend: healthy 3/3, placed 3, canaries 1/1 promoted',
    ]);
  });

  it.each([
    ['failed', webV1({ status: { status: 'failed', statusDescription: 'Deployment marked as failed' } }), 1],
    ['cancelled', webV1({ status: { status: 'cancelled', statusDescription: 'Cancelled due to newer version of job' } }), 2],
    ['deleted', undefined, 2],
  ])('exits by how it ended: %s', async (_case, end, code) => {
    const { deps } = scripted([webV1(), end]);
    expect((await watchRollout('web', deps, { intervalMs: 1000 })).code).toBe(code);
  });

  it('gives up after --timeout with exit code 2', async () => {
    const { deps } = scripted([webV1()]);
    expect(await watchRollout('web', deps, { intervalMs: 1000, timeoutMs: 5000 })).toMatchObject({
      code: 2,
      message: 'timed out after 5s; web-v1 is still running',
    });
  });

  it('waits for the controller to see a spec just applied before picking the deployment', async () => {
    let looks = 0;
    const { deps } = scripted([successful]);
    const stale = webJob({ observedGeneration: 1 });
    const seen = webJob();
    const result = await watchRollout('web', { ...deps, readJob: async () => (looks++ < 2 ? stale : seen) }, { intervalMs: 1000 });
    expect(looks).toBe(3);
    expect(result.code).toBe(0);
  });

  it('exits 0 when the job needed no deployment', async () => {
    const { latestDeployment: _, ...none } = webJob().status!;
    const { deps } = scripted([], { ...webJob(), status: none });
    expect(await watchRollout('web', deps, { intervalMs: 1000 })).toEqual({ code: 0, message: 'NomadJob web has no deployment to watch' });
  });
});
