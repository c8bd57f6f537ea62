import { EvaluationError } from './evaluation-error.ts';
import { callFunction } from './functions.ts';
import { isObject, type HclValue } from './job-tree.ts';

/** The part of hcl2json's expression syntax tree this evaluator reads. */
export interface AstNode {
  readonly type: string;
  readonly meta: {
    readonly value?: string;
    readonly type?: string;
    readonly name?: string;
    readonly traversal?: readonly { readonly type: string; readonly segment: string }[];
  };
  readonly children: readonly AstNode[];
}

/** What `var.*` and `local.*` refer to. Locals that could not be evaluated are listed so uses can say why. */
export interface Scope {
  readonly var: Readonly<Record<string, HclValue>>;
  readonly local: Readonly<Record<string, HclValue>>;
  readonly failedLocals?: ReadonlySet<string>;
}

export type ParseExpression = (source: string) => Promise<AstNode | null>;

/**
 * Evaluates a value as hcl2json gives it: literals as they are, expressions and templates as
 * strings of HCL source ("${var.image}", "cache-${local.name}"). References to anything but
 * var.* and local.* stay as written, as Nomad keeps them for runtime interpolation
 * (${NOMAD_PORT_db}, ${attr.kernel.name}, ${node.unique.name}). Throws EvaluationError.
 */
export async function evaluate(value: HclValue, scope: Scope, parse: ParseExpression): Promise<HclValue> {
  if (typeof value === 'string') return evaluateTemplate(value, scope, parse);
  if (Array.isArray(value)) {
    const out: HclValue[] = [];
    for (const item of value as readonly HclValue[]) out.push(await evaluate(item, scope, parse));
    return out;
  }
  if (isObject(value)) {
    const out: Record<string, HclValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = await evaluate(item, scope, parse);
    return out;
  }
  return value;
}

async function evaluateTemplate(text: string, scope: Scope, parse: ParseExpression): Promise<HclValue> {
  if (!text.includes('${') && !text.includes('%{')) return text;
  // A heredoc holds any text without re-escaping quotes or backslashes; it adds one final newline.
  let marker = 'EOT';
  while (text.split('\n').some((line) => line.trim() === marker)) marker += '_';
  const ast = await parse(`<<${marker}\n${text}\n${marker}\n`);
  if (!ast || ast.type !== 'template') throw new EvaluationError(`cannot read ${JSON.stringify(text)} as an HCL template`);
  const parts = withoutFinalNewline(ast.children);
  const only = parts[0];
  // "${expr}" alone keeps the expression's type (a number, a list), as in HCL.
  if (parts.length === 1 && only && only.type !== 'literalValue') return evaluateNode(only, scope, parse);
  let out = '';
  for (const part of parts)
    out += part.type === 'literalValue' ? unescapeTemplate(part.meta.value ?? '', false) : templateText(await evaluateNode(part, scope, parse), part);
  return out;
}

function withoutFinalNewline(parts: readonly AstNode[]): AstNode[] {
  const out = [...parts];
  const last = out.at(-1);
  if (last?.type === 'literalValue' && last.meta.value?.endsWith('\n')) {
    const value = last.meta.value.slice(0, -1);
    out.pop();
    if (value !== '') out.push({ ...last, meta: { ...last.meta, value } });
  }
  return out;
}

async function evaluateNode(node: AstNode, scope: Scope, parse: ParseExpression): Promise<HclValue> {
  const source = node.meta.value ?? node.type;
  switch (node.type) {
    case 'templateWrap':
      return evaluateNode(node.children[0]!, scope, parse);
    case 'template': {
      const quoted = source.startsWith('"');
      let out = '';
      for (const part of node.children)
        out += part.type === 'literalValue' ? unescapeTemplate(part.meta.value ?? '', quoted) : templateText(await evaluateNode(part, scope, parse), part);
      return out;
    }
    case 'literalValue':
      if (node.meta.type === 'number') return Number(node.meta.value);
      if (node.meta.type === 'bool') return node.meta.value === 'true';
      if (node.meta.value === 'null') return null;
      return node.meta.value ?? '';
    case 'scopeTraversal':
      return traverse(node, scope);
    case 'tuple': {
      const out: HclValue[] = [];
      for (const child of node.children) out.push(await evaluateNode(child, scope, parse));
      return out;
    }
    case 'function': {
      const args: HclValue[] = [];
      for (const child of node.children) args.push(await evaluateNode(child, scope, parse));
      return callFunction(node.meta.name ?? '', args);
    }
    default:
      throw new EvaluationError(
        `the expression ${JSON.stringify(source)} is not supported by caravan convert: write the value out, or use var.*, local.*, string templates and the functions listed in its help`,
      );
  }
}

function traverse(node: AstNode, scope: Scope): HclValue {
  const [root, first, ...rest] = node.meta.traversal ?? [];
  // Nomad's parser keeps references to unknown roots as the literal "${…}" for runtime interpolation.
  if (root?.segment !== 'var' && root?.segment !== 'local') return `\${${node.meta.value ?? ''}}`;
  const kind = root.segment === 'var' ? 'variable' : 'local value';
  const name = first?.type === 'nameTraversal' ? first.segment : undefined;
  const table = root.segment === 'var' ? scope.var : scope.local;
  if (name === undefined) throw new EvaluationError(`${node.meta.value}: name a ${kind}, as in ${root.segment}.name`);
  if (!Object.hasOwn(table, name)) {
    if (root.segment === 'local' && scope.failedLocals?.has(name))
      throw new EvaluationError(`local.${name} has no value: its expression could not be evaluated`);
    throw new EvaluationError(`there is no ${kind} named ${JSON.stringify(name)}`, root.segment === 'local' ? name : undefined);
  }
  let current: HclValue = table[name]!;
  for (const step of rest) {
    const key = step.type === 'indexTraversal' ? indexKey(step.segment) : step.segment;
    const next: HclValue | undefined =
      Array.isArray(current) && typeof key === 'number'
        ? (current as readonly HclValue[])[key]
        : isObject(current) && typeof key === 'string'
          ? current[key]
          : undefined;
    if (next === undefined) throw new EvaluationError(`${node.meta.value}: ${JSON.stringify(key)} does not exist`);
    current = next;
  }
  return current;
}

function indexKey(segment: string): string | number {
  if (/^\d+$/.test(segment)) return Number(segment);
  try {
    return JSON.parse(segment) as string;
  } catch {
    return segment;
  }
}

function templateText(value: HclValue, part: AstNode): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new EvaluationError(
    `${part.meta.value ?? part.type} is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : 'an object'}, which cannot be part of a string`,
  );
}

/**
 * The syntax tree keeps literal text as written: `$${` and `%%{` stand for `${` and `%{`, and in
 * quoted strings (not heredocs) backslash escapes still need reading.
 */
function unescapeTemplate(text: string, quoted: boolean): string {
  return text.replace(/\$\$\{|%%\{|\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (match, escaped: string | undefined) => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    if (!quoted || escaped === undefined) return match;
    if (escaped.startsWith('u') || escaped.startsWith('U')) return String.fromCodePoint(parseInt(escaped.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[escaped] ?? match;
  });
}
