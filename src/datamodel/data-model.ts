/**
 * One device's data model over a shared Schema: instances of multi-instance objects, values,
 * attributes and change notification. Values live in a store unless the parameter is live
 * (read from the device each time) or a NumberOfEntries count. Every ACS-facing error is a
 * CwmpFault with the code TR-069 prescribes.
 *
 * Why one file of this size: each RPC's atomicity (check everything, then change, then save or
 * undo) is one method over the same stored model, and SetParameterValues alone takes a hundred
 * lines. Reading the tree (model-tree.ts) and the forms a path takes (model-paths.ts) are
 * functions over the model's core; provider routing, type checks and the stores live apart.
 */
import { CwmpFault, parameterFault, type ParameterFault } from '../cwmp/faults.js';
import type { ParameterAttribute, ParameterInfo, ParameterValue, ParameterValueInput, SetParameterAttributesEntry } from '../cwmp/messages.js';
import { checkValue } from './value-types.js';
import { toSchemaPath, type ParameterDefinition, type Schema } from './schema.js';
import { inReadBatch, type Provider } from './provider.js';
import { ProviderRouting } from './provider-routing.js';
import type { ModelStore, StoredModel } from '../storage/model-store.js';
import {
  addInstanceRecord,
  definition,
  definitionOf,
  firstAnswer,
  instanceIds,
  instanceOwner,
  instancesExist,
  liveValue,
  notificationOf,
  read,
  readIfDefined,
  removeSubtree,
  wireValue,
  type ModelCore,
} from './model-tree.js';
import {
  aliasRefusal,
  aliasToNumbers,
  autoCreates,
  MAX_VALUES_PER_ANSWER,
  namesOf,
  present,
  resolve,
  resolveAll,
  writeOnceOpen,
  type AddressingOptions,
} from './model-paths.js';

export type { InstanceTable, ModelStore, StoredModel } from '../storage/model-store.js';

/** Who changed values: the ACS (over CWMP), a USP Controller, or the device itself. */
export type ChangeOrigin = 'acs' | 'usp' | 'device';
export type ChangeListener = (names: string[], origin: ChangeOrigin) => void;

export type { AddressingOptions } from './model-paths.js';
export { MAX_VALUES_PER_ANSWER } from './model-paths.js';

export class DataModel {
  /** The schema, the stored part, the providers: what model-tree.ts and model-paths.ts read. */
  private readonly core: ModelCore;
  // Listener lists are replaced (concat), not pushed to: an array grown by push or spread keeps
  // room for 17, and a fleet holds thousands of these lists of one or two.
  private listeners: readonly ChangeListener[] = [];
  /** Last value seen of each notified, provider-driven parameter (see pollLiveChanges). */
  private lastLive: Map<string, string> | undefined;
  private unsubscribes: readonly (() => void)[] = [];
  /** How attached providers read the model: one function per model, whatever the number of providers. */
  private providerRead: ((path: string) => string) | undefined;
  private providerChanged: ((paths: string[]) => void) | undefined;

  constructor(
    readonly schema: Schema,
    private readonly store: ModelStore,
    providers: readonly Provider[] = [],
    /**
     * Values the device starts with (identity, versions, a profile's snapshot), over the schema's
     * defaults. Read through, never copied: only what differs is stored per device, and a
     * prototype chain lets many devices share one profile.
     */
    initialValues: Record<string, string> = {},
    /** The CWMP 1.4 alias-addressing switches (ManagementServer.InstanceMode, AutoCreateInstances). */
    private readonly addressing: AddressingOptions = {},
  ) {
    this.core = { schema, stored: store.load() ?? freshModel(), routing: new ProviderRouting(providers), initialValues };
    for (const p of this.core.routing.providers) this.subscribeTo(p);
    this.core.stored.instances ??= {};
  }

  /** Adds a provider after construction (a component that starts with the agent, say). */
  addProvider(provider: Provider): void {
    this.core.routing.add(provider);
    this.subscribeTo(provider);
  }

