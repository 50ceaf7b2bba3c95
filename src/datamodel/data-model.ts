/**
 * One device's data model: values, attributes and change detection over a shared Schema.
 * Values live in a store unless the parameter is live (read from the device each time).
 * Every ACS-facing error is a CwmpFault with the code TR-069 prescribes.
 */
import { CwmpFault, parameterFault, type ParameterFault } from '../cwmp/faults.js';
import type { ParameterAttribute, ParameterInfo, ParameterValue, ParameterValueInput, SetParameterAttributesEntry } from '../cwmp/messages.js';
import { checkValue } from './value-types.js';
import type { ParameterDefinition, Schema } from './schema.js';

export interface StoredModel {
  values: Record<string, string>;
  /** Notification attribute per parameter, where it differs from 0. */
  notification: Record<string, number>;
  accessList: Record<string, string[]>;
}

export interface ModelStore {
  load(): StoredModel | undefined;
  save(model: StoredModel): void;
}

/** Live values: the device answers reads of these parameters. */
export type LiveValues = Record<string, () => string>;

export type ChangeOrigin = 'acs' | 'device';
export type ChangeListener = (names: string[], origin: ChangeOrigin) => void;

export class DataModel {
  private model: StoredModel;
  private readonly listeners: ChangeListener[] = [];

  constructor(
    readonly schema: Schema,
    private readonly store: ModelStore,
    private readonly live: LiveValues = {},
    /** Values the device starts with (identity, versions), over the schema's defaults. */
    private readonly initialValues: Record<string, string> = {},
  ) {
    this.model = store.load() ?? this.freshModel();
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** The value as the device holds it (no hiding of passwords). */
  read(name: string): string {
    const def = this.definition(name);
    const getter = this.live[name];
    if (def.live && getter) return getter();
    return this.model.values[name] ?? def.default;
  }

  /** Writes values from the device side (not the ACS): notification applies. */
  writeFromDevice(values: Record<string, string>): void {
    const changed: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      this.definition(name);
      if (this.model.values[name] !== value) {
        this.model.values[name] = value;
        changed.push(name);
      }
    }
    if (changed.length > 0) {
      this.store.save(this.model);
      this.emit(changed, 'device');
    }
  }

  /** Sets values from configuration: stored, but not a change anyone is notified of. */
  provision(values: Record<string, string>): void {
    for (const [name, value] of Object.entries(values)) {
      this.definition(name);
      this.model.values[name] = value;
    }
    this.store.save(this.model);
  }

  /** Back to the factory state: defaults and initial values, no attributes. */
  factoryReset(): void {
    this.model = this.freshModel();
    this.store.save(this.model);
  }

  getParameterValues(names: readonly string[]): ParameterValue[] {
    const out: ParameterValue[] = [];
    for (const name of names) {
      for (const def of this.resolve(name)) out.push(this.wireValue(def));
    }
    return out;
  }

  /** The value list for an Inform: forced parameters plus the given ones, each once. */
  informParameters(extra: readonly string[]): ParameterValue[] {
    const names = [...new Set([...this.schema.forcedInform, ...extra])];
    return names.filter((n) => this.schema.parameters.has(n)).map((n) => this.wireValue(this.definition(n)));
  }

  /**
   * Applies a SetParameterValues atomically: every entry is checked first, and on any fault
   * nothing changes (fault 9003 with one SetParameterValuesFault per bad entry).
   */
  setParameterValues(list: readonly ParameterValueInput[], parameterKeyName: string, parameterKey: string): void {
    const faults: ParameterFault[] = [];
    const accepted = new Map<string, string>();
    const seen = new Set<string>();
    for (const entry of list) {
      if (seen.has(entry.name)) {
        faults.push(parameterFault(entry.name, 9003, 'parameter appears more than once'));
        continue;
      }
      seen.add(entry.name);
      const def = this.schema.parameters.get(entry.name);
      if (!def) {
        faults.push(parameterFault(entry.name, 9005, this.schema.isObject(entry.name) ? 'an object, not a parameter' : undefined));
        continue;
      }
      if (!def.writable) {
        faults.push(parameterFault(entry.name, 9008));
        continue;
      }
      const check = checkValue(entry.value, def, entry.type);
      if (!check.ok) {
        faults.push(parameterFault(entry.name, check.faultCode, check.reason));
        continue;
      }
      accepted.set(entry.name, check.value);
    }
    if (faults.length > 0) throw new CwmpFault(9003, undefined, faults);
    const changed: string[] = [];
    for (const [name, value] of accepted) {
      if ((this.model.values[name] ?? this.definition(name).default) !== value) changed.push(name);
      this.model.values[name] = value;
    }
    this.model.values[parameterKeyName] = parameterKey;
    this.store.save(this.model);
    if (changed.length > 0) this.emit(changed, 'acs');
  }

