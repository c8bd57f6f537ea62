import { describe, expect, it } from 'vitest';
import { jsonPointer } from '../../../src/kube/json-patch.ts';

describe('jsonPointer: a JSON-patch path (RFC 6901)', () => {
  it.each<[string, (string | number)[], string]>([
    ['a plain path', ['spec', 'taskGroups', 2, 'count'], '/spec/taskGroups/2/count'],
    ['an annotation key with a slash is one segment', ['metadata', 'annotations', 'caravan.dev/stable'], '/metadata/annotations/caravan.dev~1stable'],
    ['every slash is escaped, not only the first', ['metadata', 'labels', 'a/b/c'], '/metadata/labels/a~1b~1c'],
    ['a tilde is escaped before the slashes', ['metadata', 'annotations', 'x~/y'], '/metadata/annotations/x~0~1y'],
    ['a key already spelled ~1 stays a key, not a slash', ['metadata', 'annotations', 'a~1b'], '/metadata/annotations/a~01b'],
    ['no segments: the whole document', [], ''],
  ])('%s', (_case, segments, path) => {
    expect(jsonPointer(...segments)).toBe(path);
  });
});
