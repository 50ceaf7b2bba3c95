/**
 * One device's data model over a shared Schema: instances of multi-instance objects, values,
 * attributes and change notification. Values live in a store unless the parameter is live
 * (read from the device each time) or a NumberOfEntries count. Every ACS-facing error is a
 * CwmpFault with the code TR-069 prescribes.
 *
 * Why one file of this size: every RPC's atomicity (check everything, then change, then save or
 * undo) rests on the same private stored model, path resolution and alias addressing; split
 * into classes they would have to expose that state to each other. Routing between providers
 * (provider-routing.ts), type checks (value-types.ts) and the stores (storage/) live apart.
 */
import { CwmpFault, parameterFault, type ParameterFault } from '../cwmp/faults.js';
import type { ParameterAttribute, ParameterInfo, ParameterValue, ParameterValueInput, SetParameterAttributesEntry } from '../cwmp/messages.js';
import { checkValue } from './value-types.js';
import { toSchemaPath, type ObjectShape, type ParameterDefinition, type Schema } from './schema.js';
import { inReadBatch, type Provider } from './provider.js';
import { ProviderRouting } from './provider-routing.js';
import type { ModelStore, StoredModel } from '../storage/model-store.js';

export type { InstanceTable, ModelStore, StoredModel } from '../storage/model-store.js';

export type ChangeOrigin = 'acs' | 'device';
export type ChangeListener = (names: string[], origin: ChangeOrigin) => void;

export interface AddressingOptions {
  /** Parameter whose value "InstanceAlias" makes responses name instances by [alias]. */
  instanceModeParameter?: string;
  /** Parameter whose value "true" lets SetParameterValues create instances named by [alias]. */
  autoCreateParameter?: string;
}

/** Values (or attributes) one answer may hold; more is 9004. The built-in tree has under 2,000. */
export const MAX_VALUES_PER_ANSWER = 50_000;

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A concrete parameter: its path on the wire and its definition. */
interface Resolved {
  path: string;
  def: ParameterDefinition;
}

