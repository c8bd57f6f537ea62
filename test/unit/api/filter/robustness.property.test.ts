import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterEvaluationError, matchesFilter, NOMAD_MAP_FIELDS, parseFilter } from '../../../../src/api/filter/index.ts';
import { Re2Regex } from '../../../../src/api/filter/re2-regex.ts';
import { canaryDeployment, countdashJob, webAllocation } from './fixtures.ts';

// A filter arrives in a query string from anyone who can list jobs: whatever it says, the
// answer is a parse error, a boolean or a FilterEvaluationError (a 400), never a crash (a 500).

const filterPieces = fc.constantFrom(
  'Status',
  'Meta',
  'TaskGroups',
  'Datacenters',
  'g',
  '.',
  '.0',
  '["k"]',
  '"/Meta/team"',
  ' ',
  '\n',
  '(',
  ')',
  '{',
  '}',
  ',',
  '_',
  '==',
  '!=',
  'and',
  'or',
  'not',
  'in',
  'contains',
  'matches',
  'is',
  'empty',
  'any',
  'all',
  'as',
  '1',
  '-2',
  '0.5',
  'x',
  '"x"',
  '`x`',
  '"(?i)x"',
  '"a+"',
  '"',
  '`',
  '[',
  ']',
  '\\',
  'é',
);
const filters = fc.oneof(
  fc.array(filterPieces, { maxLength: 30 }).map((p) => p.join('')),
  fc.string({ maxLength: 40 }),
);

const regexPieces = fc.constantFrom(
  'a',
  'é',
  '(',
  ')',
  '(?',
  '[',
  ']',
  '^',
  '$',
  '-',
  '*',
  '+',
  '?',
  '{',
  '}',
  '2',
  ',',
  '\\',
  'd',
  'p',
  'P',
  'Q',
  'E',
  '|',
  '.',
  ':',
  '<',
  '>',
  '=',
  '!',
  'i',
  's',
  'U',
);
const patterns = fc.oneof(
  fc.array(regexPieces, { maxLength: 24 }).map((p) => p.join('')),
  fc.string({ maxLength: 24 }),
);

const objects = [countdashJob, canaryDeployment, webAllocation, null, [], { Meta: { team: ['a', 1, true, null] } }];

describe('robustness', () => {
  it('any filter text parses or is refused with a positioned message', () => {
    fc.assert(
      fc.property(filters, (source) => {
        const result = parseFilter(source);
        if (!result.ok) expect(result.error).toMatch(/^\d+:\d+ \(\d+\): /);
      }),
      { numRuns: 2000 },
    );
  });

  it('evaluating a parsed filter answers a boolean or throws FilterEvaluationError, in both modes', () => {
    fc.assert(
      fc.property(filters, (source) => {
        const result = parseFilter(source);
        if (!result.ok) return;
        for (const value of objects) {
          for (const options of [{}, { mapFields: NOMAD_MAP_FIELDS }]) {
            try {
              expect(typeof matchesFilter(result.filter, value, options)).toBe('boolean');
            } catch (error) {
              expect(error).toBeInstanceOf(FilterEvaluationError);
            }
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('any pattern compiles or is refused with Go’s "error parsing regexp", and compiled ones run', () => {
    fc.assert(
      fc.property(patterns, fc.string({ maxLength: 30 }), (pattern, input) => {
        const compiled = Re2Regex.compile(pattern);
        if (compiled.ok) expect(typeof compiled.regex.test(input)).toBe('boolean');
        else expect(compiled.error).toMatch(/^error parsing regexp: /);
      }),
      { numRuns: 2000 },
    );
  });
});
