import type { Diagnostic } from './diagnostics.ts';
import { evaluate, type ParseExpression, type Scope } from './expressions.ts';
import type { Attribute, Block } from './job-tree.ts';

/**
 * The job with every `var.*`, `local.*` and supported function evaluated. An attribute whose
 * expression cannot be evaluated is left out and reported where it was written.
 */
export async function resolveReferences(block: Block, scope: Scope, parse: ParseExpression, diagnostics: Diagnostic[]): Promise<Block> {
  // A dynamic block's content refers to its iterator, which only Nomad's expansion defines;
  // to-spec refuses the block, so it is left as written.
  if (block.type === 'dynamic') return block;
  const attributes: Attribute[] = [];
  for (const attr of block.attributes) {
    try {
      attributes.push({ ...attr, value: await evaluate(attr.value, scope, parse) });
    } catch (error) {
      diagnostics.push({ severity: 'omitted', pos: attr.pos, message: `${block.type}.${attr.name} is left out: ${(error as Error).message}` });
    }
  }
  const blocks: Block[] = [];
  for (const child of block.blocks) blocks.push(await resolveReferences(child, scope, parse, diagnostics));
  return { ...block, attributes, blocks };
}
