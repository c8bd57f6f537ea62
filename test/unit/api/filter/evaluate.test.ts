import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  FilterEvaluationError,
  matchesFilter,
  NOMAD_MAP_FIELDS,
  nomadEvaluationErrorBody,
  nomadParseErrorBody,
  parseFilter,
} from '../../../../src/api/filter/index.ts';
import { canaryDeployment, cancelledDeployment, countdashJob, deployments, exampleJob, jobs, successfulDeployment, webAllocation } from './fixtures.ts';

const strict = { mapFields: NOMAD_MAP_FIELDS };

const test = (source: string, value: unknown, options = {}) => {
  const compiled = compileFilter(source, options);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.test(value);
};

const failure = (source: string, value: unknown, options = {}) => {
  try {
    return `no error: ${test(source, value, options)}`;
  } catch (error) {
    expect(error).toBeInstanceOf(FilterEvaluationError);
    return (error as Error).message;
  }
};

const ids = (source: string, items: readonly { ID: string }[]) => items.filter((item) => test(source, item, strict)).map((item) => item.ID);

describe("the examples on Nomad's API filtering page give the page's answers", () => {
  it('jobs: Datacenters contains "dc2"', () => expect(ids('Datacenters contains "dc2"', jobs)).toEqual(['countdash']));
  it('deployments: Status != "successful"', () => expect(ids('Status != "successful"', deployments)).toEqual([cancelledDeployment.ID]));
  it.each([
    ['TaskGroups.cache selects the cache group', 'TaskGroups.cache.HealthyAllocs == 1'],
    ['TaskGroups["cache"] selects it too', 'TaskGroups["cache"].HealthyAllocs == 1'],
  ])('deployments: %s', (_what, source) => expect(ids(source, [successfulDeployment])).toEqual([successfulDeployment.ID]));
});

describe('== and !=: the literal is read as the field’s type', () => {
  it.each([
    ['a string field, quoted', 'Status == "pending"', countdashJob, true],
    ['a string field, bare word', 'Status == pending', countdashJob, true],
    ['a string field never coerces', 'ParentID == 0', countdashJob, false],
    ['an integer field', 'Priority == 50', countdashJob, true],
    ['an integer field, quoted', 'Priority == "50"', countdashJob, true],
    ['Go integer syntax: hex', 'Priority == "0x32"', countdashJob, true],
    ['Go integer syntax: a leading 0 is octal', 'Priority == "062"', countdashJob, true],
    ['Go integer syntax: underscores between digits', 'SubmitTime == "1_645_230_445_788_556_000"', countdashJob, true],
    ['nanosecond timestamps beyond 2^53', 'SubmitTime == 1645230445788556000', countdashJob, true],
    ['a float literal against a whole JSON number', 'Priority == 50.0', countdashJob, true],
    ['a negative number', 'JobVersion == -1', canaryDeployment, false],
    ['a bool field: true', 'Stop == true', countdashJob, false],
    ['a bool field: Go ParseBool accepts F', 'Stop == F', countdashJob, true],
    ['a bool field: and 0', 'Stop == 0', countdashJob, true],
    ['!= is the negation', 'Status != pending', countdashJob, false],
    ['nested fields', 'JobSummary.Summary.api.Queued == 1', countdashJob, true],
    ['list elements by index', 'Datacenters.1 == dc2', countdashJob, true],
    ['a JSON pointer', '"/TaskStates/nginx/Restarts" == 2', webAllocation, true],
  ])('%s: %s', (_rule, source, value, expected) => expect(test(source, value, strict)).toBe(expected));
});