  private subscribeTo(p: Provider): void {
    // Settings a schema without them does not define read as empty.
    if (p.attach) p.attach((this.providerRead ??= (path) => readIfDefined(this.core, path) ?? ''));
    if (!p.subscribe) return;
    // One listener for all the device's providers: it needs nothing of the provider.
    const unsubscribe = p.subscribe(
      (this.providerChanged ??= (paths) => {
        const known = paths.filter((path) => this.definitionOf(path) !== undefined);
        for (const path of known) if (this.lastLive?.has(path)) this.lastLive.set(path, this.read(path));
        if (known.length > 0) this.emit(known, 'device');
      }),
    );
    this.unsubscribes = this.unsubscribes.concat([unsubscribe]);
  }

  /** Stops provider subscriptions (the agent that owned this model is gone). */
  close(): void {
    const unsubscribes = this.unsubscribes;
    this.unsubscribes = [];
    for (const u of unsubscribes) u();
  }

  /**
   * Reads the provider-driven parameters whose notification is on (set by the ACS or forced) —
   * the only ones worth polling for changes a provider does not push — and reports (as device
   * changes) those that differ from the last read. The first read of a parameter only records it.
   * Returns how many are watched, so the caller knows whether to poll again.
   */
  pollLiveChanges(): { watched: number; changed: string[] } {
    return inReadBatch(() => {
      const watched = new Set<string>();
      const changed: string[] = [];
      for (const [path, level] of Object.entries(this.core.stored.notification)) {
        if (level <= 0 || !this.definitionOf(path)) continue;
        const now = liveValue(this.core, path);
        if (now === undefined) continue;
        watched.add(path);
        const before = this.lastLive?.get(path);
        if (before !== undefined && before !== now) changed.push(path);
        (this.lastLive ??= new Map()).set(path, now);
      }
      if (this.lastLive) for (const path of [...this.lastLive.keys()]) if (!watched.has(path)) this.lastLive.delete(path);
      if (changed.length > 0) this.emit(changed, 'device');
      return { watched: watched.size, changed };
    });
  }

  /**
   * Forced-notification parameters the device itself serves (SoftwareVersion, GatewayInfo) whose
   * value differs from the one recorded at the previous boot: a firmware upgrade, another gateway.
   * The first boot only records them. `record` saves the values for the next boot: call it once
   * the changes are safe in the agent's own state, so that a stop in between loses nothing.
   */
  forcedChangesSinceLastBoot(): { changed: string[]; record: () => void } {
    const reported = (this.core.stored.reported ??= {});
    const changed: string[] = [];
    let dirty = false;
    for (const def of forcedNotifyParameters(this.schema)) {
      if (!this.definitionOf(def.name) || this.notificationOf(def) === 0) continue;
      const now = liveValue(this.core, def.name);
      if (now === undefined) continue;
      const before = reported[def.name];
      if (before !== undefined && before !== now) changed.push(def.name);
      if (before !== now) {
        reported[def.name] = now;
        dirty = true;
      }
    }
    return { changed, record: () => dirty && this.persist() };
  }

  onChange(listener: ChangeListener): void {
    this.listeners = this.listeners.concat([listener]);
  }

  /** The definition of a concrete parameter path, when it exists (instances included). */
  definitionOf(path: string): ParameterDefinition | undefined {
    return definitionOf(this.core, path);
  }

  /** The value as the device holds it (no hiding of passwords). */
  read(path: string): string {
    return read(this.core, path);
  }

