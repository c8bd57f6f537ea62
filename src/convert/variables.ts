import type { Diagnostic, Position } from './diagnostics.ts';
import { EvaluationError } from './evaluation-error.ts';
import { evaluate, type Scope } from './expressions.ts';
import type { HclParser } from './hcl.ts';
import type { Attribute, Block, HclValue } from './job-tree.ts';

/** Values for input variables from outside the file: `-var name=value`, and `NOMAD_VAR_name` (weaker, unchecked). */
export interface VariableInputs {
  readonly cli: ReadonlyMap<string, string>;
  readonly env?: ReadonlyMap<string, string>;
}

interface Declaration {
  readonly name: string;
  readonly pos: Position;
  /** The type expression without `${}` ("string", "list(string)"), or "any" when none is given. */
  readonly type: string;
  readonly default?: Attribute;
}

/**
 * The values of `var.*` and `local.*`, computed as Nomad does: declared variables take -var
 * values (then NOMAD_VAR_ ones, then their default), converted to their type; locals may use
 * variables and each other in any order. An unset or undeclared variable is fatal, as in Nomad.
 */
export async function buildScope(root: Block, inputs: VariableInputs, parser: HclParser): Promise<{ scope: Scope; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const declarations = declaredVariables(root, diagnostics);
  const vars: Record<string, HclValue> = {};
  for (const [name] of inputs.cli) {
    if (!declarations.has(name))
      diagnostics.push({ severity: 'fatal', message: `-var ${name}: the file declares no variable ${JSON.stringify(name)} (add a variable "${name}" block)` });
  }
  for (const decl of declarations.values()) {
    const raw = inputs.cli.get(decl.name) ?? inputs.env?.get(decl.name);
    try {
      if (raw !== undefined) vars[decl.name] = toType(await cliValue(raw, decl, parser), decl.type);
      else if (decl.default) vars[decl.name] = toType(await evaluate(decl.default.value, { var: {}, local: {} }, parser.parseExpression), decl.type);
      else
        diagnostics.push({
          severity: 'fatal',
          pos: decl.pos,
          message: `Unset variable ${JSON.stringify(decl.name)}: it has no default, so give it a value with -var ${decl.name}=VALUE`,
        });
    } catch (error) {
      const source = raw !== undefined ? `-var ${decl.name}` : `the default of variable ${JSON.stringify(decl.name)}`;
      diagnostics.push({ severity: 'fatal', pos: raw !== undefined ? undefined : decl.default?.pos, message: `${source}: ${(error as Error).message}` });
    }
  }
  // Locals built on a missing variable would only repeat the fatal error.
  if (diagnostics.some((d) => d.severity === 'fatal')) return { scope: { var: vars, local: {} }, diagnostics };
  const { local, failedLocals } = await localValues(root, vars, parser, diagnostics);
  return { scope: { var: vars, local, failedLocals }, diagnostics };
}

function declaredVariables(root: Block, diagnostics: Diagnostic[]): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  const declare = (decl: Declaration) => {
    if (out.has(decl.name))
      diagnostics.push({ severity: 'fatal', pos: decl.pos, message: `Duplicate variable ${JSON.stringify(decl.name)}: it is declared more than once` });
    else out.set(decl.name, decl);
  };
  for (const block of root.blocks) {
    if (block.type === 'variables') {
      for (const attr of block.attributes) declare({ name: attr.name, pos: attr.pos, type: 'any', default: attr });
    }
    if (block.type !== 'variable' || block.labels[0] === undefined) continue;
    const type = block.attributes.find((a) => a.name === 'type')?.value;
    const defaultAttr = block.attributes.find((a) => a.name === 'default');
    declare({
      name: block.labels[0],
      pos: block.pos,
      type: typeof type === 'string' ? type.replace(/^\$\{(.*)\}$/s, '$1').trim() : 'any',
      ...(defaultAttr ? { default: defaultAttr } : {}),
    });
    for (const validation of block.blocks.filter((b) => b.type === 'validation')) {
      diagnostics.push({
        severity: 'warning',
        pos: validation.pos,
        message: `the validation rules of variable ${JSON.stringify(block.labels[0])} are not checked by caravan convert`,
      });
    }
  }
  return out;
}

/** As in Nomad: a -var value is a plain string for string, number and untyped variables, an HCL expression otherwise. */
async function cliValue(raw: string, decl: Declaration, parser: HclParser): Promise<HclValue> {
  if (decl.type === 'string' || decl.type === 'number' || decl.type === 'any' || decl.type === 'bool') return raw;
  let body: Record<string, unknown>;
  try {
    body = await parser.parseBody(`-var ${decl.name}`, `value = ${raw}\n`);
  } catch (error) {
    throw new EvaluationError(`${JSON.stringify(raw)} is not an HCL value of type ${decl.type}: ${(error as Error).message}`);
  }
  return evaluate(body['value'] as HclValue, { var: {}, local: {} }, parser.parseExpression);
}

function toType(value: HclValue, type: string): HclValue {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      break;
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (Number.isFinite(n)) return n;
      break;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      break;
    default:
      return value;
  }
  throw new EvaluationError(`${JSON.stringify(value)} is not a ${type}`);
}

/** Nomad evaluates locals in rounds: one that uses a local not known yet waits for the next round. */
async function localValues(root: Block, vars: Record<string, HclValue>, parser: HclParser, diagnostics: Diagnostic[]) {
  const local: Record<string, HclValue> = {};
  const failedLocals = new Set<string>();
  let pending: Attribute[] = [];
  for (const attr of root.blocks.filter((b) => b.type === 'locals').flatMap((b) => b.attributes)) {
    if (pending.some((p) => p.name === attr.name))
      diagnostics.push({ severity: 'fatal', pos: attr.pos, message: `Duplicate local ${JSON.stringify(attr.name)}: it is defined more than once` });
    else pending.push(attr);
  }
  const scope: Scope = { var: vars, local };
  while (pending.length > 0) {
    const waiting: { attr: Attribute; error: EvaluationError }[] = [];
    for (const attr of pending) {
      try {
        local[attr.name] = await evaluate(attr.value, scope, parser.parseExpression);
      } catch (error) {
        if (!(error instanceof EvaluationError)) throw error;
        waiting.push({ attr, error });
      }
    }
    // While a round evaluates something, the waiting ones may now succeed: retry them.
    if (waiting.length < pending.length) {
      pending = waiting.map((w) => w.attr);
      continue;
    }
    for (const { attr, error } of waiting) {
      const cycle = error.missingLocal !== undefined && waiting.some((w) => w.attr.name === error.missingLocal);
      failedLocals.add(attr.name);
      diagnostics.push({
        severity: 'omitted',
        pos: attr.pos,
        message: `local.${attr.name}: ${cycle ? `local.${attr.name} depends on itself through other locals` : error.message}`,
      });
    }
    pending = [];
  }
  return { local, failedLocals };
}
