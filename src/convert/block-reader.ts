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
  /** Spec path of each group and task → `group "web"`, `task "app"`: where a warning is, for readers without positions (the HTTP API). */
  readonly names: Map<string, string>;
}

export function newSpecContext(): SpecContext {
  return { diagnostics: [], positions: new Map(), reported: new Set(), names: new Map() };
}

/**
 * A field Caravan takes without putting it in the manifest. Nomad's own default (what its
 * server fills in, so `nomad job inspect` prints it) is left out without a word. Another value
 * is left out with a warning when `ignoredBecause` says why it does nothing on Kubernetes;
 * without it, the field is refused as before.
 */
export interface AcceptedField {
  /** Whether an attribute's value, or a block's contents as a plain value, is what Nomad fills in. */
  readonly isDefault: (value: HclValue) => boolean;
  readonly ignoredBecause?: string;
}

export type AcceptedFields = Readonly<Record<string, AcceptedField>>;

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
    if ((block.type === 'group' || block.type === 'task') && block.labels[0] !== undefined)
      ctx.names.set(path, `${block.type} ${JSON.stringify(block.labels[0])}`);
  }

  /** The groups and tasks this block is in, as a message prefix: `group "web" task "app": `. */
  get where(): string {
    const names = [...this.ctx.names].filter(([p]) => this.path === p || this.path.startsWith(`${p}.`)).sort(([a], [b]) => a.length - b.length);
    return names.length > 0 ? `${names.map(([, n]) => n).join(' ')}: ` : '';
  }

  /** Reports what is worth knowing about this block; the manifest is still complete. */
  warn(pos: Position, message: string): void {
    this.ctx.diagnostics.push({ severity: 'warning', pos, message: `${this.where}${message}` });
  }

  /** Reports a value left out because it does nothing on Kubernetes. */
  ignore(pos: Position, message: string): void {
    this.ctx.diagnostics.push({ severity: 'ignored', pos, message: `${this.where}${message}` });
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
    return this.#typed(name, key, 'a number', (v) =>
      typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined,
    );
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
      const items = (v as readonly HclValue[]).map((item) =>
        typeof item === 'string' ? item : typeof item === 'number' || typeof item === 'boolean' ? String(item) : undefined,
      );
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

  /**
   * Reports every attribute and block that was not read: an accepted field at Nomad's default
   * silently, one that does nothing on Kubernetes as a warning, anything else as left out, with
   * Caravan's reason where it has one.
   */
  finish(kind: string, reasons: Readonly<Record<string, string>>, accepted: AcceptedFields = {}): void {
    const unread = [
      ...this.block.attributes.map((a) => ({ what: a.name, name: a.name, pos: a.pos, value: a.value, shown: shownAttribute(a) })),
      ...this.block.blocks.map((b) => {
        const what = [b.type, ...b.labels.map((l) => JSON.stringify(l))].join(' ');
        return { what, name: b.type, pos: b.pos, value: blockToValue(b) as HclValue, shown: what };
      }),
    ];
    for (const { what, name, pos, value, shown } of unread) {
      if (this.#used.has(name)) continue;
      const rule = Object.hasOwn(accepted, name) ? accepted[name] : undefined;
      if (rule?.isDefault(value)) continue;
      if (rule?.ignoredBecause !== undefined) this.ignore(pos, `${shown} is ignored: ${rule.ignoredBecause}`);
      else this.omit(pos, unsupportedFieldMessage(what, reasons[name] ?? `it is not a field of a ${kind} block that Caravan knows`));
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

/** `name = value` for a message, or just the name when the value is too long to read there. */
function shownAttribute({ name, value }: Attribute): string {
  const text = JSON.stringify(value);
  return text.length <= 60 ? `${name} = ${text}` : name;
}

/** Drops undefined fields: optional spec fields are absent, not undefined (exactOptionalPropertyTypes, clean YAML). */
export function present<T extends object>(fields: { [K in keyof T]?: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

/** Lists are left out when empty, as Nomad's API treats an empty list like none. */
export function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