  /** Writes values from the device side (not the ACS): notification applies. */
  writeFromDevice(values: Record<string, string>): void {
    const changed: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      definition(this.core, name);
      if (this.read(name) !== value) {
        this.core.stored.values[name] = value;
        changed.push(name);
      }
    }
    if (changed.length > 0) {
      this.persist();
      this.emit(changed, 'device');
    }
  }

  /** Sets values from configuration: stored, but not a change anyone is notified of. */
  provision(values: Record<string, string>): void {
    for (const [name, value] of Object.entries(values)) {
      definition(this.core, name);
      this.core.stored.values[name] = value;
    }
    this.persist();
  }

  /** Back to the factory state: defaults and initial values, no instances, no attributes. */
  factoryReset(): void {
    this.core.stored = freshModel();
    this.persist();
  }

  /** Saves after a change from the device's side; a failed save is the store's to retry. */
  private persist(): void {
    try {
      this.store.save(this.core.stored);
    } catch {
      // The store logs and retries; the model holds the truth meanwhile.
    }
  }

  /** Saves a change the ACS asked for; when it cannot be saved, `undo` puts things back and the RPC answers 9002. */
  private commit(undo: () => void): void {
    try {
      this.store.save(this.core.stored);
    } catch (err) {
      undo();
      throw new CwmpFault(9002, `the change could not be saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** An undo that puts back a whole earlier copy of the stored model (for rare RPCs). */
  private snapshotUndo(): () => void {
    const before = structuredClone(this.core.stored);
    return () => void (this.core.stored = before);
  }

  /**
   * GetParameterValues. A name asked for twice is answered once, and an answer of more than
   * `maxValues` values is 9004 (Resources exceeded), found out before the values are read: a
   * request naming the whole tree a hundred thousand times costs milliseconds, not the heap.
   */
  getParameterValues(names: readonly string[], maxValues = MAX_VALUES_PER_ANSWER): ParameterValue[] {
    const targets = resolveAll(this.core, names, maxValues);
    return inReadBatch(() => targets.map((r) => present(this.core, this.addressing, wireValue(this.core, r))));
  }

  /** The value list for an Inform: forced parameters plus the given ones, each once. */
  informParameters(extra: readonly string[]): ParameterValue[] {
    return inReadBatch(() => {
      const out: ParameterValue[] = [];
      for (const path of new Set([...this.schema.forcedInform, ...extra])) {
        const def = this.definitionOf(path);
        if (def) out.push(wireValue(this.core, { path, def }));
      }
      return out;
    });
  }

  /**
   * Applies a SetParameterValues atomically: every entry is checked first, and on any fault
   * nothing changes (fault 9003 with one SetParameterValuesFault per bad entry). With
   * AutoCreateInstances, a path naming an unknown [alias] creates that instance, and is undone
   * with everything else when any entry fails.
   */
  setParameterValues(
    list: readonly ParameterValueInput[],
    parameterKeyName: string,
    parameterKey: string,
    origin: ChangeOrigin = 'acs',
  ): { rebootRequired: boolean } {
    const autoCreate = autoCreates(this.core, this.addressing);
    const before = list.some((e) => e.name.includes('[')) ? JSON.stringify(this.core.stored) : undefined;
    const faults: ParameterFault[] = [];
    const accepted = new Map<string, string>();
    const batchChecks = new Map<Provider, Map<string, string>>();
    const requestedAs = new Map<string, string>();
    for (const entry of list) {
      const name = entry.name.includes('[') ? aliasToNumbers(this.core, entry.name, autoCreate) : entry.name;
      if (name === undefined) {
        faults.push(parameterFault(entry.name, 9005, 'no instance has that alias'));
        continue;
      }
      if (accepted.has(name)) {
        faults.push(parameterFault(entry.name, 9003, 'parameter appears more than once'));
        continue;
      }
      const def = this.definitionOf(name);
      if (!def) {
        faults.push(parameterFault(entry.name, 9005, name.endsWith('.') ? 'an object, not a parameter' : undefined));
        continue;
      }
      if (!def.writable || (def.writeOnce && !writeOnceOpen(this.core, name))) {
        faults.push(parameterFault(entry.name, 9008));
        continue;
      }
      const check = checkValue(entry.value, def, entry.type);
      if (!check.ok) {
        faults.push(parameterFault(entry.name, check.faultCode, check.reason));
        continue;
      }
      const refusal =
        (def.writableValues && !def.writableValues.includes(check.value) ? `only ${def.writableValues.join(', ')} may be set` : undefined) ??
        aliasRefusal(this.core, name, check.value, accepted) ??
        firstAnswer(this.core, def.name, (p) => p.validate?.(name, check.value));
      if (refusal !== undefined) {
        faults.push(parameterFault(entry.name, 9007, refusal));
        continue;
      }
      // A provider that checks a whole request at once is asked once, after this loop.
      const batch = firstAnswer(this.core, def.name, (p) => (p.validateAll ? p : undefined));
      if (batch) {
        const group = batchChecks.get(batch) ?? new Map<string, string>();
        group.set(name, check.value);
        batchChecks.set(batch, group);
        requestedAs.set(name, entry.name);
      }
      accepted.set(name, check.value);
    }
    for (const [provider, group] of batchChecks) {
      const reasons = deviceCall(() => provider.validateAll!(group));
      for (const [name, reason] of Object.entries(reasons)) {
        if (!group.has(name)) continue;
        faults.push(parameterFault(requestedAs.get(name) ?? name, 9007, reason));
      }
    }
    if (faults.length > 0) {
      if (before !== undefined) this.core.stored = JSON.parse(before) as StoredModel;
      throw new CwmpFault(9003, undefined, faults);
    }
    const changed = [...accepted].filter(([name, value]) => this.read(name) !== value).map(([name]) => name);
    // Saved first, so that a change that cannot be saved (a full disk) reaches neither the device nor the ACS's view.
    const previous = new Map<string, string | undefined>();
    for (const [name, value] of [...accepted, [parameterKeyName, parameterKey] as const]) {
      if (!previous.has(name)) previous.set(name, this.core.stored.values[name]);
      this.core.stored.values[name] = value;
    }
    const undo = (): void => {
      if (before !== undefined) this.core.stored = JSON.parse(before) as StoredModel;
      else
        for (const [name, value] of previous)
          if (value === undefined) delete this.core.stored.values[name];
          else this.core.stored.values[name] = value;
    };
    this.commit(undo);
    let rebootRequired = false;
    const batchSets = new Map<Provider, Map<string, string>>();
    for (const name of accepted.keys()) {
      const def = definition(this.core, name);
      const provider = firstAnswer(this.core, def.name, (p) => (p.set || p.setAll ? p : undefined));
      if (!provider) continue;
      if (provider.setAll) {
        const group = batchSets.get(provider) ?? new Map<string, string>();
        group.set(name, accepted.get(name)!);
        batchSets.set(provider, group);
        continue;
      }
      // A provider that cannot apply a validated value is an internal error: the stored values go back.
      try {
        if (provider.set!(name, accepted.get(name)!) === 'reboot') rebootRequired = true;
      } catch (err) {
        undo();
        this.persist();
        throw providerFault(err, `the device could not apply ${name}`);
      }
    }
    for (const [provider, group] of batchSets) {
      try {
        if (provider.setAll!(group) === 'reboot') rebootRequired = true;
      } catch (err) {
        undo();
        this.persist();
        throw err instanceof CwmpFault
          ? err
          : providerFault(err, `the device could not apply ${[...group.keys()].slice(0, 3).join(', ')}${group.size > 3 ? ', ...' : ''}`);
      }
    }
    if (changed.length > 0) this.emit(changed, origin);
    return { rebootRequired };
  }

  getParameterNames(requested: string, nextLevel: boolean): ParameterInfo[] {
    return inReadBatch(() =>
      namesOf(this.core, requested.includes('[') ? (aliasToNumbers(this.core, requested) ?? requested) : requested, nextLevel).map((i) =>
        present(this.core, this.addressing, i),
      ),
    );
  }

  /** GetParameterAttributes, bounded as getParameterValues is. */
  getParameterAttributes(names: readonly string[], maxValues = MAX_VALUES_PER_ANSWER): ParameterAttribute[] {
    return resolveAll(this.core, names, maxValues).map((r) =>
      present(this.core, this.addressing, {
        name: r.path,
        notification: notificationOf(this.core, r.def, r.path),
        accessList: this.core.stored.accessList[r.path] ?? [],
      }),
    );
  }

  /** Applies SetParameterAttributes atomically; 9009 where a notification cannot be changed. */
  setParameterAttributes(list: readonly SetParameterAttributesEntry[]): void {
    const plan: { path: string; entry: SetParameterAttributesEntry }[] = [];
    for (const entry of list) {
      for (const r of resolve(this.core, entry.name)) {
        // canDeny refuses every active kind: 2, and 5 and 6 (active lightweight), which a fast-changing value would flood.
        // Asking for what a forced parameter already has (2) is no change, and no fault.
        const forced = r.def.activeNotify === 'forceEnabled' && entry.notification !== 2;
        if (entry.notificationChange && (forced || (r.def.activeNotify === 'canDeny' && [2, 5, 6].includes(entry.notification)))) {
          // Partial paths skip the parameters whose notification is fixed; a full name faults.
          if (entry.name === r.path) throw new CwmpFault(9009, r.path);
          continue;
        }
        if (entry.accessListChange && entry.accessList.some((a) => a !== 'Subscriber')) throw new CwmpFault(9003, 'AccessList may only hold "Subscriber"');
        plan.push({ path: r.path, entry });
      }
    }
    const undo = this.snapshotUndo();
    for (const { path, entry } of plan) {
      if (entry.notificationChange) {
        if (entry.notification === 0) delete this.core.stored.notification[path];
        else this.core.stored.notification[path] = entry.notification;
      }
      if (entry.accessListChange) {
        if (entry.accessList.length === 0) delete this.core.stored.accessList[path];
        else this.core.stored.accessList[path] = [...entry.accessList];
      }
    }
    this.commit(undo);
  }

  notificationOf(def: ParameterDefinition, path: string = def.name): number {
    return notificationOf(this.core, def, path);
  }

  /** AddObject: a new instance with default values; returns its number. */
  addObject(objectName: string, parameterKeyName: string, parameterKey: string): number {
    // CWMP 1.4: "Device.X.[alias]." creates the instance with that Alias.
    const named = /^(.*\.)\[([^\]]+)\]\.$/.exec(objectName);
    const requested = named ? named[1]! : objectName;
    const tablePath = requested.includes('[') ? aliasToNumbers(this.core, requested) : requested;
    const table = tablePath === undefined ? undefined : this.schema.tables.get(`${toSchemaPath(tablePath)}{i}.`);
    if (!table || tablePath === undefined || !instancesExist(this.core, tablePath)) throw new CwmpFault(9005, objectName);
    if (!table.writable) throw new CwmpFault(9001, `${objectName} does not allow AddObject`);
    const owner = instanceOwner(this.core, tablePath);
    if (owner && !owner.add) throw new CwmpFault(9001, `the instances of ${tablePath} are the device's own`);
    if (owner?.add) {
      // The device creates it; its instance list (owner.instances) reports it from now on.
      const id = deviceCall(() => owner.add!(tablePath));
      const undo = this.snapshotUndo();
      if (named) this.core.stored.values[`${tablePath}${id}.Alias`] = named[2]!;
      this.core.stored.values[parameterKeyName] = parameterKey;
      this.commit(undo);
      this.emit([`${tablePath}${id}.`], 'acs');
      return id;
    }
    if (named) {
      if (!this.schema.parameters.has(`${toSchemaPath(tablePath)}{i}.Alias`)) throw new CwmpFault(9005, `${tablePath} has no Alias`);
      const refusal = aliasRefusal(this.core, `${tablePath}0.Alias`, named[2]!, new Map());
      if (refusal) throw new CwmpFault(9007, refusal);
    }
    return this.createInstance(tablePath, table.maxEntries, parameterKeyName, parameterKey, named?.[2]);
  }

  /** Creates an instance from the device side (no ParameterKey change); returns its number. */
  addInstance(tablePath: string): number {
    const table = this.schema.tables.get(`${toSchemaPath(tablePath)}{i}.`);
    if (!table || !instancesExist(this.core, tablePath)) throw new CwmpFault(9005, tablePath);
    return this.createInstance(tablePath, table.maxEntries);
  }

  /**
   * Creates instance `id` of a table if it is missing, keeping the number (a profile's snapshot
   * names its instances). Later AddObjects continue after the highest number.
   */
  ensureInstance(tablePath: string, id: number): void {
    const table = this.schema.tables.get(`${toSchemaPath(tablePath)}{i}.`);
    if (!table || !instancesExist(this.core, tablePath) || !Number.isInteger(id) || id < 1) throw new CwmpFault(9005, `${tablePath}${id}.`);
    const entry = (this.core.stored.instances![tablePath] ??= { next: 1, ids: [] });
    if (entry.ids.includes(id)) return;
    entry.ids = [...entry.ids, id].sort((a, b) => a - b);
    entry.next = Math.max(entry.next, id + 1);
    this.persist();
  }

  /** Removes instances of a table from the device side: every one (a diagnostics result table, say), or those given. */
  clearInstances(tablePath: string, only?: readonly number[]): void {
    const entry = this.core.stored.instances![tablePath];
    if (!entry) return;
    const gone = only ? entry.ids.filter((id) => only.includes(id)) : entry.ids;
    for (const id of gone) removeSubtree(this.core.stored, `${tablePath}${id}.`);
    entry.ids = entry.ids.filter((id) => !gone.includes(id));
    this.persist();
    if (gone.length > 0)
      this.emit(
        gone.map((id) => `${tablePath}${id}.`),
        'device',
      );
  }

  /** DeleteObject: removes an instance and everything below it. */
  deleteObject(requestedName: string, parameterKeyName: string, parameterKey: string): void {
    const objectName = requestedName.includes('[') ? (aliasToNumbers(this.core, requestedName) ?? requestedName) : requestedName;
    const m = /^(.*\.)(\d+)\.$/.exec(objectName);
    const table = m ? this.schema.tables.get(toSchemaPath(objectName)) : undefined;
    if (!m || !table || !instancesExist(this.core, objectName)) throw new CwmpFault(9005, objectName);
    if (!table.writable) throw new CwmpFault(9001, `${objectName} cannot be deleted`);
    const tablePath = m[1]!;
    const id = Number(m[2]);
    const owner = instanceOwner(this.core, tablePath);
    if (owner && !owner.delete) throw new CwmpFault(9001, `the instances of ${tablePath} are the device's own`);
    const undo = this.snapshotUndo();
    const entry = this.core.stored.instances![tablePath];
    if (entry) entry.ids = entry.ids.filter((n) => n !== id);
    removeSubtree(this.core.stored, objectName);
    this.core.stored.values[parameterKeyName] = parameterKey;
    // Saved before the device deletes its own instance, so that an unsaved delete changes nothing.
    this.commit(undo);
    if (owner?.delete) {
      try {
        deviceCall(() => owner.delete!(objectName));
      } catch (err) {
        undo();
        this.persist();
        throw err;
      }
    }
    this.emit([objectName], 'acs');
  }

  /** Instance numbers of a table by its concrete path ("Device.XMPP.Connection."). */
  instanceIds(tablePath: string): number[] {
    return instanceIds(this.core, tablePath);
  }

  /** A new instance: an AddObject's (it sets the ParameterKey) is undone when it cannot be saved; a device's own is retried by the store. */
  private createInstance(tablePath: string, maxEntries: number | undefined, parameterKeyName?: string, parameterKey?: string, alias?: string): number {
    const undo = parameterKeyName !== undefined ? this.snapshotUndo() : undefined;
    const id = addInstanceRecord(this.core, tablePath, maxEntries, alias);
    if (parameterKeyName !== undefined) this.core.stored.values[parameterKeyName] = parameterKey ?? '';
    if (undo) this.commit(undo);
    else this.persist();
    // An object path (ending in ".") among the changed names: an instance came (or went); USP tells ObjectCreation.
    this.emit([`${tablePath}${id}.`], parameterKeyName !== undefined ? 'acs' : 'device');
    return id;
  }

  private emit(names: string[], origin: ChangeOrigin): void {
    for (const l of this.listeners) l(names, origin);
  }
}

/** A schema's parameters whose notification is forced on (or on by default), outside tables; found once per schema. */
const forcedNotifyCache = new WeakMap<Schema, ParameterDefinition[]>();
function forcedNotifyParameters(schema: Schema): ParameterDefinition[] {
  let list = forcedNotifyCache.get(schema);
  if (!list) {
    list = [...schema.parameters.values()].filter(
      (d) => (d.activeNotify === 'forceEnabled' || d.activeNotify === 'forceDefaultEnabled') && !d.name.includes('{i}'),
    );
    forcedNotifyCache.set(schema, list);
  }
  return list;
}

function freshModel(): StoredModel {
  return { values: {}, notification: {}, accessList: {}, instances: {} };
}

/** A call into a provider: its CwmpFaults pass through, anything else is an internal error (9002). */
function deviceCall<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CwmpFault) throw err;
    throw providerFault(err, 'the device could not carry out the request');
  }
}

/**
 * A provider's failure as the ACS sees it: 9002 and what could not be done, never the provider's
 * own words (a helper's paths, its stderr, a stack). Those stay in `cause`, for the device's log.
 */
export function providerFault(err: unknown, what: string): CwmpFault {
  const fault = new CwmpFault(9002, `${what} (the device's log says why)`);
  (fault as { cause?: unknown }).cause = err;
  return fault;
}
