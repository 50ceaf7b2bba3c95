/** Short forms for the built-in definitions: a read-only parameter (its default from its type) and a writable one. */
import type { ParameterDefinition } from '../datamodel/schema.js';

const TYPE_DEFAULTS: Partial<Record<ParameterDefinition['type'], string>> = {
  int: '-1',
  unsignedInt: '0',
  boolean: 'false',
  dateTime: '0001-01-01T00:00:00Z',
};

export function readOnly(name: string, type: ParameterDefinition['type'], extra: Partial<ParameterDefinition> = {}): ParameterDefinition {
  return { name, type, writable: false, default: TYPE_DEFAULTS[type] ?? '', ...extra };
}

export function readWrite(name: string, type: ParameterDefinition['type'], def: string, extra: Partial<ParameterDefinition> = {}): ParameterDefinition {
  return { name, type, writable: true, default: def, ...extra };
}