export class DataModel {
  private model: StoredModel;
  // Listener lists are replaced (concat), not pushed to: an array grown by push or spread keeps
  // room for 17, and a fleet holds thousands of these lists of one or two.
  private listeners: readonly ChangeListener[] = [];
  private readonly routing: ProviderRouting;
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
    private readonly initialValues: Record<string, string> = {},
    /** The CWMP 1.4 alias-addressing switches (ManagementServer.InstanceMode, AutoCreateInstances). */
    private readonly addressing: AddressingOptions = {},
  ) {
    this.routing = new ProviderRouting(providers);
    this.model = store.load() ?? this.freshModel();
    for (const p of this.routing.providers) this.subscribeTo(p);
    this.model.instances ??= {};
  }

  /** Adds a provider after construction (a component that starts with the agent, say). */
  addProvider(provider: Provider): void {
    this.routing.add(provider);
    this.subscribeTo(provider);
  }

  private subscribeTo(p: Provider): void {
    // Settings a schema without them does not define read as empty.
    if (p.attach) p.attach((this.providerRead ??= (path) => this.readIfDefined(path) ?? ''));
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
    return inReadBatch(() => this.pollLiveChangesNow());
  }

  private pollLiveChangesNow(): { watched: number; changed: string[] } {
    const watched = new Set<string>();
    const changed: string[] = [];
    for (const [path, level] of Object.entries(this.model.notification)) {
      if (level <= 0 || !this.definitionOf(path)) continue;
      const now = this.liveValue(path);
      if (now === undefined) continue;
      watched.add(path);
      const before = this.lastLive?.get(path);
      if (before !== undefined && before !== now) changed.push(path);
      (this.lastLive ??= new Map()).set(path, now);
    }
    if (this.lastLive) for (const path of [...this.lastLive.keys()]) if (!watched.has(path)) this.lastLive.delete(path);
    if (changed.length > 0) this.emit(changed, 'device');
    return { watched: watched.size, changed };
  }

  private liveValue(path: string): string | undefined {
    const def = this.schema.parameters.get(toSchemaPath(path));
    if (!def) return undefined;
    if (def.countOf) {
      // The count of a table the device owns changes by itself (ManageableDeviceNumberOfEntries).
      const table = tableOf(path, def.countOf);
      const owned = this.ownedInstances(table);
      return owned ? String(owned.length) : undefined;
    }
    // Read in timers (polling, boot): a provider that fails now (a helper process that is down) reports nothing, and is asked again later.
    try {
      return this.providerValue(def.name, path);
    } catch {
      return undefined;
    }
  }

  /**
   * Forced-notification parameters the device itself serves (SoftwareVersion, GatewayInfo) whose
   * value differs from the one recorded at the previous boot: a firmware upgrade, another gateway.
   * The first boot only records them. `record` saves the values for the next boot: call it once
   * the changes are safe in the agent's own state, so that a stop in between loses nothing.
   */
  forcedChangesSinceLastBoot(): { changed: string[]; record: () => void } {
    const reported = (this.model.reported ??= {});
    const changed: string[] = [];
    let dirty = false;
    for (const def of forcedNotifyParameters(this.schema)) {
      if (!this.definitionOf(def.name) || this.notificationOf(def) === 0) continue;
      const now = this.liveValue(def.name);
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
    const def = this.schema.parameters.get(toSchemaPath(path));
    return def && this.instancesExist(path) ? def : undefined;
  }

  /** The value as the device holds it (no hiding of passwords). */
  read(path: string): string {
    const def = this.definition(path);
    if (def.countOf) return String(this.instanceIds(tableOf(path, def.countOf)).length);
    const provided = this.providerValue(def.name, path);
    if (provided !== undefined) return provided;
    const stored = this.model.values[path] ?? this.initialValues[path];
    if (stored !== undefined) return stored;
    const factory = this.firstAnswer(def.name, (p) => p.factoryDefault?.(path));
    if (factory !== undefined) return factory;
    // An instance whose Alias nobody chose carries the CPE's own "cpe-N" (TR-181 Alias data type).
    const alias = def.name.endsWith('.{i}.Alias') ? /\.(\d+)\.Alias$/.exec(path) : null;
    return alias ? `cpe-${alias[1]}` : def.default;
  }

  /** Writes values from the device side (not the ACS): notification applies. */
  writeFromDevice(values: Record<string, string>): void {
    const changed: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      this.definition(name);
      if (this.read(name) !== value) {
        this.model.values[name] = value;
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
      this.definition(name);
      this.model.values[name] = value;
    }
    this.persist();
  }

  /** Back to the factory state: defaults and initial values, no instances, no attributes. */
  factoryReset(): void {
    this.model = this.freshModel();
    this.persist();
  }

  /** Saves after a change from the device's side; a failed save is the store's to retry. */
  private persist(): void {
    try {
      this.store.save(this.model);
    } catch {
      // The store logs and retries; the model holds the truth meanwhile.
    }
  }

  /** Saves a change the ACS asked for; when it cannot be saved, `undo` puts things back and the RPC answers 9002. */
  private commit(undo: () => void): void {
    try {
      this.store.save(this.model);
    } catch (err) {
      undo();
      throw new CwmpFault(9002, `the change could not be saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** An undo that puts back a whole earlier copy of the stored model (for rare RPCs). */
  private snapshotUndo(): () => void {
    const before = structuredClone(this.model);
    return () => void (this.model = before);
  }

  /**
   * GetParameterValues. A name asked for twice is answered once, and an answer of more than
   * `maxValues` values is 9004 (Resources exceeded), found out before the values are read: a
   * request naming the whole tree a hundred thousand times costs milliseconds, not the heap.
   */
  getParameterValues(names: readonly string[], maxValues = MAX_VALUES_PER_ANSWER): ParameterValue[] {
    const targets = this.resolveAll(names, maxValues);
    return inReadBatch(() => targets.map((r) => this.present(this.wireValue(r))));
  }

  /** The parameters a list of (partial) names covers, each name once, at most `max` of them. */
  private resolveAll(names: readonly string[], max: number): Resolved[] {
    const out: Resolved[] = [];
    for (const name of new Set(names)) {
      const found = this.resolve(name);
      if (out.length + found.length > max) throw new CwmpFault(9004, `the answer would hold more than ${max} parameters`);
      for (const r of found) out.push(r);
    }
    return out;
  }

  /** The value list for an Inform: forced parameters plus the given ones, each once. */
  informParameters(extra: readonly string[]): ParameterValue[] {
    return inReadBatch(() => this.informParametersNow(extra));
  }

  private informParametersNow(extra: readonly string[]): ParameterValue[] {
    const names = [...new Set([...this.schema.forcedInform, ...extra])];
    const out: ParameterValue[] = [];
    for (const path of names) {
      const def = this.definitionOf(path);
      if (def) out.push(this.wireValue({ path, def }));
    }
    return out;
  }

  /**
   * Applies a SetParameterValues atomically: every entry is checked first, and on any fault
   * nothing changes (fault 9003 with one SetParameterValuesFault per bad entry). With
   * AutoCreateInstances, a path naming an unknown [alias] creates that instance, and is undone
   * with everything else when any entry fails.
   */
  setParameterValues(list: readonly ParameterValueInput[], parameterKeyName: string, parameterKey: string): { rebootRequired: boolean } {
    const autoCreate = this.addressing.autoCreateParameter !== undefined && this.readIfDefined(this.addressing.autoCreateParameter) === 'true';
    const before = list.some((e) => e.name.includes('[')) ? JSON.stringify(this.model) : undefined;
    const faults: ParameterFault[] = [];
    const accepted = new Map<string, string>();
    const batchChecks = new Map<Provider, Map<string, string>>();
    const requestedAs = new Map<string, string>();
    for (const entry of list) {
      const name = entry.name.includes('[') ? this.aliasToNumbers(entry.name, autoCreate) : entry.name;
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
      if (!def.writable || (def.writeOnce && !this.writeOnceOpen(name))) {
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
        this.aliasRefusal(name, check.value, accepted) ??
        this.firstAnswer(def.name, (p) => p.validate?.(name, check.value));
      if (refusal !== undefined) {
        faults.push(parameterFault(entry.name, 9007, refusal));
        continue;
      }
      // A provider that checks a whole request at once is asked once, after this loop.
      const batch = this.firstAnswer(def.name, (p) => (p.validateAll ? p : undefined));
      if (batch) {
        const group = batchChecks.get(batch) ?? new Map<string, string>();
        group.set(name, check.value);
        batchChecks.set(batch, group);
        requestedAs.set(name, entry.name);
      }
      accepted.set(name, check.value);
    }
    for (const [provider, group] of batchChecks) {
      const reasons = this.deviceCall(() => provider.validateAll!(group));
      for (const [name, reason] of Object.entries(reasons)) {
        if (!group.has(name)) continue;
        faults.push(parameterFault(requestedAs.get(name) ?? name, 9007, reason));
      }
    }
    if (faults.length > 0) {
      if (before !== undefined) this.model = JSON.parse(before) as StoredModel;
      throw new CwmpFault(9003, undefined, faults);
    }
    const changed = [...accepted].filter(([name, value]) => this.read(name) !== value).map(([name]) => name);
    // Saved first, so that a change that cannot be saved (a full disk) reaches neither the device nor the ACS's view.
    const previous = new Map<string, string | undefined>();
    for (const [name, value] of [...accepted, [parameterKeyName, parameterKey] as const]) {
      if (!previous.has(name)) previous.set(name, this.model.values[name]);
      this.model.values[name] = value;
    }
    const undo = (): void => {
      if (before !== undefined) this.model = JSON.parse(before) as StoredModel;
      else
        for (const [name, value] of previous)
          if (value === undefined) delete this.model.values[name];
          else this.model.values[name] = value;
    };
    this.commit(undo);
    let rebootRequired = false;
    const batchSets = new Map<Provider, Map<string, string>>();
    for (const name of accepted.keys()) {
      const def = this.definition(name);
      const provider = this.firstAnswer(def.name, (p) => (p.set || p.setAll ? p : undefined));
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
    if (changed.length > 0) this.emit(changed, 'acs');
    return { rebootRequired };
  }

  getParameterNames(requested: string, nextLevel: boolean): ParameterInfo[] {
    return inReadBatch(() =>
      this.namesOf(requested.includes('[') ? (this.aliasToNumbers(requested) ?? requested) : requested, nextLevel).map((i) => this.present(i)),
    );
  }

  private namesOf(path: string, nextLevel: boolean): ParameterInfo[] {
    // TR-069 A.3.2.3: an empty path with NextLevel true names the root object alone (GenieACS's refresh starts so).
    if (path === '' && nextLevel) return [{ name: this.schema.root, writable: false }];
    if (path === '') path = this.schema.root;
    if (!path.endsWith('.')) {
      const def = this.definitionOf(path);
      if (!def) throw new CwmpFault(9005, path);
      if (nextLevel) throw new CwmpFault(9003, 'NextLevel true on a parameter');
      return [{ name: path, writable: def.writable }];
    }
    const start = this.locateObject(path);
    const out: ParameterInfo[] = [];
    for (const item of this.walk(start.shape, path, start.isTableNode, nextLevel ? 1 : Infinity)) {
      if (item.path === path && nextLevel) continue;
      out.push({ name: item.path, writable: item.writable });
    }
    return out;
  }

  /** GetParameterAttributes, bounded as getParameterValues is. */
  getParameterAttributes(names: readonly string[], maxValues = MAX_VALUES_PER_ANSWER): ParameterAttribute[] {
    return this.resolveAll(names, maxValues).map((r) =>
      this.present({ name: r.path, notification: this.notificationOf(r.def, r.path), accessList: this.model.accessList[r.path] ?? [] }),
    );
  }

  /** Applies SetParameterAttributes atomically; 9009 where a notification cannot be changed. */
  setParameterAttributes(list: readonly SetParameterAttributesEntry[]): void {
    const plan: { path: string; entry: SetParameterAttributesEntry }[] = [];
    for (const entry of list) {
      for (const r of this.resolve(entry.name)) {
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
        if (entry.notification === 0) delete this.model.notification[path];
        else this.model.notification[path] = entry.notification;
      }
      if (entry.accessListChange) {
        if (entry.accessList.length === 0) delete this.model.accessList[path];
        else this.model.accessList[path] = [...entry.accessList];
      }
    }
    this.commit(undo);
  }

  notificationOf(def: ParameterDefinition, path: string = def.name): number {
    if (def.activeNotify === 'forceEnabled') return 2;
    const set = this.model.notification[path];
    if (set !== undefined) return set;
    return def.activeNotify === 'forceDefaultEnabled' ? 2 : 0;
  }

  /** AddObject: a new instance with default values; returns its number. */
  addObject(objectName: string, parameterKeyName: string, parameterKey: string): number {
    // CWMP 1.4: "Device.X.[alias]." creates the instance with that Alias.
    const named = /^(.*\.)\[([^\]]+)\]\.$/.exec(objectName);
    const requested = named ? named[1]! : objectName;
    const tablePath = requested.includes('[') ? this.aliasToNumbers(requested) : requested;
    const table = tablePath === undefined ? undefined : this.schema.tables.get(`${toSchemaPath(tablePath)}{i}.`);
    if (!table || tablePath === undefined || !this.instancesExist(tablePath)) throw new CwmpFault(9005, objectName);
    if (!table.writable) throw new CwmpFault(9001, `${objectName} does not allow AddObject`);
    const owner = this.instanceOwner(tablePath);
    if (owner && !owner.add) throw new CwmpFault(9001, `the instances of ${tablePath} are the device's own`);
    if (owner?.add) {
      // The device creates it; its instance list (owner.instances) reports it from now on.
      const id = this.deviceCall(() => owner.add!(tablePath));
      const undo = this.snapshotUndo();
      if (named) this.model.values[`${tablePath}${id}.Alias`] = named[2]!;
      this.model.values[parameterKeyName] = parameterKey;
      this.commit(undo);
      return id;
    }
    if (named) {
      if (!this.schema.parameters.has(`${toSchemaPath(tablePath)}{i}.Alias`)) throw new CwmpFault(9005, `${tablePath} has no Alias`);
      const refusal = this.aliasRefusal(`${tablePath}0.Alias`, named[2]!, new Map());
      if (refusal) throw new CwmpFault(9007, refusal);
    }
    return this.createInstance(tablePath, table.maxEntries, parameterKeyName, parameterKey, named?.[2]);
  }

  /** Creates an instance from the device side (no ParameterKey change); returns its number. */
  addInstance(tablePath: string): number {
    const table = this.schema.tables.get(`${toSchemaPath(tablePath)}{i}.`);
    if (!table || !this.instancesExist(tablePath)) throw new CwmpFault(9005, tablePath);
    return this.createInstance(tablePath, table.maxEntries);
  }

  /**
   * Creates instance `id` of a table if it is missing, keeping the number (a profile's snapshot
   * names its instances). Later AddObjects continue after the highest number.
   */
  ensureInstance(tablePath: string, id: number): void {
    const table = this.schema.tables.get(`${toSchemaPath(tablePath)}{i}.`);
    if (!table || !this.instancesExist(tablePath) || !Number.isInteger(id) || id < 1) throw new CwmpFault(9005, `${tablePath}${id}.`);
    const entry = (this.model.instances![tablePath] ??= { next: 1, ids: [] });
    if (entry.ids.includes(id)) return;
    entry.ids = [...entry.ids, id].sort((a, b) => a - b);
    entry.next = Math.max(entry.next, id + 1);
    this.persist();
  }

  /** Removes every instance of a table from the device side (a diagnostics result table, say). */
  clearInstances(tablePath: string): void {
    const entry = this.model.instances![tablePath];
    if (!entry) return;
    for (const id of entry.ids) this.removeSubtree(`${tablePath}${id}.`);
    entry.ids = [];
    this.persist();
  }

  private removeSubtree(prefix: string): void {
    for (const key of Object.keys(this.model.values)) if (key.startsWith(prefix)) delete this.model.values[key];
    for (const key of Object.keys(this.model.notification)) if (key.startsWith(prefix)) delete this.model.notification[key];
    for (const key of Object.keys(this.model.accessList)) if (key.startsWith(prefix)) delete this.model.accessList[key];
    for (const key of Object.keys(this.model.instances!)) if (key.startsWith(prefix)) delete this.model.instances![key];
  }

  /** DeleteObject: removes an instance and everything below it. */
  deleteObject(requestedName: string, parameterKeyName: string, parameterKey: string): void {
    const objectName = requestedName.includes('[') ? (this.aliasToNumbers(requestedName) ?? requestedName) : requestedName;
    const m = /^(.*\.)(\d+)\.$/.exec(objectName);
    const table = m ? this.schema.tables.get(toSchemaPath(objectName)) : undefined;
    if (!m || !table || !this.instancesExist(objectName)) throw new CwmpFault(9005, objectName);
    if (!table.writable) throw new CwmpFault(9001, `${objectName} cannot be deleted`);
    const tablePath = m[1]!;
    const id = Number(m[2]);
    const owner = this.instanceOwner(tablePath);
    if (owner && !owner.delete) throw new CwmpFault(9001, `the instances of ${tablePath} are the device's own`);
    const undo = this.snapshotUndo();
    const entry = this.model.instances![tablePath];
    if (entry) entry.ids = entry.ids.filter((n) => n !== id);
    this.removeSubtree(objectName);
    this.model.values[parameterKeyName] = parameterKey;
    // Saved before the device deletes its own instance, so that an unsaved delete changes nothing.
    this.commit(undo);
    if (owner?.delete) {
      try {
        this.deviceCall(() => owner.delete!(objectName));
      } catch (err) {
        undo();
        this.persist();
        throw err;
      }
    }
  }

  /** A call into a provider: its CwmpFaults pass through, anything else is an internal error (9002). */
  private deviceCall<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof CwmpFault) throw err;
      throw providerFault(err, 'the device could not carry out the request');
    }
  }

  /** Instance numbers of a table by its concrete path ("Device.XMPP.Connection."). */
  instanceIds(tablePath: string): number[] {
    return [...(this.ownedInstances(tablePath) ?? this.model.instances![tablePath]?.ids ?? [])];
  }

  /** A table's instance numbers as the device's provider lists them, if the device owns the table. */
  private ownedInstances(tablePath: string): number[] | undefined {
    return this.firstAnswer(`${toSchemaPath(tablePath)}{i}.`, (p) => p.instances?.(tablePath));
  }

  /** The provider whose instance list a table is, if the device owns it (else its instances are stored). */
  private instanceOwner(tablePath: string): Provider | undefined {
    return this.firstAnswer(`${toSchemaPath(tablePath)}{i}.`, (p) => (p.instances?.(tablePath) !== undefined ? p : undefined));
  }

  /**
   * The first answer (not undefined) of the providers for a schema path, asked in order: the
   * one naming the longest enclosing object first.
   */
  private firstAnswer<T>(schemaPath: string, ask: (p: Provider) => T | undefined): T | undefined {
    const slots = this.routing.slotsFor(schemaPath);
    const providers = this.routing.providers;
    for (let k = 0; k < slots.length; k++) {
      const answer = ask(providers[slots[k]!]!);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }

  /** A provider's value of a parameter (firstAnswer without a closure: every read comes here). */
  private providerValue(schemaPath: string, path: string): string | undefined {
    const slots = this.routing.slotsFor(schemaPath);
    const providers = this.routing.providers;
    for (let k = 0; k < slots.length; k++) {
      const v = providers[slots[k]!]!.get(path);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private createInstance(
    tablePath: string,
    maxEntries: number | undefined,
    parameterKeyName?: string,
    parameterKey?: string,
    alias?: string,
    save = true,
  ): number {
    // An AddObject (it sets the ParameterKey) that cannot be saved is undone; a device's own addition is retried by the store.
    const undo = save && parameterKeyName !== undefined ? this.snapshotUndo() : undefined;
    const entry = (this.model.instances![tablePath] ??= { next: 1, ids: [] });
    if (maxEntries !== undefined && entry.ids.length >= maxEntries) throw new CwmpFault(9004, `${tablePath} holds at most ${maxEntries} instances`);
    const id = entry.next++;
    entry.ids.push(id);
    // TR-181: an Alias the ACS did not choose is assigned by the CPE with the "cpe-" prefix.
    if (this.schema.parameters.has(`${toSchemaPath(tablePath)}{i}.Alias`)) this.model.values[`${tablePath}${id}.Alias`] = alias ?? `cpe-${id}`;
    if (parameterKeyName !== undefined) this.model.values[parameterKeyName] = parameterKey ?? '';
    if (undo) this.commit(undo);
    else if (save) this.persist();
    return id;
  }

  private readIfDefined(path: string): string | undefined {
    return this.definitionOf(path) ? this.read(path) : undefined;
  }

  private aliasMode(): boolean {
    const p = this.addressing.instanceModeParameter;
    return p !== undefined && this.readIfDefined(p) === 'InstanceAlias';
  }

  /**
   * Replaces [alias] segments with instance numbers. An unknown alias is undefined, or, with
   * autoCreate, a new instance of a writable table (not saved: the caller commits or rolls back).
   */
  private aliasToNumbers(path: string, autoCreate = false): string | undefined {
    const segments = path.split('.');
    let prefix = '';
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i]!;
      const m = /^\[(.+)\]$/.exec(seg);
      if (m) {
        const alias = m[1]!;
        const tableSchema = `${toSchemaPath(prefix)}{i}.`;
        const table = this.schema.tables.get(tableSchema);
        if (!table || !this.schema.parameters.has(`${tableSchema}Alias`) || !this.instancesExist(prefix)) return undefined;
        let id = this.instanceIds(prefix).find((n) => this.read(`${prefix}${n}.Alias`) === alias);
        if (id === undefined) {
          if (!autoCreate || !table.writable || !ALIAS.test(alias)) return undefined;
          id = this.createInstance(prefix, table.maxEntries, undefined, undefined, alias, false);
        }
        seg = String(id);
      }
      prefix += seg + (i < segments.length - 1 ? '.' : '');
    }
    return prefix;
  }

  /** Instance numbers as [alias] segments, for responses in InstanceAlias mode. */
  private numbersToAlias(path: string): string {
    if (!this.aliasMode()) return path;
    return path.replace(/\.(\d+)(?=\.|$)/g, (whole, n: string, offset: number) => {
      const table = path.slice(0, offset + 1);
      const aliasPath = `${table}${n}.Alias`;
      return this.schema.parameters.has(toSchemaPath(aliasPath)) ? `.[${this.read(aliasPath)}]` : whole;
    });
  }

  private present<T extends { name: string }>(item: T): T {
    return this.aliasMode() ? { ...item, name: this.numbersToAlias(item.name) } : item;
  }

  /** A write-once parameter (Alias) may be set while it still holds the CPE's own value. */
  private writeOnceOpen(path: string): boolean {
    const v = this.read(path);
    return v === '' || v.startsWith('cpe-');
  }

  /** Alias values: the TR-181 Alias syntax, and unique within their table (this request included). */
  private aliasRefusal(path: string, value: string, pending: ReadonlyMap<string, string>): string | undefined {
    const m = /^(.*\.)(\d+)\.Alias$/.exec(path);
    if (!m || !this.schema.tables.has(`${toSchemaPath(m[1]!)}{i}.`)) return undefined;
    if (!ALIAS.test(value) || value.startsWith('cpe-'))
      return 'an Alias starts with a letter, holds letters, digits, "_" or "-", and "cpe-" is the CPE\'s own prefix';
    const table = m[1]!;
    const taken = this.instanceIds(table).some((n) => String(n) !== m[2] && (pending.get(`${table}${n}.Alias`) ?? this.read(`${table}${n}.Alias`)) === value);
    return taken ? `Alias "${value}" is already used in ${table}` : undefined;
  }

  /** Full paths a path with "*" instance wildcards stands for. */
  private expandWildcards(path: string): string[] {
    const star = path.indexOf('.*.');
    if (star < 0) return [path];
    const table = path.slice(0, star + 1);
    if (!this.schema.tables.has(`${toSchemaPath(table)}{i}.`) || !this.instancesExist(table)) throw new CwmpFault(9005, path);
    return this.instanceIds(table).flatMap((n) => this.expandWildcards(`${table}${n}${path.slice(star + 2)}`));
  }

  /** Every instance named in a concrete path exists. */
  private instancesExist(path: string): boolean {
    // A path with no instance number is its own schema path (a cached lookup): no RegExp made for
    // it, and most paths read are such.
    if (toSchemaPath(path) === path) return true;
    const re = /\.(\d+)(?=\.)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(path)) !== null) {
      const tablePath = path.slice(0, m.index + 1);
      if (!this.instanceIds(tablePath).includes(Number(m[1]))) return false;
    }
    return true;
  }

  /** The schema object for a concrete object path; a table path ("...Connection.") is its own node. */
  private locateObject(path: string): { shape: ObjectShape; isTableNode: boolean } {
    const schemaPath = toSchemaPath(path);
    const asTable = this.schema.objects.get(`${schemaPath}{i}.`);
    if (asTable && !this.schema.objects.has(schemaPath) && this.instancesExist(path)) return { shape: asTable, isTableNode: true };
    const shape = this.schema.objects.get(schemaPath);
    if (!shape || !this.instancesExist(path)) throw new CwmpFault(9005, path);
    return { shape, isTableNode: false };
  }

  /** Objects and parameters at and below a concrete object path, to `depth` levels. */
  private *walk(
    shape: ObjectShape,
    path: string,
    isTableNode: boolean,
    depth: number,
  ): Generator<{ path: string; writable: boolean; def?: ParameterDefinition }> {
    if (isTableNode) {
      yield { path, writable: shape.table?.writable ?? false };
      if (depth < 1) return;
      for (const id of this.instanceIds(path)) yield* this.walk(shape, `${path}${id}.`, false, depth - 1);
      return;
    }
    yield { path, writable: shape.table?.writable ?? false };
    if (depth < 1) return;
    for (const p of shape.childParameters) {
      const name = path + p.name.slice(p.name.lastIndexOf('.') + 1);
      yield { path: name, writable: p.writable, def: p };
    }
    for (const childName of shape.childObjects) {
      const child = this.schema.objects.get(childName)!;
      if (child.table) {
        const segment = childName.slice(0, -5).slice(childName.slice(0, -5).lastIndexOf('.') + 1);
        yield* this.walk(child, `${path}${segment}.`, true, depth - 1);
      } else {
        const segment = childName.slice(0, -1).slice(childName.slice(0, -1).lastIndexOf('.') + 1);
        yield* this.walk(child, `${path}${segment}.`, false, depth - 1);
      }
    }
  }

  /** The parameters a full or partial path names; 9005 when it names none. */
  private resolve(requested: string): Resolved[] {
    const name = requested.includes('[') ? this.aliasToNumbers(requested) : requested;
    if (name === undefined) throw new CwmpFault(9005, requested);
    if (name.includes('.*.')) return this.expandWildcards(name).flatMap((p) => this.resolve(p));
    if (name === '' || name.endsWith('.')) {
      const start = name === '' ? { shape: this.schema.objects.get(this.schema.root)!, isTableNode: false } : this.locateObject(name);
      const out: Resolved[] = [];
      for (const item of this.walk(start.shape, name === '' ? this.schema.root : name, start.isTableNode, Infinity)) {
        if (item.def) out.push({ path: item.path, def: item.def });
      }
      return out;
    }
    const def = this.definitionOf(name);
    if (!def) throw new CwmpFault(9005, name);
    return [{ path: name, def }];
  }

  private definition(path: string): ParameterDefinition {
    const def = this.definitionOf(path);
    if (!def) throw new CwmpFault(9005, path);
    return def;
  }

  private wireValue(r: Resolved): ParameterValue {
    return { name: r.path, value: r.def.hidden ? '' : this.read(r.path), type: r.def.type };
  }

  private emit(names: string[], origin: ChangeOrigin): void {
    for (const l of this.listeners) l(names, origin);
  }

  private freshModel(): StoredModel {
    return { values: {}, notification: {}, accessList: {}, instances: {} };
  }
}

/** The concrete table path a NumberOfEntries parameter counts: its own object plus the table's last segment. */
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

function tableOf(parameterPath: string, countOf: string): string {
  const object = parameterPath.slice(0, parameterPath.lastIndexOf('.') + 1);
  const withoutI = countOf.slice(0, -5);
  return `${object + withoutI.slice(withoutI.lastIndexOf('.') + 1)}.`;
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
