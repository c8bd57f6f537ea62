import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../../src/api/filter/parse.ts';
import { show } from './show-filter.ts';

const parsed = (source: string) => {
  const result = parseFilter(source);
  if (!result.ok) throw new Error(result.error);
  return show(result.filter);
};

const refused = (source: string) => {
  const result = parseFilter(source);
  return result.ok ? `parsed as ${show(result.filter)}` : result.error;
};

describe('matching operators (Nomad API docs, "Matching Operators")', () => {
  it.each([
    ['equality', 'Status == "running"', 'Status == "running"'],
    ['inequality', 'Status != "running"', 'Status != "running"'],
    ['== needs no spaces', 'Status=="running"', 'Status == "running"'],
    ['emptiness', 'Meta is empty', 'Meta is empty'],
    ['non-emptiness', 'Meta is not empty', 'Meta is not empty'],
    ['in', '"dc1" in Datacenters', '"dc1" in Datacenters'],
    ['not in', '"dc1" not in Datacenters', '"dc1" not in Datacenters'],
    ['contains is in with the operands swapped', 'Datacenters contains "dc1"', '"dc1" in Datacenters'],
    ['not contains is not in', 'Datacenters not contains "dc1"', '"dc1" not in Datacenters'],
    ['matches', 'Name matches "^web-[0-9]+$"', 'Name matches "^web-[0-9]+$"'],
    ['not matches', 'Name not matches "^web"', 'Name not matches "^web"'],
  ])('%s: %s', (_rule, source, tree) => expect(parsed(source)).toBe(tree));
});

describe('connecting expressions: not binds tighter than and, and tighter than or', () => {
  it.each([
    ['and before or', 'a == 1 or b == 2 and c == 3', '(a == "1" or (b == "2" and c == "3"))'],
    ['not before and', 'a == 1 and not b == 2 or c is empty', '((a == "1" and not b == "2") or c is empty)'],
    ['parentheses override', 'a == 1 and not (b == 2 or c is empty)', '(a == "1" and not (b == "2" or c is empty))'],
    ['chains nest to the right, as go-bexpr builds them', 'a == 1 or b == 2 or c == 3', '(a == "1" or (b == "2" or c == "3"))'],
    ['not not cancels out', 'not not a == 1', 'a == "1"'],
    ['redundant parentheses vanish', '((a == 1))', 'a == "1"'],
    ['whitespace is spaces, tabs, CR and LF', '\t\r\n  foo \t\r\n == \t\r\n x \t\r\n and\n\ty is empty', '(foo == "x" and y is empty)'],
    ['a selector may be named like a keyword', 'not == 1 and and is empty', '(not == "1" and and is empty)'],
    ['a keyword prefix is part of a longer name', 'nothing == 1 or order in android', '(nothing == "1" or "order" in android)'],
  ])('%s: %s', (_rule, source, tree) => expect(parsed(source)).toBe(tree));

  it('reads the docs’ example pair the same', () => {
    expect(parsed('Status == dead and not Stop == true or Type == batch')).toBe(parsed('( Status == dead and (not Stop == true )) or Type == batch'));
  });

  it('parses go-bexpr’s deep parenthesized example', () => {
    expect(
      parsed('(((foo == 3) and (not ((bar in baz) and (not (one != two))))) or (((next is empty) and (not (foo is not empty))) and (bar not in foo)))'),
    ).toBe('((foo == "3" and not ("bar" in baz and not one != "two")) or ((next is empty and not foo is not empty) and "bar" not in foo))');
  });

  it('keeps long chains off the stack', () => {
    const source = Array.from({ length: 20_000 }, (_, i) => `Meta.k${i} == v`).join(' or ');
    expect(parseFilter(source).ok).toBe(true);
  });
});

