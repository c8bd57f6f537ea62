import { execFile } from 'node:child_process';
import { load } from 'js-yaml';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { normaliseNomadArgs, nomadVarEnv, parseVarOptions } from '../../../src/cli/convert-command.ts';
import { fromProjectRoot } from '../../../src/project.ts';
import { fixture } from './helpers.ts';

describe('convert command options', () => {
  it.each([
    [
      ['-var', 'a=1'],
      ['--var', 'a=1'],
    ],
    [['-var=a=1'], ['--var=a=1']],
    [
      ['--var', 'a=1', 'job.hcl'],
      ['--var', 'a=1', 'job.hcl'],
    ],
    [
      ['-var-file', 'x.hcl'],
      ['-var-file', 'x.hcl'],
    ],
  ])('normalises Nomad-style %j to %j', (args, expected) => expect(normaliseNomadArgs(args)).toEqual(expected));

  it('reads name=value, with = allowed in the value', () => {
    expect(parseVarOptions(['image=redis:7', 'args=a=b'])).toEqual(
      new Map([
        ['image', 'redis:7'],
        ['args', 'a=b'],
      ]),
    );
    expect(() => parseVarOptions(['image'])).toThrow('-var "image": write it as name=value');
  });

  it('reads NOMAD_VAR_ environment variables', () => {
    expect(nomadVarEnv({ NOMAD_VAR_image: 'redis', PATH: '/bin' })).toEqual(new Map([['image', 'redis']]));
  });
});

// Each case starts a CLI process; on a loaded 2-core machine six of them at once take more than vitest's 5 s.
describe.concurrent('caravan convert', { timeout: 60_000 }, () => {
  const run = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [fromProjectRoot('src', 'cli', 'main.ts'), 'convert', ...args], {
        env: { PATH: process.env['PATH'] ?? '' },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it.each([
    ['a complete conversion', [fromProjectRoot('examples', 'nomad', 'web.nomad.hcl'), '-var', 'replicas=6', '--var', 'image=nginx:1.27.1'], 0],
    ['parts left out', [fixture('unsupported.nomad.hcl')], 1],
    ['an unset variable', [fixture('unset-variable.nomad.hcl')], 2],
    ['a missing file', ['no-such-file.nomad.hcl'], 2],
    ['an unknown option', [fixture('unsupported.nomad.hcl'), '--bogus'], 2],
  ])('exits as documented on %s', async (_what, args, code) => {
    const result = await run(...args);
    expect(result.code).toBe(code);
    if (code < 2) expect((load(result.stdout) as { kind: string }).kind).toBe('NomadJob');
    else expect(result.stdout).toBe('');
  });

  it('prints the manifest on stdout and the findings on stderr', async () => {
    const { stdout, stderr } = await run(fromProjectRoot('examples', 'nomad', 'web.nomad.hcl'), '-var', 'replicas=6', '-var=image=nginx:1.27.1');
    const job = load(stdout) as { spec: { taskGroups: { count: number; tasks: { config: { image: string } }[] }[] } };
    expect(job.spec.taskGroups[0]?.count).toBe(6);
    expect(job.spec.taskGroups[0]?.tasks[0]?.config.image).toBe('nginx:1.27.1');
    expect(stderr).not.toContain('is not supported');
  });
});
