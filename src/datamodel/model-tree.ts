/**
 * Reading one device's tree: which instances exist, what a concrete path's definition and value
 * are, and walking objects and parameters below a path. Functions over the model's core (its
 * schema, stored values and providers), so that the operations (data-model.ts) and the path
 * forms (model-paths.ts) share one state without exposing it: nothing here changes a value.
 */
import { CwmpFault } from '../cwmp/faults.js';
import type { ParameterValue } from '../cwmp/messages.js';
import type { StoredModel } from '../storage/model-store.js';
import type { Provider } from './provider.js';
import type { ProviderRouting } from './provider-routing.js';
import { toSchemaPath, type ObjectShape, type ParameterDefinition, type Schema } from './schema.js';

/** What a device's model is made of: the shared schema, its own stored part, its providers. */
export interface ModelCore {
  readonly schema: Schema;
  /** Replaced whole by a factory reset or an undo. */
  stored: StoredModel;
  readonly routing: ProviderRouting;
  /** Values over the schema's defaults (identity, a profile), read through, never copied. */
  readonly initialValues: Record<string, string>;
}

/** A concrete parameter: its path on the wire and its definition. */
export interface Resolved {
  path: string;
  def: ParameterDefinition;
}

/**
 * The first answer (not undefined) of the providers for a schema path, asked in order: the
 * one naming the longest enclosing object first.
 */