describe('in and contains: substring, map key, list element', () => {
  const roles = (Role: unknown) => ({ Role });
  it.each([
    ['a list element', '"dc2" in Datacenters', countdashJob, true],
    ['not an element', '"dc3" in Datacenters', countdashJob, false],
    ['not in', '"dc3" not in Datacenters', countdashJob, true],
    ['contains', 'Datacenters contains dc1', countdashJob, true],
    ['not contains', 'Datacenters not contains dc1', countdashJob, false],
    ['a map key', 'TaskGroups contains web', canaryDeployment, true],
    ['a map key, not a value', '"payments" in Meta', exampleJob, false],
    ['a substring of a string (so "dbadmin" contains "admin")', 'Role contains admin', roles('dbadmin'), true],
    ['elements are compared whole', 'Role contains admin', roles(['dbadmin', 'foo']), false],
    ['numbers in a list are read as numbers', '"0x50" in Ports', { Ports: [80, 443] }, true],
    ['a mixed list skips elements the literal cannot be read as', 'true in Mixed', { Mixed: ['foobar', 1, true] }, true],
    ['a mixed list: 1 matches the number', '"1" in Mixed', { Mixed: ['foobar', 1, true] }, true],
    ['a mixed list: 2 matches nothing', '"2" in Mixed', { Mixed: ['foobar', 1, true] }, false],
    ['null is an empty list', '"x" in PlacedCanaries', cancelledDeployment.TaskGroups.api, false],
  ])('%s: %s', (_rule, source, value, expected) => expect(test(source, value)).toBe(expected));
});

describe('is empty and is not empty: length zero', () => {
  it.each([
    ['an empty string', 'ParentID is empty', countdashJob, true],
    ['a string', 'Status is empty', countdashJob, false],
    ['a list', 'Datacenters is not empty', countdashJob, true],
    ['an empty list', 'Ports is empty', { Ports: [] }, true],
    ['a map', 'Meta is not empty', exampleJob, true],
    ['an empty map', 'Meta is empty', { Meta: {} }, true],
    ['null', 'PlacedCanaries is empty', cancelledDeployment.TaskGroups.api, true],
  ])('%s: %s', (_rule, source, value, expected) => expect(test(source, value)).toBe(expected));
});

describe('matches and not matches: Go RE2, unanchored', () => {
  it.each([
    ['a prefix', 'Name matches "^web\\\\.frontend"', webAllocation, true],
    ['a raw string saves escaping', 'Name matches `^web\\.frontend\\[\\d+\\]$`', webAllocation, true],
    ['not matches', 'ClientStatus not matches "^(failed|lost)$"', webAllocation, true],
    ['(?i) folds case', 'ClientStatus matches "(?i)RUNNING"', webAllocation, true],
    ['\\d is ASCII', 'Name matches `\\d`', { Name: 'web-٣' }, false],
    ['. matches \\r in RE2', 'Name matches "^a.b$"', { Name: 'a\rb' }, true],
    ['a value bare word is a pattern too', 'Status matches pend', countdashJob, true],
  ])('%s: %s', (_rule, source, value, expected) => expect(test(source, value)).toBe(expected));
});

describe('a missing map key: each operator has go-bexpr’s answer, never an error', () => {
  it.each([
    ['==', 'Meta.owner == x', false],
    ['!=', 'Meta.owner != x', true],
    ['in', 'x in Meta.owner', false],
    ['not in', 'x not in Meta.owner', true],
    ['contains', 'Meta.owner contains x', false],
    ['is empty', 'Meta.owner is empty', true],
    ['is not empty', 'Meta.owner is not empty', false],
    ['matches', 'Meta.owner matches ".*"', false],
    ['not matches', 'Meta.owner not matches ".*"', true],
  ])('%s', (_operator, source, expected) => {
    expect(test(source, exampleJob)).toBe(expected);
    expect(test(source, exampleJob, strict)).toBe(expected);
  });

  it('a job without Meta at all is the same', () => expect(test('Meta.owner != x', countdashJob, strict)).toBe(true));
  it('a nil map (null) has no keys', () => expect(test('Meta.owner == x', { ...exampleJob, Meta: null }, strict)).toBe(false));
});

