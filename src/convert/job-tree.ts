import type { Position } from './diagnostics.ts';

/** A value as HCL (through hcl2json) or Nomad's API JSON writes it. */
export type HclValue = string | number | boolean | null | readonly HclValue[] | { readonly [key: string]: HclValue };

/** One `name = value` of a Nomad job, and where it was written. */
export interface Attribute {
  readonly name: string;
  readonly value: HclValue;
  readonly pos: Position;
}

/**
 * One block of a Nomad job (`group "cache" { … }`) with its contents in source order. Both input
 * formats become this tree, with Nomad's HCL names, so one mapping (to-spec.ts) serves both.
 */
export interface Block {
  readonly type: string;
  readonly labels: readonly string[];
  readonly pos: Position;
  readonly attributes: readonly Attribute[];
  readonly blocks: readonly Block[];
}

export function isObject(value: unknown): value is { readonly [key: string]: HclValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A block's contents as a plain value, the way Nomad's API carries free-form blocks (driver config): blocks become lists of objects. */
export function blockToValue(block: Block): { [key: string]: HclValue } {
  const out: { [key: string]: HclValue } = {};
  for (const attr of block.attributes) out[attr.name] = attr.value;
  for (const child of block.blocks) {
    let holder = out;
    let key = child.type;
    for (const label of child.labels) {
      const next = isObject(holder[key]) ? (holder[key] as { [key: string]: HclValue }) : {};
      holder[key] = next;
      holder = next;
      key = label;
    }
    const list = Array.isArray(holder[key]) ? (holder[key] as HclValue[]) : [];
    holder[key] = [...list, blockToValue(child)];
  }
  return out;
}
