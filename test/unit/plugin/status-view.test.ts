import { describe, expect, it } from 'vitest';
import { plainStyle, terminalStyle } from '../../../src/plugin/format.ts';
import { formatStatus, latestDeploymentOf, statusReport } from '../../../src/plugin/status-view.ts';
import { snapshot, t0, webJob, webV1 } from './fixtures.ts';

const now = t0 + 130_000;

describe('kubectl nomad status: like nomad job status', () => {
  it('shows the job, its summary, the canary awaiting promotion and the allocations', () => {
    expect(formatStatus(statusReport(snapshot()), now, plainStyle)).toBe(
      [
        'ID             = web',
        'Name           = web',
        'Submit Date    = 2026-03-01T10:01:00Z',
        'Type           = service',
        'Priority       = 50',
        'Datacenters    = *',
        'Namespace      = shop',
        'Status         = running',
        'Version        = 1',
        'Stable Version = 0',
        '',
        'Summary',
        'Task Group  Queued  Starting  Running  Failed  Complete  Lost  Unknown',
        'frontend    0       0         4        0       0         0     0',
        '',
        'Latest Deployment',
        'ID          = d1d1d1d1',
        'Status      = running',
        'Description = Deployment is running but requires manual promotion',
        '',
        'Deployed',
        'Task Group  Auto Revert  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy  Progress Deadline',
        'frontend    true         false     3        1         1       1        0          2026-03-01T10:03:10Z',
        '',
        'Allocations',
        'ID        Node ID   Task Group  Version  Desired  Status   Created   Modified',
        'c0c0c0c0  3333eeee  frontend    1        run      running  1m8s ago  1m3s ago',
        'a0a0a0a0  0000eeee  frontend    0        run      running  2m9s ago  2m4s ago',
        'a1a1a1a1  1111eeee  frontend    0        run      running  2m9s ago  2m4s ago',
        'a2a2a2a2  2222eeee  frontend    0        run      running  2m9s ago  2m4s ago',
        '',
      ].join('\n'),
    );
  });

  it('with --verbose: full IDs, Pod and Node names, absolute times', () => {
    const text = formatStatus(statusReport(snapshot()), now, plainStyle, { verbose: true });
    expect(text).toContain('ID          = d1d1d1d1-0000-4000-8000-000000000001');
    expect(text).toContain(
      'c0c0c0c0-0000-4000-8000-00000000000c  web-frontend-0-v1  3333eeee-0000-4000-8000-000000000003  kwok-node-3  frontend    1        run      running  2026-03-01T10:01:02Z  2026-03-01T10:01:07Z',
    );
  });

  it('bolds the headings on a terminal only', () => {
    expect(formatStatus(statusReport(snapshot()), now, terminalStyle)).toContain('\x1b[1mLatest Deployment\x1b[0m');
    expect(formatStatus(statusReport(snapshot()), now, plainStyle)).not.toContain('\x1b');
  });

  it.each([
    [
      'no canaries: no Promoted or Canaries columns',
      { desiredCanaries: 0, placedCanaries: [] },
      'Task Group  Auto Revert  Desired  Placed  Healthy  Unhealthy  Progress Deadline',
    ],
    [
      'no auto-revert, no progress deadline',
      { autoRevert: false, progressDeadline: '0s' },
      'Task Group  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy',
    ],
    [
      'canary steps (Caravan): a Canary Step column',
      { canaryStep: 1, stepCanaries: 1 },
      'Task Group  Auto Revert  Promoted  Desired  Canaries  Canary Step  Placed  Healthy  Unhealthy  Progress Deadline',
    ],
  ])("the Deployed table shows only the columns in use, as Nomad's does: %s", (_case, group, header) => {
    const base = webV1().status!.taskGroups!['frontend']!;
    const text = formatStatus(
      statusReport(snapshot({ deployments: [webV1({ status: { taskGroups: { frontend: { ...base, ...group } } } })] })),
      now,
      plainStyle,
    );
    const headers = text
      .split('\n')
      .filter((l) => l.startsWith('Task Group'))
      .map((l) => l.split(/ {2,}/));
    expect(headers).toContainEqual(header.split(/ {2,}/));
  });

  it('says what the operator asked for and what the controller refused', () => {
    const refused = webV1({
      generation: 2,
      spec: { promote: { all: true } },
      status: {
        conditions: [
          {
            type: 'IntentHonoured',
            status: 'False',
            reason: 'Refused',
            message: '1 error occurred:\n\t* Task group "frontend" has 0/1 healthy allocations\n\n',
            observedGeneration: 2,
          },
        ],
      },
    });
    const text = formatStatus(statusReport(snapshot({ deployments: [refused] })), now, plainStyle);
    expect(text).toContain('Intent      = promote all\nRefused     = 1 error occurred:');
  });

  it('says when the controller has not seen the latest intent or spec yet', () => {
    const unseen = webV1({ spec: { paused: true } });
    const deployment = { ...unseen, metadata: { ...unseen.metadata, generation: 2 } };
    const job = webJob({ observedGeneration: 1 });
    const text = formatStatus(statusReport(snapshot({ job, deployments: [deployment] })), now, plainStyle);
    expect(text).toContain('Intent      = paused (not yet seen by the controller)');
    expect(text).toContain('Note           = the controller has not seen the latest spec yet');
  });

  it('says when an auto-revert is in effect', () => {
    const job = webJob({
      version: 2,
      runningVersion: 2,
      stableVersion: 0,
      revert: { fromVersion: 1, toVersion: 2, reason: 'Failed due to unhealthy allocations - rolling back to job version 0' },
    });
    expect(formatStatus(statusReport(snapshot({ job })), now, plainStyle)).toContain(
      'Reverted       = running version 2 instead of 1 until the spec changes (Failed due to unhealthy allocations - rolling back to job version 0)',
    );
  });

  it('a stopped job reads "dead (stopped)"; a job without allocations says so', () => {
    const job = webJob({ status: 'dead' });
    const text = formatStatus(statusReport(snapshot({ job: { ...job, spec: { ...job.spec, stop: true } }, pods: [] })), now, plainStyle);
    expect(text).toContain('Status         = dead (stopped)');
    expect(text).toContain('Allocations\nNo allocations placed\n');
  });

  it('-o json carries the same data: job, summary, latest deployment, allocations', () => {
    const report = JSON.parse(JSON.stringify(statusReport(snapshot())));
    expect(report).toMatchObject({
      job: { id: 'web', namespace: 'shop', type: 'service', priority: 50, status: 'running', version: 1, stableVersion: 0, observed: true },
      summary: { frontend: { running: 4, unknown: 0 } },
      latestDeployment: {
        name: 'web-v1',
        id: 'd1d1d1d1-0000-4000-8000-000000000001',
        status: 'running',
        taskGroups: [{ name: 'frontend', promoted: false, canaries: 1, healthy: 1 }],
      },
    });
    expect(report.allocations).toHaveLength(4);
  });

  it('takes the deployment the job status names, else the newest version', () => {
    const v0 = { ...webV1(), metadata: { ...webV1().metadata, name: 'web-v0' }, spec: { job: 'web', jobVersion: 0 } };
    expect(latestDeploymentOf({ job: webJob(), deployments: [v0, webV1()] })?.metadata.name).toBe('web-v1');
    const { latestDeployment: _, ...unnamed } = webJob().status!;
    expect(latestDeploymentOf({ job: { ...webJob(), status: unnamed }, deployments: [v0, webV1()] })?.metadata.name).toBe('web-v1');
    expect(
      latestDeploymentOf({
        job: webJob({ latestDeployment: { name: 'web-v0', jobVersion: 0, status: 'successful', statusDescription: '' } }),
        deployments: [v0, webV1()],
      })?.metadata.name,
    ).toBe('web-v0');
  });
});
