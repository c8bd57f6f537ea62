import { describe, expect, it } from 'vitest';
import { goProblems } from './go-conformance.ts';
import { goStructs } from './go-structs.ts';

describe('the Go field check itself', () => {
  it.each([
    ['an unknown key', { ID: 'x', Bogus: 1 }, 'Evaluation', ['Evaluation.Bogus: not a field of api.Evaluation']],
    ['a string for a number', { Priority: '50' }, 'Evaluation', ['Evaluation.Priority: expected an integer, got "50"']],
    ['a fraction for an int64', { CreateTime: 1.5 }, 'Evaluation', ['Evaluation.CreateTime: expected an integer, got 1.5']],
    ['null where Go has a value', { Status: null }, 'Evaluation', ['Evaluation.Status: expected a non-null "string", got null']],
    ['a time that is not RFC 3339', { WaitUntil: '1 May' }, 'Evaluation', ['Evaluation.WaitUntil: expected an RFC 3339 time, got "1 May"']],
    ['a nested unknown key', { TaskGroups: [{ Name: 'g', Bogus: true }] }, 'Job', ['Job.TaskGroups[0].Bogus: not a field of api.TaskGroup']],
    [
      'a map of structs',
      { TaskStates: { web: { State: 'running', Restarts: -1 } } },
      'Allocation',
      ['Allocation.TaskStates["web"].Restarts: expected a non-negative integer, got -1'],
    ],
    ['null for a pointer is fine', { DeploymentStatus: null, Job: null }, 'Allocation', []],
    ['a server field Nomad writes', { TaskGroups: { web: { AutoPromote: true } } }, 'Deployment', []],
  ])('finds %s', (_what, value, struct, problems) => expect(goProblems(value, struct)).toEqual(problems));

  it('knows every struct it refers to', () => {
    const names = new Set(Object.keys(goStructs));
    const referenced = JSON.stringify(goStructs)
      .match(/"(?:struct|list|map)":"([A-Za-z]+)"/g)!
      .map((m) => m.split('":"')[1]!.slice(0, -1));
    expect(referenced.filter((n) => !names.has(n))).toEqual([]);
  });
});
