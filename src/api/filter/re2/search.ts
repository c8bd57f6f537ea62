import { isAsciiWord } from './code-point-sets.ts';
import type { Program } from './program.ts';
import type { Re2Assertion } from './syntax.ts';

/**
 * Whether the program matches anywhere in input (Go's regexp.MatchString: unanchored). The NFA
 * is simulated as a set of states, one step per character, so the time is linear in the input
 * whatever the pattern: RE2's guarantee, and why a user's `matches` cannot stall the server the
 * way a backtracking JavaScript RegExp could on `(a+)+$`.
 */
export function searchProgram(program: Program, input: string): boolean {
  const text = Array.from(input, (c) => c.codePointAt(0)!);
  const { instructions, start } = program;
  const seen = new Int32Array(instructions.length).fill(-1);
  const stack: number[] = [];
  let current: number[] = [];
  let generation = 0;

  const holds = (at: Re2Assertion, pos: number) => {
    const before = pos > 0 ? text[pos - 1]! : -1;
    const after = pos < text.length ? text[pos]! : -1;
    switch (at) {
      case 'beginText':
        return pos === 0;
      case 'endText':
        return pos === text.length;
      case 'beginLine':
        return pos === 0 || before === 10;
      case 'endLine':
        return pos === text.length || after === 10;
      case 'wordBoundary':
        return isAsciiWord(before) !== isAsciiWord(after);
      case 'notWordBoundary':
        return isAsciiWord(before) === isAsciiWord(after);
    }
  };

  // Follows splits and assertions from pc at pos; collects the char states. True on reaching match.
  const add = (into: number[], pc: number, pos: number): boolean => {
    stack.push(pc);
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (seen[at] === generation) continue;
      seen[at] = generation;
      const instruction = instructions[at]!;
      switch (instruction.op) {
        case 'match':
          stack.length = 0;
          return true;
        case 'char':
          into.push(at);
          break;
        case 'split':
          stack.push(instruction.alternative, instruction.next);
          break;
        case 'assert':
          if (holds(instruction.at, pos)) stack.push(instruction.next);
          break;
      }
    }
    return false;
  };

  if (add(current, start, 0)) return true;
  for (let pos = 0; pos < text.length; pos++) {
    generation++;
    const next: number[] = [];
    const cp = text[pos]!;
    for (const pc of current) {
      const instruction = instructions[pc] as { readonly test: (cp: number) => boolean; readonly next: number };
      if (instruction.test(cp) && add(next, instruction.next, pos + 1)) return true;
    }
    if (add(next, start, pos + 1)) return true;
    current = next;
  }
  return false;
}
