import { FilterEvaluationError } from './errors.ts';
import { goQuote } from './go-quote.ts';
import { isPlainObject, ownValue, valueKind } from './value-kind.ts';

/**
 * A name bound by `any`/`all`. A value binding over a list element or map value is a path (so
 * `v.Field` walks on from it, as go-bexpr does); an index or map key is a plain value.
 */
export type LocalBinding = { readonly name: string; readonly path: readonly string[] } | { readonly name: string; readonly value: unknown };

/** `found: false` is go-bexpr's "missing map key", which each operator answers in its own way. */
export type Resolved = { readonly found: false } | { readonly found: true; readonly value: unknown; readonly isMap: boolean };

/** Go's pointerstructure spelling of a path: /TaskGroups/web, with ~1 for / and ~0 for ~ in keys. */
export const pointerText = (path: readonly string[]) => `/${path.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

const notFound = (message: string) => new FilterEvaluationError(`error finding value in datum: ${message}`);

/**
 * Walks a selector path through the object, the way go-bexpr does through a Go value. With
 * mapFields (strict), a key missing from a struct is an error and only the last key of a path
 * may be missing from a map; without it every object is a map and nothing missing is an error.
 * Indexing into a string, number or bool is an error either way.
 */
export function resolveSelector(
  root: unknown,
  selectorPath: readonly string[],
  locals: readonly LocalBinding[],
  mapFields: ReadonlySet<string> | undefined,
): Resolved {
  let path = selectorPath;
  // Innermost binding first; a path binding rewrites the selector and the outer ones see the rewrite.
  for (let i = locals.length - 1; i >= 0; i--) {
    const local = locals[i]!;
    if (path[0] !== local.name) continue;
    if ('value' in local) {
      if (path.length > 1)
        throw new FilterEvaluationError(`${pointerText([local.name])} references a ${valueKind(local.value)} so ${pointerText(path)} is invalid`);
      return { found: true, value: local.value, isMap: false };
    }
    path = [...local.path, ...path.slice(1)];
  }

  const strict = mapFields !== undefined;
  const where = pointerText(path);
  let current: unknown = root;
  let isMap = !strict;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const mayBeMissing = !strict || (isMap && i === path.length - 1);
    if (Array.isArray(current)) {
      if (!/^[+-]?[0-9]+$/.test(part)) throw notFound(`${where}: at part ${i}, ${goQuote(part)} is not a list index`);
      const index = Number(part);
      if (index < 0 || index >= current.length) {
        if (!strict) return { found: false };
        throw notFound(`${where}: at part ${i}, index ${index} is out of range for a list of ${current.length}`);
      }
      current = current[index];
      isMap = !strict;
    } else if (isPlainObject(current)) {
      const next = ownValue(current, part);
      if (next === undefined && strict && !isMap && mapFields.has(part)) {
        // A map field left out of the JSON (omitempty, as Meta is in a JobListStub) is a nil map.
        current = null;
        isMap = true;
        continue;
      }
      if (next === undefined) {
        if (mayBeMissing) return { found: false };
        throw notFound(`${where} at part ${i}: couldn't find key: ${isMap ? `map key ${goQuote(part)}` : `struct field with name ${goQuote(part)}`}`);
      }
      isMap = !strict || (!isMap && mapFields.has(part));
      current = next;
    } else if (current === null || current === undefined) {
      // A nil map has no keys; a nil pointer to a struct has no fields to walk into.
      if (mayBeMissing) return { found: false };
      throw notFound(`${where}: at part ${i}, cannot look up ${goQuote(part)} in null`);
    } else {
      throw notFound(`${where}: at part ${i}, invalid value kind: ${valueKind(current)}`);
    }
  }
  return { found: true, value: current, isMap };
}
