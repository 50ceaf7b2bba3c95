/**
 * A device's software modules (TR-181 Device.SoftwareModules): its execution environments, the
 * deployment units installed into them and their execution units. Carries out one ChangeDUState
 * operation at a time and records its outcome under the operation's id in the same write as the
 * change itself, so that after a power cut the agent learns exactly what happened. Packages live
 * under `<dir>/software/du/<instance>`; without a dir (a fleet device) only their records are kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CwmpFault } from '../../cwmp/faults.js';
import { deploymentUnitUuid, failedResult, operationPrecheck } from '../../cwmp/du-change.js';
import type { DuOperation, DuOpResult } from '../../cwmp/messages.js';
import type { Provider } from '../../datamodel/provider.js';
import { AtomicJsonFile } from '../../storage/atomic-json-file.js';
import { folderBytes, unpackDuPackage, type DuManifest } from './du-package.js';
import type { ExecutionRuntime, RunnableUnit } from './execution-runtime.js';
import {
  deploymentUnitValue,
  emptySoftwareState,
  execEnvValue,
  executionUnitValue,
  SOFTWARE_MODULES_OBJECTS,
  SoftwareModulesPaths,
  type SoftwareState,
  type StoredDu,
  type StoredEu,
} from './software-module-values.js';

export { SoftwareModulesPaths, SOFTWARE_MODULES_OBJECTS };

/** Fetches a package for an operation: the staged archive's path. Throws the CwmpFault of a failed transfer. */
export type PackageFetcher = (url: string, username: string, password: string) => Promise<string>;

/** What the agent's DU runner asks of the device. A device integrator may implement it for other execution environments. */
export interface SoftwareModuleHooks {
  /** Carries out one operation: a failure is the result's fault; throws only what `fetch` throws when the agent stops (TransferAborted). */
  perform(opId: string, op: DuOperation, startTime: Date, fetch: PackageFetcher): Promise<DuOpResult>;
  /** An operation's outcome, when it was recorded (it completed, even if the agent did not learn of it). */
  outcomeOf(opId: string): DuOpResult | undefined;
  /** Drops recorded outcomes except those of `keep` (the operations still in the agent's queue). */
  forgetOutcomes(keep: ReadonlySet<string>): void;
  /** As the device starts: starts the units that are to run. */
  boot(): void;
}

/** Deployment units one device may hold; more is 9027. */
export const MAX_DEPLOYMENT_UNITS = 32;

