/** Parameter definitions: the immutable, shared part of a data model. */
import type { ValueConstraints } from './value-types.js';

export interface ParameterDefinition extends ValueConstraints {
  /** Full path, e.g. "Device.ManagementServer.URL". */
  name: string;
  writable: boolean;
  /** Initial value on a new or factory-reset device. */
  default: string;
  /** Always in every Inform's ParameterList (forcedInform in the BBF model). */
  forcedInform?: boolean;
  /** Notification that is always active and cannot be changed (forcedEnabled in the BBF model). */
  activeNotify?: 'normal' | 'forceEnabled' | 'forceDefaultEnabled' | 'canDeny';
  /** Reads return an empty string (passwords). */
  hidden?: boolean;
  /** Value comes from the device on each read rather than from the store. */
  live?: boolean;
}

export class Schema {
  readonly parameters: ReadonlyMap<string, ParameterDefinition>;
  /** Every object path ("Device.", "Device.DeviceInfo.", ...), in definition order. */
  readonly objects: readonly string[];
  readonly forcedInform: readonly string[];

  constructor(definitions: readonly ParameterDefinition[]) {
    const parameters = new Map<string, ParameterDefinition>();
    const objects = new Set<string>();
    for (const d of definitions) {
      if (parameters.has(d.name)) throw new Error(`parameter ${d.name} defined twice`);
      parameters.set(d.name, d);
      const parts = d.name.split('.');
      for (let i = 1; i < parts.length; i++) objects.add(parts.slice(0, i).join('.') + '.');
    }
    this.parameters = parameters;
    this.objects = [...objects];
    this.forcedInform = definitions.filter((d) => d.forcedInform).map((d) => d.name);
  }

  isObject(path: string): boolean {
    return this.objects.includes(path);
  }
}