describe('selectors (Nomad API docs, "Selectors")', () => {
  it.each([
    ['dotted field names', 'Job.Status == running', 'Job.Status == "running"'],
    ['a map key in brackets', 'TaskGroups["cache"].DesiredTotal == 1', 'TaskGroups.cache.DesiredTotal == "1"'],
    ['a map key that is not a name', 'Meta["cost-center"] == "cc-42"', '["Meta","cost-center"] == "cc-42"'],
    ['a raw-string map key', 'Meta[`owner.email`] is empty', '["Meta","owner.email"] is empty'],
    ['whitespace inside brackets', 'Meta[ "team" ] == x', 'Meta.team == "x"'],
    ['any text as a key', 'Meta["abc-def ghi åß∂ƒ"] == x', '["Meta","abc-def ghi åß∂ƒ"] == "x"'],
    ['a list index', 'TaskGroups.0.Name == web', 'TaskGroups.0.Name == "web"'],
    ['a slash inside a name', 'slash/value == x', '["slash/value"] == "x"'],
    ['a JSON pointer', '"/TaskGroups/web/DesiredTotal" == 3', 'TaskGroups.web.DesiredTotal == "3"'],
    ['a JSON pointer with punctuation', '"/Meta/co:lon/pi|pe/do.t/hy-phen" == 3', '["Meta","co:lon","pi|pe","do.t","hy-phen"] == "3"'],
    ['a JSON pointer with escapes', '"/Meta/a~1b/c~0d" == 3', '["Meta","a/b","c~d"] == "3"'],
    ['a JSON pointer after in', 'web in "/TaskGroups"', '"web" in TaskGroups'],
  ])('%s: %s', (_rule, source, tree) => expect(parsed(source)).toBe(tree));
});

describe('values (Nomad API docs, "Values")', () => {
  it.each([
    ['a bare word is its text', 'Status == running', 'Status == "running"'],
    ['a dotted bare word is its text', 'Name == web.frontend', 'Name == "web.frontend"'],
    ['an indexed bare word is its dotted text', 'Name == web["frontend"]', 'Name == "web.frontend"'],
    ['an integer', 'Priority == 50', 'Priority == "50"'],
    ['a negative float', 'Weight == -0.25', 'Weight == "-0.25"'],
    ['a double-quoted string', 'Name == "web-1"', 'Name == "web-1"'],
    ['Go escapes in double quotes', 'Name == "a\\tb\\n\\u00e9\\x41\\101\\\\"', `Name == ${JSON.stringify('a\tb\néAA\\')}`],
    ['a raw string keeps backslashes', 'Name matches `^web\\.\\d+$`', 'Name matches "^web\\\\.\\\\d+$"'],
    ['a raw string may contain double quotes', 'Description == `say "hi"`', 'Description == "say \\"hi\\""'],
    ['a raw string drops carriage returns, as Go does', 'Name == `a\r\nb`', 'Name == "a\\nb"'],
    ['a quoted value starting with / is a plain string here', '"/usr/bin" in Path', '"/usr/bin" in Path'],
    ['a number before )', '(Priority == 50)', 'Priority == "50"'],
  ])('%s: %s', (_rule, source, tree) => expect(parsed(source)).toBe(tree));
});

describe('collection expressions: any and all', () => {
  it.each([
    ['a list element', 'any Datacenters as dc { dc == "dc2" }', 'any Datacenters as dc { dc == "dc2" }'],
    ['index and element', 'all TaskGroups as i, g { g.Count != 0 }', 'all TaskGroups as i, g { g.Count != "0" }'],
    ['only the value', 'any TaskGroups as _, g { g.Promoted == true }', 'any TaskGroups as _, g { g.Promoted == "true" }'],
    ['only the key', 'any Meta as k, _ { k matches "^team" }', 'any Meta as k, _ { k matches "^team" }'],
    ['a body with boolean logic', 'all Meta as k, v { k != "a" or v != "b" }', 'all Meta as k, v { (k != "a" or v != "b") }'],
    ['on the right of or', 'Status == dead or any Datacenters as dc { dc == "dc1" }', '(Status == "dead" or any Datacenters as dc { dc == "dc1" })'],
    [
      'in parentheses, combined with and',
      '(all Datacenters as dc { dc != "dc3" }) and Status == running',
      '(all Datacenters as dc { dc != "dc3" } and Status == "running")',
    ],
    ['a number before }', 'any Ports as p { p == 80}', 'any Ports as p { p == "80" }'],
  ])('%s: %s', (_rule, source, tree) => expect(parsed(source)).toBe(tree));
});