  getParameterNames(path: string, nextLevel: boolean): ParameterInfo[] {
    if (path === '') path = this.schema.objects[0] ?? '';
    const def = this.schema.parameters.get(path);
    if (def) {
      if (nextLevel) throw new CwmpFault(9003, 'NextLevel true on a parameter');
      return [{ name: path, writable: def.writable }];
    }
    if (!path.endsWith('.') || !this.schema.isObject(path)) throw new CwmpFault(9005, path);
    const out: ParameterInfo[] = [];
    const depth = path.split('.').length;
    // Objects are read-only here (no multi-instance objects in this schema yet).
    for (const obj of this.schema.objects) {
      if (!obj.startsWith(path)) continue;
      const objDepth = obj.split('.').length;
      if (obj === path ? !nextLevel : nextLevel ? objDepth === depth + 1 : true) out.push({ name: obj, writable: false });
    }
    for (const p of this.schema.parameters.values()) {
      if (!p.name.startsWith(path)) continue;
      if (nextLevel && p.name.split('.').length !== depth) continue;
      out.push({ name: p.name, writable: p.writable });
    }
    return out;
  }

  getParameterAttributes(names: readonly string[]): ParameterAttribute[] {
    const out: ParameterAttribute[] = [];
    for (const name of names) {
      for (const def of this.resolve(name)) {
        out.push({ name: def.name, notification: this.notificationOf(def), accessList: this.model.accessList[def.name] ?? [] });
      }
    }
    return out;
  }

  /** Applies SetParameterAttributes atomically; 9009 where a notification cannot be changed. */
  setParameterAttributes(list: readonly SetParameterAttributesEntry[]): void {
    const plan: { def: ParameterDefinition; entry: SetParameterAttributesEntry }[] = [];
    for (const entry of list) {
      for (const def of this.resolve(entry.name)) {
        if (entry.notificationChange && (def.activeNotify === 'forceEnabled' || (def.activeNotify === 'canDeny' && entry.notification === 2))) {
          // Partial paths skip the parameters whose notification is fixed; a full name faults.
          if (entry.name === def.name) throw new CwmpFault(9009, def.name);
          continue;
        }
        if (entry.accessListChange && entry.accessList.some((a) => a !== 'Subscriber')) throw new CwmpFault(9003, 'AccessList may only hold "Subscriber"');
        plan.push({ def, entry });
      }
    }
    for (const { def, entry } of plan) {
      if (entry.notificationChange) {
        if (entry.notification === 0) delete this.model.notification[def.name];
        else this.model.notification[def.name] = entry.notification;
      }
      if (entry.accessListChange) {
        if (entry.accessList.length === 0) delete this.model.accessList[def.name];
        else this.model.accessList[def.name] = [...entry.accessList];
      }
    }
    this.store.save(this.model);
  }

  notificationOf(def: ParameterDefinition): number {
    if (def.activeNotify === 'forceEnabled') return 2;
    const set = this.model.notification[def.name];
    if (set !== undefined) return set;
    return def.activeNotify === 'forceDefaultEnabled' ? 2 : 0;
  }

  /** The parameters a full or partial path names; 9005 when it names none. */
  private resolve(name: string): ParameterDefinition[] {
    if (name === '') return [...this.schema.parameters.values()];
    const def = this.schema.parameters.get(name);
    if (def) return [def];
    if (name.endsWith('.') && this.schema.isObject(name)) {
      return [...this.schema.parameters.values()].filter((p) => p.name.startsWith(name));
    }
    throw new CwmpFault(9005, name);
  }

  private definition(name: string): ParameterDefinition {
    const def = this.schema.parameters.get(name);
    if (!def) throw new CwmpFault(9005, name);
    return def;
  }

  private wireValue(def: ParameterDefinition): ParameterValue {
    return { name: def.name, value: def.hidden ? '' : this.read(def.name), type: def.type };
  }

  private emit(names: string[], origin: ChangeOrigin): void {
    for (const l of this.listeners) l(names, origin);
  }

  private freshModel(): StoredModel {
    return { values: { ...this.initialValues }, notification: {}, accessList: {} };
  }
}
