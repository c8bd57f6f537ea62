import { describe, expect, it } from 'vitest';
import { plainStyle, terminalStyle } from '../../../src/plugin/format.ts';
import { parseOutputFormat, renderData, terminalOf } from '../../../src/plugin/output.ts';

describe('output modes', () => {
  it.each([
    [undefined, 'text'],
    ['text', 'text'],
    ['json', 'json'],
    ['yaml', 'yaml'],
  ])('-o %s is %s', (value, format) => {
    expect(parseOutputFormat(value)).toBe(format);
  });

  it('refuses other formats, saying which exist', () => {
    expect(() => parseOutputFormat('xml')).toThrow('-o xml: use json or yaml (or leave it out for text)');
  });

  it('prints the same data as JSON or YAML', () => {
    expect(renderData({ version: 1, stable: false }, 'json')).toBe('{\n  "version": 1,\n  "stable": false\n}\n');
    expect(renderData([{ version: 1, stable: false }], 'yaml')).toBe('- version: 1\n  stable: false\n');
  });

  it.each([
    ['a terminal', { isTTY: true }, {}, true, terminalStyle],
    ['a terminal with NO_COLOR', { isTTY: true }, { NO_COLOR: '1' }, true, plainStyle],
    ['a dumb terminal', { isTTY: true }, { TERM: 'dumb' }, false, plainStyle],
    ['a pipe', {}, {}, false, plainStyle],
  ])('on %s: redraws %s, style as given', (_case, stream, env, tty, style) => {
    expect(terminalOf(stream, env)).toEqual({ tty, style });
  });
});
