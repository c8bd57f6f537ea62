import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseInterval, parseJobVersion, parseTimeout, parseWait } from '../../../src/plugin/option-values.ts';
import { fromProjectRoot } from '../../../src/project.ts';

const refusal = (parse: (value: string) => unknown, value: string) => {
  try {
    parse(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
};

describe('kubectl nomad option values', () => {
  it.each([
    ['--wait', parseWait, '15s', 15_000],
    ['--wait (0: do not wait)', parseWait, '0', 0],
    ['--wait', parseWait, '1h30m', 5_400_000],
    ['--timeout', parseTimeout, '90s', 90_000],
    ['--interval', parseInterval, '100ms', 100],
    ['--interval', parseInterval, '1h', 3_600_000],
    ['a job version', parseJobVersion, '0', 0],
    ['a job version', parseJobVersion, '12', 12],
  ])('%s takes %j', (_, parse, value, expected) => {
    expect(parse(value)).toBe(expected);
  });

  it.each([
    ['--wait', parseWait, '15', 'It takes a duration such as 15s, 5m or 1h30m (at most 24h), or 0 to not wait.'],
    ['--wait', parseWait, '25h', 'It takes a duration such as 15s, 5m or 1h30m (at most 24h), or 0 to not wait.'],
    ['--timeout (0 would be no limit at all)', parseTimeout, '0', 'It takes a duration longer than 0, such as 90s, 10m or 1h30m.'],
    ['--timeout', parseTimeout, '-5s', 'It takes a duration longer than 0, such as 90s, 10m or 1h30m.'],
    ['--interval (faster would hammer the API server)', parseInterval, '10ms', 'It takes a duration from 100ms to 1h, such as 1s or 5s.'],
    ['--interval', parseInterval, '0', 'It takes a duration from 100ms to 1h, such as 1s or 5s.'],
    ['--interval', parseInterval, '2h', 'It takes a duration from 100ms to 1h, such as 1s or 5s.'],
    ['a job version', parseJobVersion, 'v2', 'It takes a job version number, as kubectl nomad history lists them.'],
    ['a job version', parseJobVersion, '-1', 'It takes a job version number, as kubectl nomad history lists them.'],
  ])('%s refuses %j', (_, parse, value, message) => {
    expect(refusal(parse, value)).toBe(message);
  });
});

// One at a time: each start loads the whole plugin, and the machine has two cores.
describe('kubectl nomad with an option value it does not take', () => {
  const run = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [fromProjectRoot('src', 'plugin', 'main.ts'), ...args], { env: { PATH: process.env['PATH'] ?? '' } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it.each([
    [
      ['watch', 'web', '--interval', '10ms'],
      "error: option '--interval <duration>' argument '10ms' is invalid. It takes a duration from 100ms to 1h, such as 1s or 5s.",
    ],
    [
      ['promote', 'web', '--wait', 'soon'],
      "error: option '--wait <duration>' argument 'soon' is invalid. It takes a duration such as 15s, 5m or 1h30m (at most 24h), or 0 to not wait.",
    ],
    [
      ['revert', 'web', 'v2'],
      "error: command-argument value 'v2' is invalid for argument 'version'. It takes a job version number, as kubectl nomad history lists them.",
    ],
  ])('%j exits with 2 and names the option', { timeout: 30_000 }, async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(stderr.split('\n')[0]).toBe(message);
    expect(code).toBe(2);
  });
});
