import { EvaluationError } from './evaluation-error.ts';
import { isObject, type HclValue } from './job-tree.ts';

type HclFunction = (args: readonly HclValue[]) => HclValue;

/**
 * The HCL functions caravan convert evaluates: the common string and list helpers of job files.
 * Anything else is reported, since guessing a function's result would change the job.
 */
const functions: Readonly<Record<string, HclFunction>> = {
  upper: (args) => text(args, 0).toUpperCase(),
  lower: (args) => text(args, 0).toLowerCase(),
  trimspace: (args) => text(args, 0).trim(),
  join: (args) =>
    list(args, 1)
      .map((item) => scalarText(item))
      .join(text(args, 0)),
  split: (args) => text(args, 1).split(text(args, 0)),
  replace: (args) => text(args, 0).split(text(args, 1)).join(text(args, 2)),
  concat: (args) => args.flatMap((_, i) => list(args, i)),
  lookup: (args) => {
    const map = args[0];
    const key = text(args, 1);
    if (!isObject(map)) throw new EvaluationError('lookup() needs a map as its first argument');
    if (Object.hasOwn(map, key)) return map[key]!;
    if (args.length > 2) return args[2]!;
    throw new EvaluationError(`lookup(): the map has no key ${JSON.stringify(key)} and no default was given`);
  },
  tostring: (args) => scalarText(args[0] ?? null),
  tonumber: (args) => {
    const n = typeof args[0] === 'number' ? args[0] : Number(text(args, 0));
    if (!Number.isFinite(n)) throw new EvaluationError(`tonumber(): ${JSON.stringify(args[0])} is not a number`);
    return n;
  },
  coalesce: (args) => {
    const found = args.find((a) => a !== null && a !== '');
    if (found === undefined) throw new EvaluationError('coalesce(): all arguments are null or empty');
    return found;
  },
  format: (args) => {
    let next = 1;
    return text(args, 0).replace(/%([%sdv])/g, (_, verb: string) => (verb === '%' ? '%' : scalarText(args[next++] ?? null)));
  },
};

export const supportedFunctionNames: readonly string[] = Object.keys(functions);

export function callFunction(name: string, args: readonly HclValue[]): HclValue {
  const fn = functions[name];
  if (!fn) throw new EvaluationError(`the function ${name}() is not supported by caravan convert (it evaluates ${supportedFunctionNames.join(', ')})`);
  return fn(args);
}

function text(args: readonly HclValue[], i: number): string {
  const value = args[i];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new EvaluationError(`argument ${i + 1} must be a string`);
}

function scalarText(value: HclValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new EvaluationError(`${JSON.stringify(value)} is not a string`);
}

function list(args: readonly HclValue[], i: number): readonly HclValue[] {
  const value = args[i];
  if (!Array.isArray(value)) throw new EvaluationError(`argument ${i + 1} must be a list`);
  return value as readonly HclValue[];
}
