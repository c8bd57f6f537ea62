import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  parseConcurrency,
  parseKubeApiRate,
  parseLeaseSeconds,
  parseNodeCount,
  parseServePort,
  parseShards,
  usageExitCode,
  wholeNumber,
} from '../../../src/cli/option-values.ts';
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

describe('numeric option values', () => {
  it.each([
    ['--concurrency', parseConcurrency, '4', 4],
    ['--concurrency', parseConcurrency, '1', 1],
    ['--concurrency', parseConcurrency, '1000', 1000],
    ['--lease-duration', parseLeaseSeconds, '15', 15],
    ['--lease-duration', parseLeaseSeconds, '2', 2],
    ['--nodes', parseNodeCount, '10', 10],
    ['--shards (one leader)', parseShards, '1', 1],
    ['--shards', parseShards, '256', 256],
    ['--kube-api-qps', parseKubeApiRate, '500', 500],
    ['a port', parseServePort, '8080', 8080],
    ['a port', parseServePort, '65535', 65535],
    ['a port (0: any free port)', parseServePort, '0', 0],
    ['a port (-1: none)', parseServePort, '-1', -1],
  ])('%s takes %j', (_, parse, value, expected) => {
    expect(parse(value)).toBe(expected);
  });

  it.each([
    ['--concurrency', parseConcurrency, 'abc', 'It takes a whole number from 1 to 1000.'],
    ['--kube-api-burst (0 would send nothing)', parseKubeApiRate, '0', 'It takes a whole number from 1 to 100000.'],
    ['--concurrency (0 would reconcile nothing)', parseConcurrency, '0', 'It takes a whole number from 1 to 1000.'],
    ['--concurrency', parseConcurrency, '2.5', 'It takes a whole number from 1 to 1000.'],
    ['--concurrency', parseConcurrency, '', 'It takes a whole number from 1 to 1000.'],
    ['--concurrency (Number() would read 1000)', parseConcurrency, '1e3', 'It takes a whole number from 1 to 1000.'],
    ['--concurrency (Number() would read 16)', parseConcurrency, '0x10', 'It takes a whole number from 1 to 1000.'],
    ['--lease-duration', parseLeaseSeconds, '0', 'It takes a whole number from 1 to 3600 (seconds).'],
    ['--lease-duration', parseLeaseSeconds, '15s', 'It takes a whole number from 1 to 3600 (seconds).'],
    ['--nodes', parseNodeCount, '1001', 'It takes a whole number from 1 to 1000.'],
    ['--shards (0 would reconcile nothing)', parseShards, '0', 'It takes a whole number from 1 to 256.'],
    ['--shards', parseShards, '257', 'It takes a whole number from 1 to 256.'],
    ['a port', parseServePort, 'abc', 'It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.'],
    ['a port', parseServePort, '65536', 'It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.'],
    ['a port', parseServePort, '-2', 'It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.'],
    ['a port', parseServePort, '80.5', 'It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.'],
  ])('%s refuses %j', (_, parse, value, message) => {
    expect(refusal(parse, value)).toBe(message);
  });

  it('says what special values mean', () => {
    expect(refusal(wholeNumber(0, 9, ' (0: off)'), '10')).toBe('It takes a whole number from 0 to 9 (0: off).');
  });

  it.each([
    ['--help', new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), 0],
    ['--version', new CommanderError(0, 'commander.version', '0.1.0'), 0],
    ['an invalid value', new InvalidArgumentError('It takes …'), 2],
    ['an unknown option', new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"), 2],
  ])('%s exits with %i', (_, error, code) => {
    expect(usageExitCode(error)).toBe(code);
  });
});

// The program as it runs (its source, which Node 24 runs as is), one at a time: each start loads
// the whole CLI, and the machine has two cores. test/e2e/cli-usage.test.ts runs the built one.
describe('caravan with an option value it does not take', () => {
  const run = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [fromProjectRoot('src', 'cli', 'main.ts'), ...args], { env: { PATH: process.env['PATH'] ?? '' } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it.each([
    [['controller', '--concurrency', 'abc'], "error: option '--concurrency <n>' argument 'abc' is invalid. It takes a whole number from 1 to 1000."],
    [['controller', '--concurrency', '0'], "error: option '--concurrency <n>' argument '0' is invalid. It takes a whole number from 1 to 1000."],
    [
      ['controller', '--metrics-port', 'abc'],
      "error: option '--metrics-port <port>' argument 'abc' is invalid. It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.",
    ],
    [
      ['controller', '--api-port', 'abc'],
      "error: option '--api-port <port>' argument 'abc' is invalid. It takes a port from 0 to 65535 (0: any free port), or -1 to serve none.",
    ],
    [['cluster', 'up', '--nodes', '0'], "error: option '--nodes <n>' argument '0' is invalid. It takes a whole number from 1 to 1000."],
  ])('%j exits with 2 and names the option', { timeout: 30_000 }, async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(stderr.split('\n')[0]).toBe(message);
    expect(code).toBe(2);
  });
});