export function firstAnswer<T>(c: ModelCore, schemaPath: string, ask: (p: Provider) => T | undefined): T | undefined {
  const slots = c.routing.slotsFor(schemaPath);
  const providers = c.routing.providers;
  for (let k = 0; k < slots.length; k++) {
    const answer = ask(providers[slots[k]!]!);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

/** A provider's value of a parameter (firstAnswer without a closure: every read comes here). */
export function providerValue(c: ModelCore, schemaPath: string, path: string): string | undefined {
  const slots = c.routing.slotsFor(schemaPath);
  const providers = c.routing.providers;
  for (let k = 0; k < slots.length; k++) {
    const v = providers[slots[k]!]!.get(path);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A table's instance numbers as the device's provider lists them, if the device owns the table. */
export function ownedInstances(c: ModelCore, tablePath: string): number[] | undefined {
  return firstAnswer(c, `${toSchemaPath(tablePath)}{i}.`, (p) => p.instances?.(tablePath));
}

/** The provider whose instance list a table is, if the device owns it (else its instances are stored). */
export function instanceOwner(c: ModelCore, tablePath: string): Provider | undefined {
  return firstAnswer(c, `${toSchemaPath(tablePath)}{i}.`, (p) => (p.instances?.(tablePath) !== undefined ? p : undefined));
}

/** Instance numbers of a table by its concrete path ("Device.XMPP.Connection."). */
export function instanceIds(c: ModelCore, tablePath: string): number[] {
  return [...(ownedInstances(c, tablePath) ?? c.stored.instances![tablePath]?.ids ?? [])];
}

/** Every instance named in a concrete path exists. */
export function instancesExist(c: ModelCore, path: string): boolean {
  // A path with no instance number is its own schema path (a cached lookup): no RegExp made for
  // it, and most paths read are such.
  if (toSchemaPath(path) === path) return true;
  const re = /\.(\d+)(?=\.)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    const tablePath = path.slice(0, m.index + 1);
    if (!instanceIds(c, tablePath).includes(Number(m[1]))) return false;
  }
  return true;
}

/** The definition of a concrete parameter path, when it exists (instances included). */
export function definitionOf(c: ModelCore, path: string): ParameterDefinition | undefined {
  const def = c.schema.parameters.get(toSchemaPath(path));
  return def && instancesExist(c, path) ? def : undefined;
}

/** The definition of a concrete parameter path; 9005 when there is none. */
export function definition(c: ModelCore, path: string): ParameterDefinition {
  const def = definitionOf(c, path);
  if (!def) throw new CwmpFault(9005, path);
  return def;
}

/** The value as the device holds it (no hiding of passwords). */
export function read(c: ModelCore, path: string): string {
  const def = definition(c, path);
  if (def.countOf) return String(instanceIds(c, tableOf(path, def.countOf)).length);
  const provided = providerValue(c, def.name, path);
  if (provided !== undefined) return provided;
  const stored = c.stored.values[path] ?? c.initialValues[path];
  if (stored !== undefined) return stored;
  const factory = firstAnswer(c, def.name, (p) => p.factoryDefault?.(path));
  if (factory !== undefined) return factory;
  // An instance whose Alias nobody chose carries the CPE's own "cpe-N" (TR-181 Alias data type).
  const alias = def.name.endsWith('.{i}.Alias') ? /\.(\d+)\.Alias$/.exec(path) : null;
  return alias ? `cpe-${alias[1]}` : def.default;
}

export function readIfDefined(c: ModelCore, path: string): string | undefined {
  return definitionOf(c, path) ? read(c, path) : undefined;
}

/** A parameter as a value on the wire: a hidden one (a password) reads empty. */
export function wireValue(c: ModelCore, r: Resolved): ParameterValue {
  return { name: r.path, value: r.def.hidden ? '' : read(c, r.path), type: r.def.type };
}

/** The notification level of a parameter: forced, as set, or its default. */
export function notificationOf(c: ModelCore, def: ParameterDefinition, path: string = def.name): number {
  if (def.activeNotify === 'forceEnabled') return 2;
  const set = c.stored.notification[path];
  if (set !== undefined) return set;
  return def.activeNotify === 'forceDefaultEnabled' ? 2 : 0;
}

/** The value a provider serves now for a live parameter (or a device-owned table's count); undefined for a stored one. */
export function liveValue(c: ModelCore, path: string): string | undefined {
  const def = c.schema.parameters.get(toSchemaPath(path));
  if (!def) return undefined;
  if (def.countOf) {
    // The count of a table the device owns changes by itself (ManageableDeviceNumberOfEntries).
    const owned = ownedInstances(c, tableOf(path, def.countOf));
    return owned ? String(owned.length) : undefined;
  }
  // Read in timers (polling, boot): a provider that fails now (a helper process that is down) reports nothing, and is asked again later.
  try {
    return providerValue(c, def.name, path);
  } catch {
    return undefined;
  }
}

/** The schema object for a concrete object path; a table path ("...Connection.") is its own node. */
export function locateObject(c: ModelCore, path: string): { shape: ObjectShape; isTableNode: boolean } {
  const schemaPath = toSchemaPath(path);
  const asTable = c.schema.objects.get(`${schemaPath}{i}.`);
  if (asTable && !c.schema.objects.has(schemaPath) && instancesExist(c, path)) return { shape: asTable, isTableNode: true };
  const shape = c.schema.objects.get(schemaPath);
  if (!shape || !instancesExist(c, path)) throw new CwmpFault(9005, path);
  return { shape, isTableNode: false };
}

/** Objects and parameters at and below a concrete object path, to `depth` levels. */
export function* walk(
  c: ModelCore,
  shape: ObjectShape,
  path: string,
  isTableNode: boolean,
  depth: number,
): Generator<{ path: string; writable: boolean; def?: ParameterDefinition }> {
  if (isTableNode) {
    yield { path, writable: shape.table?.writable ?? false };
    if (depth < 1) return;
    for (const id of instanceIds(c, path)) yield* walk(c, shape, `${path}${id}.`, false, depth - 1);
    return;
  }
  yield { path, writable: shape.table?.writable ?? false };
  if (depth < 1) return;
  for (const p of shape.childParameters) {
    const name = path + p.name.slice(p.name.lastIndexOf('.') + 1);
    yield { path: name, writable: p.writable, def: p };
  }
  for (const childName of shape.childObjects) {
    const child = c.schema.objects.get(childName)!;
    if (child.table) {
      const segment = childName.slice(0, -5).slice(childName.slice(0, -5).lastIndexOf('.') + 1);
      yield* walk(c, child, `${path}${segment}.`, true, depth - 1);
    } else {
      const segment = childName.slice(0, -1).slice(childName.slice(0, -1).lastIndexOf('.') + 1);
      yield* walk(c, child, `${path}${segment}.`, false, depth - 1);
    }
  }
}

/**
 * Records a new instance of a table in the stored model (and the CPE's own Alias for it);
 * returns its number. Saving is the caller's: an AddObject commits or undoes it.
 */
export function addInstanceRecord(c: ModelCore, tablePath: string, maxEntries: number | undefined, alias?: string): number {
  const entry = (c.stored.instances![tablePath] ??= { next: 1, ids: [] });
  if (maxEntries !== undefined && entry.ids.length >= maxEntries) throw new CwmpFault(9004, `${tablePath} holds at most ${maxEntries} instances`);
  const id = entry.next++;
  entry.ids.push(id);
  // TR-181: an Alias the ACS did not choose is assigned by the CPE with the "cpe-" prefix.
  if (c.schema.parameters.has(`${toSchemaPath(tablePath)}{i}.Alias`)) c.stored.values[`${tablePath}${id}.Alias`] = alias ?? `cpe-${id}`;
  return id;
}

/** Forgets everything stored below a path (a deleted instance). */
export function removeSubtree(stored: StoredModel, prefix: string): void {
  for (const key of Object.keys(stored.values)) if (key.startsWith(prefix)) delete stored.values[key];
  for (const key of Object.keys(stored.notification)) if (key.startsWith(prefix)) delete stored.notification[key];
  for (const key of Object.keys(stored.accessList)) if (key.startsWith(prefix)) delete stored.accessList[key];
  for (const key of Object.keys(stored.instances!)) if (key.startsWith(prefix)) delete stored.instances![key];
}

/** The concrete table path a NumberOfEntries parameter counts: its own object plus the table's last segment. */
export function tableOf(parameterPath: string, countOf: string): string {
  const object = parameterPath.slice(0, parameterPath.lastIndexOf('.') + 1);
  const withoutI = countOf.slice(0, -5);
  return `${object + withoutI.slice(withoutI.lastIndexOf('.') + 1)}.`;
}