/** Compares dotted versions numerically where both parts are numbers ("1.10" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const c = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}

export interface SoftwareModulesOptions {
  /** Where packages and records live; undefined keeps records in memory and no package files (fleets). */
  dir: string | undefined;
  runtime: ExecutionRuntime;
  now: () => number;
  /** Told when values change by themselves (a unit started or stopped), for notifications. */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export class SoftwareModules implements SoftwareModuleHooks, Provider {
  private state: SoftwareState | undefined;
  private readonly file: AtomicJsonFile<SoftwareState> | undefined;
  private changed: ((paths: string[]) => void) | undefined;

  constructor(private readonly o: SoftwareModulesOptions) {
    this.file = o.dir ? new AtomicJsonFile(path.join(o.dir, 'software.json')) : undefined;
    o.runtime.onChange = (euid) => {
      const eu = this.s.executionUnits.find((e) => e.euid === euid);
      if (eu)
        this.changed?.([
          `${SoftwareModulesPaths.executionUnit}${eu.instance}.Status`,
          `${SoftwareModulesPaths.executionUnit}${eu.instance}.ExecutionFaultCode`,
        ]);
    };
  }

  /** Loaded on first use: a fleet device that is never asked holds nothing. */
  private get s(): SoftwareState {
    this.state ??= { ...emptySoftwareState(), ...(this.file?.read() ?? {}) };
    return this.state;
  }

  private save(): void {
    this.file?.write(this.s);
  }

  private get packagesDir(): string | undefined {
    return this.o.dir ? path.join(this.o.dir, 'software', 'du') : undefined;
  }

  private runnable(eu: StoredEu): RunnableUnit {
    const dir = this.packagesDir ? path.join(this.packagesDir, String(eu.du)) : undefined;
    return { euid: eu.euid, dir, command: eu.command, env: eu.env, stopTimeoutSeconds: eu.stopTimeoutSeconds };
  }

  private envEnabled(ee: number): boolean {
    return !this.s.disabledEnvs.includes(ee);
  }

  boot(): void {
    // A fleet device that never had a unit: nothing to load or start.
    if (!this.state && !this.file) return;
    this.sweep();
    for (const eu of this.s.executionUnits) {
      const du = this.s.units.find((d) => d.instance === eu.du);
      if (du && this.envEnabled(du.ee) && (eu.requestedState === 'Active' || eu.autoStart)) {
        eu.requestedState = 'Active';
        this.o.runtime.start(this.runnable(eu), true);
      }
    }
  }

  /** Folders no unit owns: an unpack or an uninstall a power cut interrupted. */
  private sweep(): void {
    const dir = this.packagesDir;
    if (!dir || !fs.existsSync(dir)) return;
    // An Update cut between its two renames: the unit's folder is still `<n>.old`, and its record
    // still names the old version (saved only after both), so the old folder goes back.
    for (const du of this.s.units) {
      const live = path.join(dir, String(du.instance));
      if (!fs.existsSync(live) && fs.existsSync(`${live}.old`)) fs.renameSync(`${live}.old`, live);
    }
    const owned = new Set(this.s.units.map((d) => String(d.instance)));
    for (const name of fs.readdirSync(dir)) if (!owned.has(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }

  outcomeOf(opId: string): DuOpResult | undefined {
    const r = this.s.outcomes[opId];
    if (!r) return undefined;
    return { ...r, startTime: r.startTime ? new Date(r.startTime) : null, completeTime: r.completeTime ? new Date(r.completeTime) : null };
  }

  forgetOutcomes(keep: ReadonlySet<string>): void {
    const ids = Object.keys(this.s.outcomes);
    if (ids.every((id) => keep.has(id))) return;
    for (const id of ids) if (!keep.has(id)) delete this.s.outcomes[id];
    this.save();
  }

  async perform(opId: string, op: DuOperation, startTime: Date, fetch: PackageFetcher): Promise<DuOpResult> {
    const known = this.outcomeOf(opId);
    if (known) return known;
    const pre = operationPrecheck(op);
    let result: DuOpResult;
    if (pre) {
      result = failedResult(op, pre, startTime, new Date(this.o.now()));
    } else {
      try {
        result =
          op.op === 'Install'
            ? await this.install(opId, op, startTime, fetch)
            : op.op === 'Update'
              ? await this.update(opId, op, startTime, fetch)
              : await this.uninstall(opId, op, startTime);
      } catch (err) {
        // The agent is stopping: nothing is recorded, and the operation runs again at the next start.
        if (err instanceof Error && err.name === 'TransferAborted') throw err;
        const fault = err instanceof CwmpFault ? err : new CwmpFault(9001, `unexpected error: ${(err as Error).message}`);
        const unit = this.findForResult(op);
        result = failedResult(op, fault, startTime, new Date(this.o.now()), unit ? this.resultFields(unit) : undefined);
      }
    }
    if (result.fault.faultCode !== 0) {
      // A failure changed nothing on the device; its outcome is recorded all the same.
      this.s.outcomes[opId] = result;
      this.save();
    }
    return result;
  }

  private findForResult(op: DuOperation): StoredDu | undefined {
    if (op.op === 'Install' || !op.uuid) return undefined;
    return this.s.units.find((d) => d.uuid.toLowerCase() === op.uuid.toLowerCase());
  }

  private resultFields(du: StoredDu): Partial<DuOpResult> {
    return {
      uuid: du.uuid,
      deploymentUnitRef: `${SoftwareModulesPaths.deploymentUnit}${du.instance}`,
      version: du.version,
      resolved: true,
      executionUnitRefList: this.executionUnitRefs(du),
    };
  }

  /** The unit's ExecutionUnit rows, as a comma-separated list of paths. */
  private executionUnitRefs(du: StoredDu): string {
    return this.s.executionUnits
      .filter((e) => e.du === du.instance)
      .map((e) => `${SoftwareModulesPaths.executionUnit}${e.instance}`)
      .join(',');
  }

  private success(du: StoredDu, startTime: Date): DuOpResult {
    return {
      ...(this.resultFields(du) as Required<Pick<DuOpResult, 'uuid' | 'deploymentUnitRef' | 'version' | 'resolved' | 'executionUnitRefList'>>),
      currentState: 'Installed',
      startTime,
      completeTime: new Date(this.o.now()),
      fault: { faultCode: 0, faultString: '' },
    };
  }

  /** "Device.SoftwareModules.ExecEnv.1", with or without the root or the final dot; the first when empty. */
  private resolveEnv(ref: string): number {
    if (!ref) return 1;
    const m = /^(?:Device)?\.?SoftwareModules\.ExecEnv\.(\d+)\.?$/.exec(ref.trim());
    if (!m || Number(m[1]) !== 1) throw new CwmpFault(9023, `no execution environment "${ref.slice(0, 64)}" on this device`);
    return 1;
  }

  /** Unpacks a fetched archive next to where it will live; the caller moves or removes it. */
  private async unpack(archive: string, key: string): Promise<{ dir: string; manifest: DuManifest }> {
    const base = this.packagesDir ?? os.tmpdir();
    fs.mkdirSync(base, { recursive: true, mode: 0o755 });
    const dir = path.join(base, `.unpack-${key}-${process.pid}`);
    try {
      return { dir, manifest: await unpackDuPackage(archive, dir) };
    } catch (err) {
      // A package refused halfway leaves nothing of itself beside the installed units.
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    } finally {
      fs.rmSync(archive, { force: true });
    }
  }

  private async install(opId: string, op: Extract<DuOperation, { op: 'Install' }>, startTime: Date, fetch: PackageFetcher): Promise<DuOpResult> {
    const ee = this.resolveEnv(op.executionEnvRef);
    if (!this.envEnabled(ee)) throw new CwmpFault(9024, `ExecEnv.${ee} is disabled`);
    if (this.s.units.length >= MAX_DEPLOYMENT_UNITS) throw new CwmpFault(9027, `${MAX_DEPLOYMENT_UNITS} deployment units are installed already`);
    const { dir, manifest } = await this.unpack(await fetch(op.url, op.username, op.password), opId);
    try {
      if (manifest.executionEnvType && manifest.executionEnvType !== this.o.runtime.type) {
        throw new CwmpFault(9025, `the unit needs a ${manifest.executionEnvType} execution environment; ExecEnv.${ee} is ${this.o.runtime.type}`);
      }
      const uuid = (op.uuid || deploymentUnitUuid(manifest.vendor, manifest.name)).toLowerCase();
      const clash = this.s.units.find((d) => d.uuid === uuid && d.ee === ee);
      if (clash) throw new CwmpFault(9026, `${uuid} is installed already (DeploymentUnit.${clash.instance}, version ${clash.version})`);
      const now = this.o.now();
      const du: StoredDu = {
        instance: this.s.nextDu++,
        uuid,
        name: manifest.name,
        url: op.url,
        vendor: manifest.vendor,
        version: manifest.version,
        description: manifest.description,
        ee,
        installedAt: now,
        lastUpdate: now,
        diskKiB: Math.ceil(folderBytes(dir) / 1024),
        executionEnvType: manifest.executionEnvType,
      };
      if (this.packagesDir) {
        // A folder left by an install a power cut stopped before its record was saved.
        fs.rmSync(path.join(this.packagesDir, String(du.instance)), { recursive: true, force: true });
        fs.renameSync(dir, path.join(this.packagesDir, String(du.instance)));
      }
      this.s.units.push(du);
      for (const m of manifest.executionUnits) this.s.executionUnits.push(this.newEu(du, m));
      return this.commitInstalled(opId, du, startTime);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Saves the unit and the operation's outcome in one write (after a power cut: both or neither), then starts what is to run. */
  private commitInstalled(opId: string, du: StoredDu, startTime: Date): DuOpResult {
    const result = (this.s.outcomes[opId] = this.success(du, startTime));
    this.save();
    this.startAuto(du);
    return result;
  }

  private newEu(du: StoredDu, m: DuManifest['executionUnits'][number]): StoredEu {
    const instance = this.s.nextEu++;
    return {
      instance,
      euid: `eu${instance}-${m.name}`.slice(0, 64),
      name: m.name,
      du: du.instance,
      command: m.command,
      env: m.env,
      autoStart: m.autoStart,
      runLevel: m.runLevel,
      description: m.description,
      requestedState: m.autoStart ? 'Active' : 'Idle',
      stopTimeoutSeconds: m.stopTimeoutSeconds,
    };
  }

  private startAuto(du: StoredDu): void {
    if (!this.envEnabled(du.ee)) return;
    // Started because AutoStart says so: a failure is FailureOnAutoStart.
    for (const eu of this.s.executionUnits) if (eu.du === du.instance && eu.requestedState === 'Active') this.o.runtime.start(this.runnable(eu), eu.autoStart);
  }

  /** Stops a unit's execution units; the first that will not stop is 9029. */
  private async stopUnits(du: StoredDu): Promise<void> {
    for (const eu of this.s.executionUnits.filter((e) => e.du === du.instance)) {
      if (!(await this.o.runtime.stop(this.runnable(eu)))) {
        throw new CwmpFault(9029, `ExecutionUnit.${eu.instance} (${eu.name}) would not stop`);
      }
    }
  }

  private findUnit(uuid: string, version: string, url: string): StoredDu {
    const du = uuid ? this.s.units.find((d) => d.uuid === uuid.toLowerCase()) : this.s.units.find((d) => d.url === url);
    if (!du) throw new CwmpFault(9028, uuid ? `no deployment unit ${uuid}` : `no deployment unit was installed from ${url.slice(0, 64)}`);
    if (version && du.version !== version) throw new CwmpFault(9028, `deployment unit ${du.uuid} is at version ${du.version}, not ${version}`);
    return du;
  }

  private async update(opId: string, op: Extract<DuOperation, { op: 'Update' }>, startTime: Date, fetch: PackageFetcher): Promise<DuOpResult> {
    const du = this.findUnit(op.uuid, op.version, op.url);
    if (!this.envEnabled(du.ee)) throw new CwmpFault(9024, `ExecEnv.${du.ee} is disabled`);
    const url = op.url || du.url;
    const { dir, manifest } = await this.unpack(await fetch(url, op.username, op.password), opId);
    try {
      if (manifest.name !== du.name || manifest.vendor !== du.vendor) {
        throw new CwmpFault(9003, `${url.slice(0, 64)} holds ${manifest.vendor}/${manifest.name}, not ${du.vendor}/${du.name}`);
      }
      const order = compareVersions(manifest.version, du.version);
      if (order === 0) throw new CwmpFault(9032, `version ${du.version} is installed already`);
      if (order < 0) throw new CwmpFault(9030, `${manifest.version} is older than the installed ${du.version}`);
      const wasActive = new Set(this.s.executionUnits.filter((e) => e.du === du.instance && e.requestedState === 'Active').map((e) => e.name));
      await this.stopUnits(du);
      if (this.packagesDir) {
        const live = path.join(this.packagesDir, String(du.instance));
        const old = `${live}.old`;
        fs.rmSync(old, { recursive: true, force: true });
        if (fs.existsSync(live)) fs.renameSync(live, old);
        fs.renameSync(dir, live);
        fs.rmSync(old, { recursive: true, force: true });
      }
      Object.assign(du, { url, version: manifest.version, description: manifest.description, lastUpdate: this.o.now(), diskKiB: this.diskOf(du) });
      const kept: StoredEu[] = [];
      for (const m of manifest.executionUnits) {
        const existing = this.s.executionUnits.find((e) => e.du === du.instance && e.name === m.name);
        if (existing) {
          Object.assign(existing, { command: m.command, env: m.env, description: m.description, stopTimeoutSeconds: m.stopTimeoutSeconds });
          existing.requestedState = wasActive.has(m.name) ? 'Active' : 'Idle';
          kept.push(existing);
        } else kept.push(this.newEu(du, m));
      }
      for (const gone of this.s.executionUnits.filter((e) => e.du === du.instance && !kept.includes(e))) this.o.runtime.forget(gone.euid);
      this.s.executionUnits = [...this.s.executionUnits.filter((e) => e.du !== du.instance), ...kept];
      return this.commitInstalled(opId, du, startTime);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private diskOf(du: StoredDu): number {
    if (!this.packagesDir) return du.diskKiB;
    try {
      return Math.ceil(folderBytes(path.join(this.packagesDir, String(du.instance))) / 1024);
    } catch {
      return du.diskKiB;
    }
  }

  private async uninstall(opId: string, op: Extract<DuOperation, { op: 'Uninstall' }>, startTime: Date): Promise<DuOpResult> {
    if (op.executionEnvRef) this.resolveEnv(op.executionEnvRef);
    const du = this.findUnit(op.uuid, op.version, '');
    await this.stopUnits(du);
    for (const eu of this.s.executionUnits.filter((e) => e.du === du.instance)) this.o.runtime.forget(eu.euid);
    this.s.executionUnits = this.s.executionUnits.filter((e) => e.du !== du.instance);
    this.s.units = this.s.units.filter((d) => d !== du);
    const result: DuOpResult = (this.s.outcomes[opId] = {
      uuid: du.uuid,
      deploymentUnitRef: '',
      version: du.version,
      currentState: 'Uninstalled',
      resolved: true,
      executionUnitRefList: '',
      startTime,
      completeTime: new Date(this.o.now()),
      fault: { faultCode: 0, faultString: '' },
    });
    this.save();
    if (this.packagesDir) fs.rmSync(path.join(this.packagesDir, String(du.instance)), { recursive: true, force: true });
    return result;
  }

  /* ---------- Device.SoftwareModules values ---------- */

  private euByInstance(n: number): StoredEu | undefined {
    return this.s.executionUnits.find((e) => e.instance === n);
  }

  /* ---------- Provider: the units as they are, RequestedState and Enable acting on them ---------- */

  readonly objects = SOFTWARE_MODULES_OBJECTS;

  instances(table: string): number[] | undefined {
    const P = SoftwareModulesPaths;
    if (table === P.execEnv) return [1];
    if (table === P.deploymentUnit) return this.s.units.map((d) => d.instance);
    if (table === P.executionUnit) return this.s.executionUnits.map((e) => e.instance);
    return undefined;
  }

  get(p: string): string | undefined {
    const m = /^Device\.SoftwareModules\.(ExecEnv|DeploymentUnit|ExecutionUnit)\.(\d+)\.(\w+)$/.exec(p);
    if (!m) return undefined;
    const n = Number(m[2]);
    if (m[1] === 'ExecEnv')
      return n === 1
        ? execEnvValue(field(m), { runtime: this.o.runtime, enabled: this.envEnabled(1), dir: this.o.dir, units: this.s.executionUnits })
        : undefined;
    if (m[1] === 'DeploymentUnit') {
      const du = this.s.units.find((d) => d.instance === n);
      return du ? deploymentUnitValue(du, field(m), this.executionUnitRefs(du)) : undefined;
    }
    const eu = this.euByInstance(n);
    return eu
      ? executionUnitValue(
          eu,
          field(m),
          this.o.runtime,
          this.s.units.find((d) => d.instance === eu.du),
        )
      : undefined;
  }

  validate(p: string, value: string): string | undefined {
    const m = /^Device\.SoftwareModules\.ExecutionUnit\.(\d+)\.RequestedState$/.exec(p);
    if (!m || value !== 'Active') return undefined;
    const eu = this.euByInstance(Number(m[1]));
    const du = eu && this.s.units.find((d) => d.instance === eu.du);
    return du && !this.envEnabled(du.ee) ? `ExecEnv.${du.ee} is disabled` : undefined;
  }

  subscribe(changed: (paths: string[]) => void): () => void {
    this.changed = changed;
    return () => {
      this.changed = undefined;
    };
  }

  set(p: string, value: string): void {
    this.setValue(p, value);
  }

  private setValue(p: string, value: string): void {
    let m = /^Device\.SoftwareModules\.ExecutionUnit\.(\d+)\.(RequestedState|AutoStart|RunLevel)$/.exec(p);
    if (m) {
      const eu = this.euByInstance(Number(m[1]));
      if (!eu) return;
      if (m[2] === 'AutoStart') eu.autoStart = value === 'true' || value === '1';
      else if (m[2] === 'RunLevel') eu.runLevel = Number(value);
      else {
        eu.requestedState = value === 'Active' ? 'Active' : 'Idle';
        if (eu.requestedState === 'Active') this.o.runtime.start(this.runnable(eu), false);
        else void this.o.runtime.stop(this.runnable(eu));
      }
      this.save();
      return;
    }
    m = /^Device\.SoftwareModules\.ExecEnv\.1\.(Enable|Reset)$/.exec(p);
    if (!m) return;
    const on = value === 'true' || value === '1';
    if (m[1] === 'Enable') {
      this.s.disabledEnvs = on ? [] : [1];
      this.save();
    }
    if (m[1] === 'Reset' && !on) return;
    // Disabling stops the environment's units; enabling or a reset (re)starts those that are to run.
    void this.restartEnvironment(m[1] === 'Enable' && !on);
  }

  private async restartEnvironment(stopOnly: boolean): Promise<void> {
    for (const eu of this.s.executionUnits) await this.o.runtime.stop(this.runnable(eu));
    if (stopOnly) return;
    for (const du of this.s.units) this.startAuto(du);
  }
}

/** The field a Device.SoftwareModules path match names (its last segment). */
function field(m: RegExpExecArray): string {
  return m[3]!;
}
