/**
 * CF's `label_selector` grammar (CC's MetadataHelpers and LabelSelectorRequirementValidator):
 * requirements separated by commas outside parentheses, all of which must hold. Parsing returns
 * CC's 400 messages (without the attribute prefix, as CC adds none), or requirements to match.
 */
export type LabelOperator = 'in' | 'notin' | 'equal' | 'not_equal' | 'exists' | 'not_exists';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export type LabelSelectorParse =
  | { readonly ok: true; readonly requirements: readonly LabelRequirement[] }
  | { readonly ok: false; readonly errors: readonly string[] };

const requirementSplitter = /(?:\(.*?\)|[^,])+/g;
const keyCharacters = String.raw`[\w\-._/]+`;
const patterns: readonly { readonly pattern: RegExp; readonly operator: LabelOperator }[] = [
  { pattern: /^(?<key>.*?) in \((?<values>.*)\)$/s, operator: 'in' },
  { pattern: /^(?<key>.*?) notin \((?<values>.*)\)$/s, operator: 'notin' },
  { pattern: new RegExp(`^(?<key>${keyCharacters})(==?)(?<values>.*)$`, 's'), operator: 'equal' },
  { pattern: new RegExp(`^(?<key>${keyCharacters})(!=)(?<values>.*)$`, 's'), operator: 'not_equal' },
  { pattern: new RegExp(`^(?<key>${keyCharacters})(?<values>)$`, 's'), operator: 'exists' },
  { pattern: new RegExp(`^!(?<key>${keyCharacters})(?<values>)$`, 's'), operator: 'not_exists' },
];

export const maxRequirements = 50;
const invalidCharacter = /[^\w\-.]/;
const alphanumericStartEnd = /^(?=[a-zA-Z\d]).*[a-zA-Z\d]$/s;
const dnsLabel = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])';
const domain = new RegExp(`^(?:${dnsLabel}\\.)*${dnsLabel}$`, 'i');

/** CC's MetadataValidatorHelper#key_error, or undefined for a valid key. */
export function labelKeyError(key: string): string | undefined {
  if (key.trim() === '') return 'key cannot be empty string';
  if (key.split('/').length > 2) return "key has more than one '/'";
  const [prefix, name = ''] = key.includes('/') ? key.split('/') : [undefined, key];
  if (prefix !== undefined && !domain.test(prefix)) return `prefix '${prefix}' must be in valid dns format`;
  if (prefix !== undefined && prefix.length > 253) return `prefix '${prefix.slice(0, 8)}...' is greater than 253 characters`;
  if (prefix !== undefined && prefix.toLowerCase() === 'cloudfoundry.org') return "prefix 'cloudfoundry.org' is reserved";
  if (name.trim() === '') return 'key cannot be empty string';
  return nameOrValueError(name);
}

/** CC's MetadataValidatorHelper#value_error (an empty value is valid). */
export function labelValueError(value: string): string | undefined {
  return value === '' ? undefined : nameOrValueError(value);
}

function nameOrValueError(text: string): string | undefined {
  if (invalidCharacter.test(text)) return `'${text}' contains invalid characters`;
  if (!alphanumericStartEnd.test(text)) return `'${text}' starts or ends with invalid characters`;
  if (text.length > 63) return `'${text.slice(0, 8)}...' is greater than 63 characters`;
  return undefined;
}

function parseRequirement(text: string): LabelRequirement | undefined {
  for (const { pattern, operator } of patterns) {
    const m = pattern.exec(text);
    if (m?.groups)
      return { key: m.groups['key'] ?? '', operator, values: operator === 'exists' || operator === 'not_exists' ? [] : (m.groups['values'] ?? '').split(',') };
  }
  return undefined;
}

export function parseLabelSelector(selector: string): LabelSelectorParse {
  const pieces = selector.match(requirementSplitter) ?? [];
  if (pieces.length === 0) return { ok: false, errors: ['Missing label_selector value'] };
  if (pieces.length > maxRequirements) return { ok: false, errors: [`Too many label_selector requirements (maximum is ${maxRequirements})`] };
  const errors: string[] = [];
  const requirements: LabelRequirement[] = [];
  for (const piece of pieces) {
    const requirement = parseRequirement(piece);
    if (!requirement) {
      errors.push('Invalid label_selector value');
      continue;
    }
    const error = labelKeyError(requirement.key) ?? requirement.values.map(labelValueError).find((e) => e !== undefined);
    if (error) errors.push(error);
    else requirements.push(requirement);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, requirements };
}

/** Whether an object's labels satisfy one requirement (`key=` matches nothing, `key!=` excludes nothing). */
export function satisfies(labels: Readonly<Record<string, string>>, r: LabelRequirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'in':
    case 'equal':
      return has && value !== '' && r.values.includes(value!);
    case 'notin':
    case 'not_equal':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case 'not_exists':
      return !has;
  }
}

export const matchesLabels = (labels: Readonly<Record<string, string>>, requirements: readonly LabelRequirement[]) =>
  requirements.every((r) => satisfies(labels, r));
