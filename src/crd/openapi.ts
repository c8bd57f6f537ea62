/**
 * A small builder for the structural OpenAPI v3 schemas of CustomResourceDefinitions: every node
 * typed and described, so `kubectl explain` documents each field.
 */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  readonly fieldPath?: string;
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  default?: unknown;
  enum?: readonly string[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

type Extra = Omit<Schema, 'type' | 'description'>;

export const string = (description: string, extra: Extra = {}): Schema => ({ type: 'string', description, maxLength: 1024, ...extra });
export const integer = (description: string, extra: Extra = {}): Schema => ({ type: 'integer', description, ...extra });
export const boolean = (description: string, extra: Extra = {}): Schema => ({ type: 'boolean', description, ...extra });
export const array = (items: Schema, description: string, extra: Extra = {}): Schema => ({ type: 'array', description, items, maxItems: 64, ...extra });
export const stringMap = (description: string, extra: Extra = {}): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string', maxLength: 4096 },
  maxProperties: 256,
  ...extra,
});
export const object = (properties: Record<string, Schema>, description: string, extra: Extra = {}): Schema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});
/**
 * Accepted by the schema only so that a CEL rule on the parent can refuse it by name. CEL only
 * sees typed fields, so it keeps its JSON shape; its contents are left unchecked.
 */
export function refused(shape: 'object' | 'array' | 'string' | 'boolean', description: string): Schema {
  switch (shape) {
    case 'object':
      return { type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true };
    case 'array':
      return { type: 'array', description, items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    case 'string':
      return { type: 'string', description };
    case 'boolean':
      return { type: 'boolean', description };
  }
}
