import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Re2Regex } from '../../../../src/api/filter/re2-regex.ts';

// go-regexp-parity.json is what Go's regexp answers for each pattern, printed by
// test/conformance/tools/regexp-parity (regenerate it there, see that file). Every row runs here
// against the filter's regexp layer, so Caravan's `matches` answers as Nomad's would.

interface ParityRow {
  readonly rule: string;
  readonly pattern: string;
  readonly input: string;
  readonly match: boolean;
  readonly error: string | null;
}
interface Answer {
  readonly match: boolean;
  readonly error: string | null;
}

const fixturePath = fileURLToPath(new URL('./go-regexp-parity.json', import.meta.url));
const conformanceDir = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const rows = JSON.parse(readFileSync(fixturePath, 'utf8')) as readonly ParityRow[];

const caravanAnswer = ({ pattern, input }: ParityRow): Answer => {
  const compiled = Re2Regex.compile(pattern);
  return compiled.ok ? { match: compiled.regex.test(input), error: null } : { match: false, error: compiled.error };
};

// Caravan words some refusals with a note on what RE2 lacks: Go's text, then ` (RE2 has no …)`.
const withoutNote = (error: string | null) => error?.replace(/ \(RE2 has no [a-z ]+\)$/, '') ?? null;

const refused = (error: string): Answer => ({ match: false, error });

const unknownClass = (name: string) => refused(`error parsing regexp: invalid character class range: \`${name}\``);

/**
 * Where Caravan answers otherwise than Go: Caravan's own choices, then what re2js does not do as
 * Go does. docs/api-filter.md ("RE2") lists the same.
 */
const caravanDifferences: ReadonlyMap<string, { readonly answer: Answer; readonly why: string }> = new Map([
  [
    '(?<=a)b',
    {
      answer: refused('error parsing regexp: invalid or unsupported Perl syntax: `(?<=` (RE2 has no lookbehind)'),
      why: 'Go calls lookbehind a bad capture name',
    },
  ],
  [
    '(?<!a)b',
    {
      answer: refused('error parsing regexp: invalid or unsupported Perl syntax: `(?<!` (RE2 has no lookbehind)'),
      why: 'Go calls lookbehind a bad capture name',
    },
  ],
  [
    '(?P<n>x)(?P<n>y)',
    { answer: refused('error parsing regexp: duplicate capture group name: `n`'), why: 're2js (like RE2 in C++) refuses a repeated group name; Go allows it' },
  ],
  [
    '(a{100}){11}',
    { answer: refused('error parsing regexp: expression too large: `(a{100}){11}`'), why: 'nested counts past 1000 are named as Caravan’s program budget' },
  ],
  [
    '((a{100}){100}){100}',
    {
      answer: refused('error parsing regexp: expression too large: `((a{100}){100}){100}`'),
      why: 'nested counts past 1000 are named as Caravan’s program budget',
    },
  ],
  [
    '\\w{1000}'.repeat(21),
    {
      answer: refused(`error parsing regexp: expression too large: \`${'\\w{1000}'.repeat(21)}\``),
      why: 'Caravan’s program budget (20,000 instructions) is below Go’s',
    },
  ],
  ['\\p{greek}', { answer: unknownClass('\\p{greek}'), why: 're2js looks class names up as Go did before 1.25: exactly as written' }],
  ['\\ps', { answer: unknownClass('\\ps'), why: 're2js looks class names up as Go did before 1.25: exactly as written' }],
  ['^\\p{Letter}+$', { answer: unknownClass('\\p{Letter}'), why: 're2js has no long category names (Go 1.25)' }],
  ['^\\p{ASCII}+$', { answer: unknownClass('\\p{ASCII}'), why: 're2js has no \\p{ASCII} (Go 1.25)' }],
  ['\\p{Old_Italic}', { answer: { match: false, error: null }, why: 're2js finds scripts with _ in their names; Go 1.26 finds none' }],
  ['^[[:]+$', { answer: unknownClass('[:]'), why: 're2js reads [:] as a POSIX class with no name; Go reads [ and : as literals' }],
]);

describe('Go regexp parity: every row of go-regexp-parity.json', () => {
  it('has the rows the table was generated with', () => expect(rows.length).toBeGreaterThan(200));

  it.each(rows.filter((row) => !caravanDifferences.has(row.pattern)))('$rule: $pattern', (row) => {
    const answer = caravanAnswer(row);
    expect({ match: answer.match, error: withoutNote(answer.error) }).toEqual({ match: row.match, error: row.error });
  });

  it.each(rows.filter((row) => caravanDifferences.has(row.pattern)))('differs on purpose, $rule: $pattern', (row) => {
    const difference = caravanDifferences.get(row.pattern);
    expect(caravanAnswer(row)).toEqual(difference?.answer);
    expect(difference?.answer, `still a difference from Go (${difference?.why})`).not.toEqual({ match: row.match, error: row.error });
  });

  it('every listed difference has its row in the table', () => {
    const patterns = new Set(rows.map((row) => row.pattern));
    expect([...caravanDifferences.keys()].filter((pattern) => !patterns.has(pattern))).toEqual([]);
  });
});

// The fixture must be what Go answers, not what someone typed. Needs a Go toolchain at least as
// new as test/conformance/go.mod names (CI has one); without one the check is skipped.
const go = [process.env['GO'], '/usr/local/go/bin/go', ...(process.env['PATH'] ?? '').split(':').map((dir) => `${dir}/go`)].find(
  (candidate): candidate is string => candidate !== undefined && candidate !== '' && existsSync(candidate),
);

describe('the committed fixture', () => {
  it.skipIf(go === undefined)(
    'is what test/conformance/tools/regexp-parity prints with this Go',
    (context) => {
      // GOTOOLCHAIN=local: never download another Go; an older one says so and the check skips.
      const check = spawnSync(go as string, ['run', './tools/regexp-parity', '-check', fixturePath], {
        cwd: conformanceDir,
        encoding: 'utf8',
        env: { ...process.env, GOTOOLCHAIN: 'local' },
      });
      if (/go\.mod requires go >= /.test(check.stderr)) context.skip(check.stderr.trim());
      expect(check.stderr + check.stdout).toContain(`${rows.length} rows, as Go answers`);
      expect(check.status).toBe(0);
    },
    180_000,
  );
});