describe('a field that does not exist', () => {
  it.each([
    [
      'is an error with Nomad’s map fields (a typo fails the request, as in Nomad)',
      'Stauts == running',
      strict,
      'error finding value in datum: /Stauts at part 0: couldn\'t find key: struct field with name "Stauts"',
    ],
    [
      'below a map key too',
      'JobSummary.Summary.api.Queud == 1',
      strict,
      'error finding value in datum: /JobSummary/Summary/api/Queud at part 3: couldn\'t find key: struct field with name "Queud"',
    ],
    [
      'a missing map key with more path after it is an error in Nomad',
      'JobSummary.Summary.web.Queued == 1',
      strict,
      'error finding value in datum: /JobSummary/Summary/web/Queued at part 2: couldn\'t find key: map key "web"',
    ],
    [
      'walking into null is an error in Nomad',
      'Multiregion.Region == x',
      strict,
      'error finding value in datum: /Multiregion/Region: at part 1, cannot look up "Region" in null',
    ],
    [
      'an index past the end is an error in Nomad',
      'Datacenters.5 == x',
      strict,
      'error finding value in datum: /Datacenters/5: at part 1, index 5 is out of range for a list of 2',
    ],
    ['without map fields it is a missing key: == is false', 'Stauts == running', {}, 'no error: false'],
    ['without map fields it is a missing key: != is true', 'Stauts != running', {}, 'no error: true'],
    ['without map fields a missing group is a missing key', 'JobSummary.Summary.web.Queued == 1', {}, 'no error: false'],
    ['without map fields null is a missing key', 'Multiregion.Region == x', {}, 'no error: false'],
  ])('%s: %s', (_rule, source, options, outcome) => expect(failure(source, countdashJob, options)).toBe(outcome));
});

describe('type errors fail the evaluation, as in go-bexpr', () => {
  it.each([
    [
      '== on a list',
      'Datacenters == dc1',
      'unable to find suitable primitive comparison function for matching: selector "Datacenters" is a list; == and != compare strings, numbers and booleans',
    ],
    [
      '== on a map',
      'JobSummary.Summary == x',
      'unable to find suitable primitive comparison function for matching: selector "JobSummary.Summary" is an object; == and != compare strings, numbers and booleans',
    ],
    [
      '== on null',
      'Multiregion == x',
      'unable to find suitable primitive comparison function for matching: selector "Multiregion" is null; == and != compare strings, numbers and booleans',
    ],
    [
      'a word against a number',
      'Priority == high',
      'error getting match value in expression: strconv.ParseInt: parsing "high": invalid syntax (selector "Priority" is a number)',
    ],
    [
      'a word against a bool',
      'Stop == yes',
      'error getting match value in expression: strconv.ParseBool: parsing "yes": invalid syntax (selector "Stop" is a bool)',
    ],
    [
      'in on a number',
      '5 in Priority',
      'Cannot perform in/contains operations on type number for selector: "Priority"; in and contains apply to strings, lists and maps',
    ],
    [
      'in on a struct',
      'Dead in JobSummary.Children',
      'Cannot perform in/contains operations on type struct for selector: "JobSummary.Children"; in and contains apply to strings, lists and maps',
    ],
    [
      'is empty on a number',
      'Priority is empty',
      'cannot take the length of a number (selector "Priority"); is empty and is not empty apply to strings, lists and maps',
    ],
    ['matches on a number', 'Priority matches "5"', 'Value of type number is not convertible to []byte (selector "Priority"); matches applies to strings'],
    ['a path into a string', 'Status.Code == 1', 'error finding value in datum: /Status/Code: at part 1, invalid value kind: string'],
    ['a word as a list index', 'Datacenters.first == dc1', 'error finding value in datum: /Datacenters/first: at part 1, "first" is not a list index'],
  ])('%s: %s', (_what, source, message) => expect(failure(source, countdashJob, strict)).toBe(message));

  it('lists of objects cannot be searched with in', () => {
    expect(failure('x in Events', webAllocation.TaskStates.nginx)).toBe(
      'unable to find suitable primitive comparison function for "in" comparison: selector "Events" is a list of objects; in and contains compare strings, numbers and booleans',
    );
  });

  it.each([
    ['and stops at a false left side', 'Status == running and Datacenters == dc1', false],
    ['or stops at a true left side', 'Status == pending or Datacenters == dc1', true],
  ])('%s, so the right side never fails: %s', (_rule, source, expected) => expect(test(source, countdashJob, strict)).toBe(expected));

  it('the right side fails when the left does not decide', () => {
    expect(failure('Status == pending and Datacenters == dc1', countdashJob, strict)).toMatch(/^unable to find suitable primitive comparison function/);
  });
});

