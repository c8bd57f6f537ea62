import { parseDuration } from '../model/duration.ts';
import { unsupportedFieldMessage } from '../model/unsupported-fields.ts';
import type { Diagnostic, Position } from './diagnostics.ts';
import { blockToValue, isObject, type Attribute, type Block, type HclValue } from './job-tree.ts';

/** What every part of the mapping shares: findings, and where each spec field came from. */
export interface SpecContext {
  readonly diagnostics: Diagnostic[];
  /** Spec path → position, so validation errors (which know only spec paths) can point into the file. */
  readonly positions: Map<string, Position>;
  /** Spec paths conversion already reported; validation's repeats of them are dropped. */
  readonly reported: Set<string>;
}

export function newSpecContext(): SpecContext {
  return { diagnostics: [], positions: new Map(), reported: new Set() };
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Reads one block's fields with the types the spec wants, recording each field's position. What
 * is read is marked; `finish` reports everything left unread, so nothing is dropped silently.
 */
export class BlockReader {
  readonly block: Block;
  readonly path: string;
  readonly ctx: SpecContext;
  readonly #used = new Set<string>();

  constructor(block: Block, path: string, ctx: SpecContext) {
    this.block = block;
    this.path = path;
    this.ctx = ctx;
    ctx.positions.set(path, block.pos);
  }

  /** Reports a problem with part of this block, which the manifest leaves out. */
  omit(pos: Position, message: string, specPath?: string): void {
    this.ctx.diagnostics.push({ severity: 'omitted', pos, message });
    if (specPath) this.ctx.reported.add(specPath);
  }

  attribute(name: string, key = camel(name)): Attribute | undefined {
    this.#used.add(name);
    const attr = this.block.attributes.find((a) => a.name === name);
    if (!attr || attr.value === null) return undefined;
    this.ctx.positions.set(`${this.path}.${key}`, attr.pos);
    return attr;
  }

  string(name: string, key?: string): string | undefined {
    return this.#typed(name, key, 'a string', (v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined));
  }

  /** HCL converts numeric strings (e.g. from an untyped -var) to numbers where a number is wanted. */
  number(name: string, key?: string): number | undefined {
    return this.#typed(name, key, 'a number', (v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined));
  }

  bool(name: string, key?: string): boolean | undefined {
    return this.#typed(name, key, 'true or false', (v) => (typeof v === 'boolean' ? v : v === 'true' || v === 'false' ? v === 'true' : undefined));
  }

  /** A Go duration string ("30s", "1h30m"), kept as written. */
  duration(name: string, key?: string): string | undefined {
    return this.#typed(name, key, 'a duration like "10s" or "5m"', (v) => (typeof v === 'string' && parseDuration(v) !== undefined ? v : undefined));
  }

  oneOf<T extends string>(name: string, values: readonly T[], key?: string): T | undefined {
    return this.#typed(name, key, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v) => (values.includes(v as T) ? (v as T) : undefined));
  }

  strings(name: string, key?: string): string[] | undefined {
    return this.#typed(name, key, 'a list of strings', (v) => {
      if (!Array.isArray(v)) return undefined;
      const items = (v as readonly HclValue[]).map((item) => (typeof item === 'string' ? item : typeof item === 'number' || typeof item === 'boolean' ? String(item) : undefined));
      return items.every((item) => item !== undefined) ? (items as string[]) : undefined;
    });
  }

  /** `env`, `meta`: Nomad accepts both `env { K = "v" }` and `env = { K = "v" }`; values become strings. */
  stringMap(name: string, key = camel(name)): Record<string, string> | undefined {
    const fromBlocks = this.blocks(name).map((b) => blockToValue(b));
    const attr = this.attribute(name, key);
    const sources = [...fromBlocks, ...(attr ? [attr.value] : [])];
    if (sources.length === 0) return undefined;
    const out: Record<string, string> = {};
    for (const source of sources) {
      if (!isObject(source)) {
        this.omit(attr?.pos ?? this.block.pos, `${name} is left out: expected a map of strings`, `${this.path}.${key}`);
        return undefined;
      }
      for (const [k, v] of Object.entries(source)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
        else this.omit(attr?.pos ?? this.block.pos, `${name}.${k} is left out: expected a string, got ${JSON.stringify(v)}`);
      }
    }
    if (fromBlocks.length > 0) this.ctx.positions.set(`${this.path}.${key}`, this.block.blocks.find((b) => b.type === name)!.pos);
    return out;
  }

  blocks(type: string): Block[] {
    this.#used.add(type);
    return this.block.blocks.filter((b) => b.type === type);
  }

  /** A block Nomad allows once; later ones are reported. */
  singleBlock(type: string): Block | undefined {
    const [first, ...extra] = this.blocks(type);
    for (const b of extra) this.omit(b.pos, `this ${type} block is left out: only one is allowed here`);
    return first;
  }

  /** Reports every attribute and block that was not read, with Caravan's reason where it has one. */
  finish(kind: string, reasons: Readonly<Record<string, string>>): void {
    const unread = [...this.block.attributes.map((a) => ({ what: a.name, name: a.name, pos: a.pos })), ...this.block.blocks.map((b) => ({ what: [b.type, ...b.labels.map((l) => JSON.stringify(l))].join(' '), name: b.type, pos: b.pos }))];
    for (const { what, name, pos } of unread) {
      if (this.#used.has(name)) continue;
      this.omit(pos, unsupportedFieldMessage(what, reasons[name] ?? `it is not a field of a ${kind} block that Caravan knows`));
    }
  }

  #typed<T>(name: string, key: string | undefined, expected: string, convert: (v: HclValue) => T | undefined): T | undefined {
    const specKey = key ?? camel(name);
    const attr = this.attribute(name, specKey);
    if (!attr) return undefined;
    const value = convert(attr.value);
    if (value === undefined) this.omit(attr.pos, `${name} is left out: expected ${expected}, got ${JSON.stringify(attr.value)}`, `${this.path}.${specKey}`);
    return value;
  }
}

/** Drops undefined fields: optional spec fields are absent, not undefined (exactOptionalPropertyTypes, clean YAML). */
export function present<T extends object>(fields: { [K in keyof T]?: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

/** Lists are left out when empty, as Nomad's API treats an empty list like none. */
export function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
