import { describe, expect, it } from 'vitest';
import { intentOutcome, intentPatch, targetDeploymentName, type Intent } from '../../../src/plugin/intents.ts';
import { webJob, webV1 } from './fixtures.ts';

describe('operator intent as a merge patch of the NomadDeployment spec', () => {
  it.each<[string, Intent, Parameters<typeof webV1>[0], Record<string, unknown>, boolean]>([
    ['promote every group', { kind: 'promote' }, {}, { promote: { all: true, groups: null } }, false],
    ['promote named groups', { kind: 'promote', groups: ['frontend'] }, {}, { promote: { groups: ['frontend'], all: null } }, false],
    [
      'promote adds to groups already asked for',
      { kind: 'promote', groups: ['frontend'] },
      { spec: { promote: { groups: ['api'] } }, status: { taskGroups: { ...webV1().status!.taskGroups!, api: webV1().status!.taskGroups!['frontend']! } } },
      { promote: { groups: ['api', 'frontend'], all: null } },
      false,
    ],
    ['promote all again changes nothing', { kind: 'promote' }, { spec: { promote: { all: true } } }, { promote: { all: true, groups: null } }, true],
    ['pause', { kind: 'pause' }, {}, { paused: true }, false],
    [
      'pause a paused deployment changes nothing',
      { kind: 'pause' },
      { spec: { paused: true }, status: { status: 'paused', statusDescription: 'Deployment is paused' } },
      { paused: true },
      true,
    ],
    [
      'resume',
      { kind: 'resume' },
      { spec: { paused: true }, status: { status: 'paused', statusDescription: 'Deployment is paused' } },
      { paused: false },
      false,
    ],
    ['fail', { kind: 'fail' }, {}, { failed: true }, false],
  ])('%s', (_case, intent, deployment, spec, unchanged) => {
    expect(intentPatch(webV1(deployment), intent)).toEqual({ ok: true, spec, unchanged });
  });

  it.each<[Intent, string]>([
    [{ kind: 'promote' }, "can't promote terminal deployment"],
    [{ kind: 'pause' }, "can't pause terminal deployment"],
    [{ kind: 'resume' }, "can't resume terminal deployment"],
    [{ kind: 'fail' }, "can't fail terminal deployment"],
  ])("%o on a deployment that has ended is refused with Nomad's words", (intent, error) => {
    for (const status of ['successful', 'failed', 'cancelled'] as const) {
      expect(intentPatch(webV1({ status: { status } }), intent)).toEqual({ ok: false, error });
    }
  });

  it('refuses to promote a group the deployment does not have', () => {
    expect(intentPatch(webV1(), { kind: 'promote', groups: ['frontnd'] })).toEqual({
      ok: false,
      error: 'task group "frontnd" not in deployment web-v1; its groups: frontend',
    });
  });
});

describe('which deployment, and how the controller answered', () => {
  it('is the one named, else the latest in the job status', () => {
    expect(targetDeploymentName(webJob(), 'web-v0')).toEqual({ ok: true, name: 'web-v0' });
    expect(targetDeploymentName(webJob(), undefined)).toEqual({ ok: true, name: 'web-v1' });
    const { latestDeployment: _, ...none } = webJob().status!;
    expect(targetDeploymentName({ ...webJob(), status: none }, undefined)).toEqual({ ok: false, error: 'NomadJob "web" has no deployment yet' });
  });

  it.each([
    ['not yet observed: pending', webV1({ generation: 1 }), 2, 'pending'],
    ['observed and honoured', webV1({ generation: 2, spec: { paused: true }, status: { status: 'paused' } }), 2, 'honoured'],
    [
      'observed and refused',
      webV1({
        generation: 2,
        status: { conditions: [{ type: 'IntentHonoured', status: 'False', reason: 'Refused', message: 'nope', observedGeneration: 2 }] },
      }),
      2,
      'refused',
    ],
  ])('%s', (_case, d, generation, kind) => {
    expect(intentOutcome(d, generation).kind).toBe(kind);
  });
});
