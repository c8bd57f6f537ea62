import { describe, expect, it } from 'vitest';
import { formatHistory, historyReport } from '../../../src/plugin/history-view.ts';
import { specDiff } from '../../../src/plugin/spec-diff.ts';
import { at, versions, webSpec, webV1 } from './fixtures.ts';

describe('kubectl nomad history: like nomad job history', () => {
  it('lists the versions newest first with Stable and Submit Date, and the deployment of each', () => {
    expect(formatHistory(historyReport(versions, [webV1()]))).toBe(
      [
        'Version     = 1',
        'Stable      = false',
        'Submit Date = 2026-03-01T10:01:00Z',
        'Deployment  = web-v1 (running)',
        '',
        'Version     = 0',
        'Stable      = true',
        'Submit Date = 2026-03-01T10:00:00Z',
        '',
      ].join('\n'),
    );
  });

  it('with --diff: what changed from the version before', () => {
    expect(formatHistory(historyReport(versions, [], { diff: true }))).toContain(
      'Diff        =\n~ taskGroups[frontend].tasks[nginx].config.image: "nginx:1" => "nginx:2"\n~ update.canary: 0 => 1\n',
    );
  });

  it('marks a version an auto-revert recorded', () => {
    const revert = { version: 2, spec: webSpec('nginx:1'), submitTime: at(200), stable: true, revertedFrom: 1 };
    expect(formatHistory(historyReport([...versions, revert], []))).toContain(
      'Reverted From = 1 (auto-revert: runs this stable spec until the NomadJob spec changes)',
    );
  });

  it('says when there is no version yet', () => {
    expect(formatHistory(historyReport([], []))).toBe('No job versions recorded yet\n');
  });
});

describe('spec diff', () => {
  it.each([
    ['an edited field', { a: 1 }, { a: 2 }, [{ change: '~', path: 'a', before: 1, after: 2 }]],
    ['an added field', {}, { meta: { owner: 'x' } }, [{ change: '+', path: 'meta', after: { owner: 'x' } }]],
    ['a removed field', { stop: true }, {}, [{ change: '-', path: 'stop', before: true }]],
    [
      'a named list item, by name',
      { taskGroups: [{ name: 'a', count: 1 }] },
      { taskGroups: [{ name: 'a', count: 2 }] },
      [{ change: '~', path: 'taskGroups[a].count', before: 1, after: 2 }],
    ],
    [
      'a list item added by name',
      { taskGroups: [{ name: 'a' }] },
      { taskGroups: [{ name: 'a' }, { name: 'b' }] },
      [{ change: '+', path: 'taskGroups[b]', after: { name: 'b' } }],
    ],
    [
      'ports by label',
      { ports: [{ label: 'http', to: 80 }] },
      { ports: [{ label: 'http', to: 8080 }] },
      [{ change: '~', path: 'ports[http].to', before: 80, after: 8080 }],
    ],
    [
      'a list of plain values, whole',
      { datacenters: ['dc1'] },
      { datacenters: ['dc1', 'dc2'] },
      [{ change: '~', path: 'datacenters', before: ['dc1'], after: ['dc1', 'dc2'] }],
    ],
    ['nothing', { a: [1] }, { a: [1] }, []],
  ])('%s', (_case, before, after, lines) => {
    expect(specDiff(before, after)).toEqual(lines);
  });
});