describe('any and all', () => {
  it.each([
    ['any element of a list', 'any Datacenters as dc { dc == "dc2" }', countdashJob, true],
    ['all elements of a list', 'all Datacenters as dc { dc matches "^dc" }', countdashJob, true],
    ['all fails on one element', 'all Datacenters as dc { dc == "dc1" }', countdashJob, false],
    ['index and element', 'any Datacenters as i, dc { i == 1 and dc == dc2 }', countdashJob, true],
    ['a single name over a map is the key', 'any TaskGroups as name { name == web }', canaryDeployment, true],
    ['key and value over a map', 'any TaskGroups as name, group { name == web and group.DesiredCanaries == 1 }', canaryDeployment, true],
    ['only the value', 'all TaskGroups as _, group { group.Promoted == false }', canaryDeployment, true],
    ['a JSON pointer through a binding', 'any TaskGroups as _, group { "/group/PlacedAllocs" == 1 }', canaryDeployment, true],
    ['a list of objects', 'any TaskStates.nginx.Events as e { e.Type == Restarting }', webAllocation, true],
    ['nested, the inner selector through the outer binding', 'any TaskStates as _, task { any task.Events as e { e.Type == Received } }', webAllocation, true],
    ['a missing map key: all holds', 'all Meta.tags as t { t == x }', exampleJob, true],
    ['a missing map key: any does not', 'any Meta.tags as t { t == x }', exampleJob, false],
    ['null is empty: all holds', 'all PlacedCanaries as c { c == x }', cancelledDeployment.TaskGroups.api, true],
    ['a binding shadows a field of the same name', 'any Datacenters as Status { Status == dc1 }', countdashJob, true],
  ])('%s: %s', (_rule, source, value, expected) => expect(test(source, value, strict)).toBe(expected));

  it.each([
    ['over a number', 'any Priority as p { p == 1 }', 'Priority is not a list or a map'],
    ['over a struct', 'any JobSummary.Children as c { c == 1 }', 'JobSummary.Children is not a list or a map'],
    ['a key has no fields', 'any JobSummary.Summary as k { k.Queued == 1 }', '/k references a string so /k/Queued is invalid'],
    ['an index has no fields', 'any Datacenters as i, _ { i.Name == 1 }', '/i references a number so /i/Name is invalid'],
  ])('%s is an error: %s', (_what, source, message) => expect(failure(source, countdashJob, strict)).toBe(message));
});

describe('compileFilter and the bodies Nomad answers with', () => {
  it('compiles once and tests many objects', () => {
    const compiled = compileFilter('Status == running and Type == service');
    expect(compiled.ok && jobs.filter(compiled.test).map((j) => j.ID)).toEqual(['example']);
  });

  it('returns the parse error', () =>
    expect(compileFilter('Status =')).toEqual({
      ok: false,
      error: '1:8 (7): no match found, expected: "!=", "==", "contains", "in", "is", "matches" or "not"; found "="',
    }));

  it('wraps a parse error as Nomad’s 400 body', () => {
    const parsed = parseFilter('(NodePool == windows-amd64-instance-production)');
    expect(!parsed.ok && nomadParseErrorBody(parsed.error)).toBe(
      'failed to create result paginator: failed to read filter expression: 1:21 (20): rule "grouping": Unmatched parentheses',
    );
  });

  it('wraps an evaluation error as Nomad’s 400 body', () => {
    const parsed = parseFilter('Stauts == running');
    if (!parsed.ok) throw new Error(parsed.error);
    let body = '';
    try {
      matchesFilter(parsed.filter, countdashJob, strict);
    } catch (error) {
      body = nomadEvaluationErrorBody(error as FilterEvaluationError);
    }
    expect(body).toBe('failed to read result page: error finding value in datum: /Stauts at part 0: couldn\'t find key: struct field with name "Stauts"');
  });
});