describe('syntax errors say where, as go-bexpr does: line:column (byte offset)', () => {
  it.each([
    // Nomad's own answer to the UI's unquoted node pool (hashicorp/nomad#23445).
    ['an unquoted value with a dash, in parentheses', '(NodePool == windows-amd64-instance-production)', '1:21 (20): rule "grouping": Unmatched parentheses'],
    ['an unclosed parenthesis', '(foo == 4', '1:10 (9): rule "grouping": Unmatched parentheses'],
    ['an unterminated string', 'foo == "12x', '1:12 (11): rule "string": Unterminated string literal'],
    ['an unterminated raw string', 'foo == `12x', '1:12 (11): rule "string": Unterminated string literal'],
    ['a number run into a word', 'foo == 3x', '1:9 (8): rule "number": Invalid number literal'],
    ['a leading zero', 'foo == 01', '1:9 (8): rule "number": Invalid number literal'],
    ['an unquoted index', 'foo[3] == abc', '1:5 (4): rule "index": Invalid index'],
    ['an unclosed index at the end', 'x in foo["abc"', '1:15 (14): rule "index": Unclosed index expression'],
    ['an unclosed index before more', 'foo["abc" == 3', '1:11 (10): rule "index": Unclosed index expression'],
    ['a number where in wants a selector', 'x in 32', '1:6 (5): rule "match": Invalid selector'],
    ['a number as a selector', '32 == 32', '1:4 (3): no match found, expected: "in" or "not"; found "=="'],
    ['junk after a complete expression', 'x in foo abc', '1:10 (9): no match found, expected: "and", "or" or end of input; found "abc"'],
    ['nothing after and', 'x in foo and ', '1:14 (13): no match found, expected: "(", "not", selector or value; found end of input'],
    ['nothing after or', 'x in foo or ', '1:13 (12): no match found, expected: "(", "all", "any", "not", selector or value; found end of input'],
    [
      'nothing after not',
      'x in foo or not ',
      '1:17 (16): no match found, expected: "!=", "(", "==", "contains", "in", "is", "matches", "not", selector or value; found end of input',
    ],
    ['a single =', 'Status = "running"', '1:8 (7): no match found, expected: "!=", "==", "contains", "in", "is", "matches" or "not"; found "="'],
    [
      'a quoted segment after a dot (not go-bexpr syntax)',
      'Meta."my-key" == x',
      '1:5 (4): no match found, expected: "!=", "==", "contains", "in", "is", "matches" or "not"; found "."',
    ],
    ['a JSON pointer with a trailing slash is a string, not a selector', '"/a/b/" == 3', '1:9 (8): no match found, expected: "in" or "not"; found "=="'],
    [
      'a keyword run into a parenthesis',
      'not(a == 1)',
      '1:4 (3): no match found, expected: "!=", "==", "contains", "in", "is", "matches", "not" or whitespace after "not"; found "("',
    ],
    ['and needs whitespace around it', '(a==1)and(b==2)', '1:7 (6): no match found, expected: "or", end of input or whitespace before "and"; found "and"'],
    ['a keyword run into a word', 'a == 1 andx b == 2', '1:11 (10): no match found, expected: whitespace after "and"; found "x"'],
    ['an empty filter', '', '1:1 (0): no match found, expected: "(", "all", "any", "not", selector or value; found end of input'],
    ['a bad escape', 'a == "x\\qy"', '1:6 (5): rule "string": invalid syntax: \\q is not a Go string escape'],
    [
      'an escaped quote ends the string early (go-bexpr reads up to the next ")',
      'a == "x\\"y"',
      '1:6 (5): rule "string": invalid syntax: \\ is not a Go string escape',
    ],
    [
      'a byte escape that is not UTF-8 text',
      'a == "\\xff"',
      '1:6 (5): rule "string": invalid syntax: byte escape \\xff is not valid UTF-8 on its own; write \\u00ff',
    ],
    ['the same placeholder twice', 'all Meta as k, k { k == x }', '1:13 (12): "k" cannot be used as a placeholder for both the index and the value'],
    [
      'a regex RE2 refuses, at the pattern',
      'Name matches "(?<=web)-1"',
      '1:14 (13): Failed to compile regular expression "(?<=web)-1": error parsing regexp: invalid or unsupported Perl syntax: `(?<=` (RE2 has no lookbehind)',
    ],
    [
      'a backreference',
      'Name matches `(a)\\1`',
      '1:14 (13): Failed to compile regular expression "(a)\\\\1": error parsing regexp: invalid escape sequence: `\\1` (RE2 has no backreferences)',
    ],
    [
      'columns count characters, offsets count UTF-8 bytes',
      'Name == "é" and',
      '1:16 (16): no match found, expected: whitespace after "and"; found end of input',
    ],
    ['lines count from 1', 'Status == running and\n(Type == batch', '2:15 (36): rule "grouping": Unmatched parentheses'],
  ])('%s: %j', (_what, source, error) => expect(refused(source)).toBe(error));

  it('refuses nesting deep enough to exhaust the stack', () => {
    expect(refused(`${'('.repeat(600)}a == 1${')'.repeat(600)}`)).toBe('1:502 (501): expression nests too deeply (more than 500 levels)');
  });
});
