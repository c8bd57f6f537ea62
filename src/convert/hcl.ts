import type { Diagnostic } from './diagnostics.ts';
import type { AstNode } from './expressions.ts';
import { outlineHcl, type OutlineBlock } from './hcl-outline.ts';
import { isObject, type Attribute, type Block, type HclValue } from './job-tree.ts';

/** What conversion needs from HCL's own parser (hcl2json, Go's HCL compiled to wasm). */
export interface HclParser {
  /** The file as hcl2json's JSON; throws with HCL's positioned message on a syntax error. */
  parseBody(filename: string, source: string): Promise<Record<string, unknown>>;
  /** The syntax tree of one expression or template. */
  parseExpression(source: string): Promise<AstNode | null>;
}

/** Loaded on first use: importing hcl2json instantiates its wasm, which other commands need not pay for. */
export async function loadHclParser(): Promise<HclParser> {
  const hcl2json = await import('@cdktn/hcl2json');
  return {
    parseBody: (filename, source) => hcl2json.parse(filename, source),
    parseExpression: (source) => hcl2json.getExpressionAst('expression', source),
  };
}

export type ParsedHcl = { readonly ok: true; readonly root: Block } | { readonly ok: false; readonly diagnostics: Diagnostic[] };

/** The file as a tree of blocks in source order, with hcl2json's values and the outline's positions. */
export async function parseHcl(parser: HclParser, filename: string, source: string): Promise<ParsedHcl> {
  let json: Record<string, unknown>;
  try {
    json = await parser.parseBody(filename, source);
  } catch (error) {
    return { ok: false, diagnostics: syntaxErrors(filename, (error as Error).message) };
  }
  const outline = outlineHcl(source);
  return { ok: true, root: mergeBody(outline, json) };
}

/** hcl2json reports `parse config: [file:3,13-4,1: Summary; Detail file:5,1-2: …]`; one diagnostic each. */
export function syntaxErrors(filename: string, message: string): Diagnostic[] {
  const body = message.replace(/^parse config: \[/, '').replace(/\]$/, '');
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = new RegExp(`(?:^| )${escaped}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?: `, 'g');
  const starts = [...body.matchAll(at)];
  if (starts.length === 0) return [{ severity: 'fatal', message: body }];
  return starts.map((m, i) => ({
    severity: 'fatal' as const,
    pos: { line: Number(m[1]), column: Number(m[2]) },
    message: body.slice(m.index + m[0].length, starts[i + 1]?.index ?? body.length).trim(),
  }));
}

function mergeBody(outline: OutlineBlock, json: Record<string, unknown>): Block {
  const attributes: Attribute[] = outline.attributes
    .filter((a) => Object.hasOwn(json, a.name))
    .map((a) => ({ name: a.name, value: json[a.name] as HclValue, pos: a.pos }));
  const seen = new Map<string, number>();
  const blocks: Block[] = [];
  for (const child of outline.blocks) {
    const key = JSON.stringify([child.type, ...child.labels]);
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    const body = blockBody(json[child.type], child.labels, index);
    if (body) blocks.push(mergeBody(child, body));
  }
  // Anything the outline missed is kept (at the block's position) rather than silently lost.
  const covered = new Set([...outline.attributes.map((a) => a.name), ...outline.blocks.map((b) => b.type)]);
  for (const [name, value] of Object.entries(json)) {
    if (!covered.has(name)) attributes.push({ name, value: value as HclValue, pos: outline.pos });
  }
  return { type: outline.type, labels: outline.labels, pos: outline.pos, attributes, blocks };
}

/** hcl2json nests a block under its type, then each label, then a list of bodies in source order. */
function blockBody(node: unknown, labels: readonly string[], index: number): Record<string, unknown> | undefined {
  let current = node;
  for (const label of labels) current = isObject(current) ? current[label] : undefined;
  const body = Array.isArray(current) ? (current as unknown[])[index] : undefined;
  return isObject(body) ? body : undefined;
}
