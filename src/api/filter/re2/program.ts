import type { CodePointTest } from './code-point-sets.ts';
import { Re2SyntaxError } from './syntax-error.ts';
import type { Re2Assertion, Re2Node } from './syntax.ts';

/**
 * A Thompson NFA for an RE2 tree. Repeats are unrolled (x{2,4} is xx(x(x)?)?), which is why
 * the program has a size limit: Go refuses huge unrollings with "expression too large" too.
 */
export type Instruction =
  | { readonly op: 'char'; readonly test: CodePointTest; readonly next: number }
  | { readonly op: 'split'; next: number; readonly alternative: number }
  | { readonly op: 'assert'; readonly at: Re2Assertion; readonly next: number }
  | { readonly op: 'match' };

export interface Program {
  readonly instructions: readonly Instruction[];
  readonly start: number;
}

// Each instruction is visited at most once per input character; this bounds the per-character
// work of a filter to something a server can afford for every object in a list.
const MAX_INSTRUCTIONS = 20_000;

export function compileProgram(root: Re2Node, pattern: string): Program {
  const instructions: Instruction[] = [{ op: 'match' }];
  const emit = (instruction: Instruction) => {
    if (instructions.length >= MAX_INSTRUCTIONS) throw new Re2SyntaxError('expression too large', pattern);
    instructions.push(instruction);
    return instructions.length - 1;
  };

  // Compiles node so that it continues at `next`; returns its entry point.
  const compile = (node: Re2Node, next: number): number => {
    switch (node.op) {
      case 'empty':
        return next;
      case 'char':
        return emit({ op: 'char', test: node.test, next });
      case 'assert':
        return emit({ op: 'assert', at: node.at, next });
      case 'concat':
        return node.items.reduceRight((continuation, item) => compile(item, continuation), next);
      case 'alternate': {
        const entries = node.items.map((item) => compile(item, next));
        return entries.reduceRight((rest, entry) => emit({ op: 'split', next: entry, alternative: rest }));
      }
      case 'repeat':
        return compileRepeat(node.item, node.min, node.max, next);
    }
  };

  const compileRepeat = (item: Re2Node, min: number, max: number | undefined, next: number): number => {
    let continuation = next;
    if (max === undefined) {
      const loop = emit({ op: 'split', next: -1, alternative: next });
      (instructions[loop] as { next: number }).next = compile(item, loop);
      continuation = loop;
    } else {
      for (let k = min; k < max; k++) continuation = emit({ op: 'split', next: compile(item, continuation), alternative: next });
    }
    for (let k = 0; k < min; k++) continuation = compile(item, continuation);
    return continuation;
  };

  return { instructions, start: compile(root, 0) };
}
