/**
 * Bulk Data collection over HTTP (TR-181 Device.BulkData): for each enabled profile, at
 * TimeReference plus whole ReportingIntervals (or every interval from when it was enabled), the
 * referenced values are collected, encoded and sent; a failed send is retried with back-off
 * until the next interval (RetryEnable), and kept to go with the next report as
 * NumberOfRetainedFailedReports allows (across a reboot with PersistAcrossReboot).
 */
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { DataModel } from '../datamodel/data-model.js';
import { urlForLog } from '../log/redact.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { AtomicJsonFile } from '../storage/atomic-json-file.js';
import { uploadFile, type TransferTls } from '../transfers/http-file-transfer.js';
import {
  encodeReports,
  reportName,
  type CollectedReport,
  type EncodingSettings,
  type ParameterReference,
  type ReportValue,
  type TimestampFormat,
} from './report-encoding.js';

const BD = 'Device.BulkData.';
const UNKNOWN_TIME = Date.parse('0001-01-01T00:00:00Z');
/** Retained reports kept at most, whatever NumberOfRetainedFailedReports says (-1 is "unlimited"). */
const MAX_RETAINED = 256;
/** Values read for one report at most (TR-181 lets a CPE bound a report; a whole TR-181 tree is under 1,000). */
export const MAX_REPORT_VALUES = 4096;

export interface BulkDataHost {
  readonly model: DataModel;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface BulkDataOptions {
  /** Where retained reports of PersistAcrossReboot profiles are kept; memory only without. */
  stateDir?: string;
  tls?: TransferTls;
  random?: () => number;
  /** The address reports leave from (a fleet device's own). */
  localAddress?: string;
}

interface ProfileRun {
  instance: number;
  /** The settings it was scheduled with: a change of any reschedules it. */
  key: string;
  timer: TimerHandle | undefined;
  retryTimer: TimerHandle | undefined;
  retained: CollectedReport[];
  /** The report being sent (and retried) now. */
  pending: CollectedReport[] | undefined;
  attempts: number;
  controller: AbortController | undefined;
}

/** What one report cost, for the benchmark and the tests. */
export interface BulkDataCounts {
  sent: number;
  failed: number;
  retries: number;
}

export class BulkDataCollector {
  private readonly runs = new Map<number, ProfileRun>();
  private reconfigureQueued = false;
  private stopped = false;
  private readonly file: AtomicJsonFile<Record<string, CollectedReport[]>> | undefined;
  readonly counts: BulkDataCounts = { sent: 0, failed: 0, retries: 0 };

  constructor(
    private readonly host: BulkDataHost,
    private readonly o: BulkDataOptions = {},
  ) {
    this.file = o.stateDir ? new AtomicJsonFile(path.join(o.stateDir, 'bulkdata.json')) : undefined;
    host.model.addProvider({ objects: [BD], get: (p) => (p === `${BD}Status` ? this.status() : undefined) });
    host.model.onChange((names) => {
      if (names.some((n) => n.startsWith(BD))) this.queueReconfigure();
    });
    this.reconfigure();
  }

  private read(p: string): string {
    return this.host.model.read(p);
  }

  private status(): string {
    return this.read(`${BD}Enable`) === 'true' ? 'Enabled' : 'Disabled';
  }

  stop(): void {
    this.stopped = true;
    for (const run of this.runs.values()) this.cancel(run);
    this.runs.clear();
  }

  private queueReconfigure(): void {
    if (this.reconfigureQueued) return;
    this.reconfigureQueued = true;
    // One SetParameterValues (or an AddObject and the values after it) changes many settings at
    // once: look at them together, once the change in progress is done (no timer: nothing waits).
    queueMicrotask(() => {
      this.reconfigureQueued = false;
      if (!this.stopped) this.reconfigure();
    });
  }

  private cancel(run: ProfileRun): void {
    run.timer?.cancel();
    run.retryTimer?.cancel();
    run.controller?.abort('profile changed');
  }

  /** The profiles as configured now: new ones scheduled, changed ones rescheduled, gone ones stopped. */
  private reconfigure(): void {
    if (this.stopped) return;
    const on = this.read(`${BD}Enable`) === 'true';
    const wanted = new Set<number>();
    if (on) {
      for (const i of this.host.model.instanceIds(`${BD}Profile.`)) {
        const p = `${BD}Profile.${i}.`;
        if (this.read(`${p}Enable`) !== 'true' || this.read(`${p}Protocol`) !== 'HTTP' || !this.read(`${p}HTTP.URL`)) continue;
        wanted.add(i);
        const key = [this.read(`${p}ReportingInterval`), this.read(`${p}TimeReference`)].join('|');
        const existing = this.runs.get(i);
        if (existing?.key === key) continue;
        if (existing) this.cancel(existing);
        const run: ProfileRun = {
          instance: i,
          key,
          timer: undefined,
          retryTimer: undefined,
          retained: existing?.retained ?? this.loadRetained(i),
          pending: undefined,
          attempts: 0,
          controller: undefined,
        };
        this.runs.set(i, run);
        this.schedule(run, this.host.clock.now());
      }
    }
    for (const [i, run] of this.runs) {
      if (wanted.has(i)) continue;
      this.cancel(run);
      this.runs.delete(i);
    }
  }

  /** The next reporting moment after `from`: on TimeReference's grid, or one interval on. */
  private schedule(run: ProfileRun, from: number): void {
    const p = `${BD}Profile.${run.instance}.`;
    const interval = Math.max(1, Number(this.read(`${p}ReportingInterval`))) * 1000;
    const ref = Date.parse(this.read(`${p}TimeReference`));
    let next: number;
    if (Number.isFinite(ref) && ref !== UNKNOWN_TIME) {
      next = ref + Math.ceil((from - ref + 1) / interval) * interval;
    } else {
      next = from + interval;
    }
    run.timer = this.host.clock.setTimer(next - this.host.clock.now(), () => {
      this.report(run, next);
      this.schedule(run, next);
    });
  }

  private references(p: string, table: string): ParameterReference[] {
    return this.host.model.instanceIds(`${p}${table}.`).map((j) => ({
      name: this.read(`${p}${table}.${j}.Name`),
      reference: this.read(`${p}${table}.${j}.Reference`),
      exclude: table === 'Parameter' && this.read(`${p}${table}.${j}.Exclude`) === 'true',
    }));
  }

  /**
   * The values of a profile's references now, named as the profile says; excluded paths left out.
   * Bounded work: each distinct reference is expanded once a collection, and at most
   * MAX_REPORT_VALUES values are read for one report (a profile of 256 whole-tree references every
   * second would otherwise read the tree 256 times a second).
   */
  collect(instance: number): ReportValue[] {
    const refs = this.references(`${BD}Profile.${instance}.`, 'Parameter');
    const expansions = new Map<string, ReturnType<DataModel['getParameterValues']>>();
    let budget = MAX_REPORT_VALUES;
    const expand = (ref: ParameterReference) => {
      if (!ref.reference) return [];
      const known = expansions.get(ref.reference);
      if (known) return known;
      let values: ReturnType<DataModel['getParameterValues']> = [];
      if (budget > 0) {
        try {
          values = this.host.model.getParameterValues([ref.reference]).slice(0, budget);
        } catch {
          // A reference to something the device does not have is left out of the report.
        }
      }
      budget -= values.length;
      expansions.set(ref.reference, values);
      return values;
    };
    const excluded = new Set(refs.filter((r) => r.exclude).flatMap((r) => expand(r).map((v) => v.name)));
    const seen = new Set<string>();
    const out: ReportValue[] = [];
    for (const ref of refs.filter((r) => !r.exclude)) {
      for (const v of expand(ref)) {
        if (excluded.has(v.name) || seen.has(v.name)) continue;
        seen.add(v.name);
        out.push({ name: reportName(ref, v.name), value: v.value, type: v.type });
      }
    }
    return out;
  }

  private settings(p: string): EncodingSettings {
    const ts = (v: string): TimestampFormat => (v === 'ISO-8601' || v === 'None' ? v : 'Unix-Epoch');
    return {
      encoding: this.read(`${p}EncodingType`) === 'CSV' ? 'CSV' : 'JSON',
      json: {
        format: this.read(`${p}JSONEncoding.ReportFormat`) === 'NameValuePair' ? 'NameValuePair' : 'ObjectHierarchy',
        timestamp: ts(this.read(`${p}JSONEncoding.ReportTimestamp`)),
      },
      csv: {
        format: this.read(`${p}CSVEncoding.ReportFormat`) === 'ParameterPerRow' ? 'ParameterPerRow' : 'ParameterPerColumn',
        timestamp: ts(this.read(`${p}CSVEncoding.RowTimestamp`)),
        fieldSeparator: this.read(`${p}CSVEncoding.FieldSeparator`) || ',',
        rowSeparator: this.read(`${p}CSVEncoding.RowSeparator`).replace('&#13;', '\r').replace('&#10;', '\n') || '\r\n',
        escape: this.read(`${p}CSVEncoding.EscapeCharacter`).replace('&quot;', '"'),
      },
    };
  }

  /** A reporting moment: what failed before is retained (as allowed), and the new report goes with it. */
  private report(run: ProfileRun, at: number): void {
    const p = `${BD}Profile.${run.instance}.`;
    run.retryTimer?.cancel();
    run.controller?.abort('next interval');
    if (run.pending) {
      // The transmission that failed (retained reports and its own) is kept, the newest ones, as many as allowed.
      const keep = Number(this.read(`${p}NumberOfRetainedFailedReports`));
      const limit = keep < 0 ? MAX_RETAINED : Math.min(keep, MAX_RETAINED);
      run.retained = limit === 0 ? [] : run.pending.slice(-limit);
      this.saveRetained(run, p);
    }
    run.pending = [...run.retained, { time: at, values: this.collect(run.instance) }];
    run.attempts = 0;
    void this.send(run);
  }

  private async send(run: ProfileRun): Promise<void> {
    const p = `${BD}Profile.${run.instance}.`;
    const reports = run.pending;
    if (!reports || this.stopped) return;
    const encoded = encodeReports(reports, this.settings(p));
    const compression = this.read(`${p}HTTP.Compression`);
    const raw = Buffer.from(encoded.body, 'utf8');
    const body = compression === 'GZIP' ? gzipSync(raw) : compression === 'Deflate' ? deflateSync(raw) : raw;
    const headers: Record<string, string> = { 'BBF-Report-Format': encoded.reportFormat };
    if (compression === 'GZIP') headers['Content-Encoding'] = 'gzip';
    if (compression === 'Deflate') headers['Content-Encoding'] = 'deflate';
    if (this.read(`${p}HTTP.UseDateHeader`) === 'true') headers['Date'] = new Date(this.host.clock.now()).toUTCString();
    const url = this.requestUrl(p);
    const controller = new AbortController();
    run.controller = controller;
    run.attempts++;
    try {
      await uploadFile({
        url,
        username: this.read(`${p}HTTP.Username`),
        password: this.read(`${p}HTTP.Password`),
        tls: this.o.tls,
        ...(this.o.localAddress ? { localAddress: this.o.localAddress } : {}),
        signal: controller.signal,
        idleTimeoutMs: 30_000,
        body,
        method: this.read(`${p}HTTP.Method`) === 'PUT' ? 'PUT' : 'POST',
        contentType: encoded.contentType,
        headers,
      });
      if (run.pending !== reports) return;
      this.counts.sent++;
      run.pending = undefined;
      if (run.retained.length > 0) {
        run.retained = [];
        this.saveRetained(run, p);
      }
    } catch (err) {
      if (controller.signal.aborted || run.pending !== reports) return;
      this.counts.failed++;
      this.host.log.warn({ profile: run.instance, url: urlForLog(url), err: (err as Error).message }, 'bulk data report not delivered');
      if (this.read(`${p}HTTP.RetryEnable`) !== 'true') return;
      // TR-181's back-off: a random wait in [m·k^(n-1), m·k^n) seconds, until the next interval.
      const m = Number(this.read(`${p}HTTP.RetryMinimumWaitInterval`)) || 5;
      const k = (Number(this.read(`${p}HTTP.RetryIntervalMultiplier`)) || 2000) / 1000;
      const low = m * k ** (run.attempts - 1);
      const wait = (low + (this.o.random ?? Math.random)() * (low * k - low)) * 1000;
      this.counts.retries++;
      run.retryTimer = this.host.clock.setTimer(wait, () => void this.send(run));
    }
  }

  /** HTTP.URL with the RequestURIParameters' values in its query string. */
  private requestUrl(p: string): string {
    const url = new URL(this.read(`${p}HTTP.URL`));
    for (const ref of this.references(`${p}HTTP.`, 'RequestURIParameter')) {
      if (!ref.name || !ref.reference) continue;
      let value = '';
      try {
        value = this.host.model.read(ref.reference);
      } catch {
        // An unknown reference sends an empty value.
      }
      url.searchParams.append(ref.name, value);
    }
    return url.toString();
  }

  private loadRetained(instance: number): CollectedReport[] {
    const p = `${BD}Profile.${instance}.`;
    if (this.read(`${p}HTTP.PersistAcrossReboot`) !== 'true') return [];
    return this.file?.read()?.[String(instance)] ?? [];
  }

  private saveRetained(run: ProfileRun, p: string): void {
    if (!this.file || this.read(`${p}HTTP.PersistAcrossReboot`) !== 'true') return;
    try {
      this.file.write({ ...(this.file.read() ?? {}), [String(run.instance)]: run.retained });
    } catch (err) {
      this.host.log.warn({ err: (err as Error).message }, 'retained bulk data reports could not be saved');
    }
  }
}

/**
 * Bulk data for a device whose model has Device.BulkData: the collector is made at once when a
 * profile may be due (BulkData.Enable stored true), otherwise when the ACS first touches
 * Device.BulkData, so that a fleet's devices hold nothing until then (a class, not an object
 * literal with a getter: such a literal keeps a property dictionary of its own, 256 B a device).
 */
export class LazyBulkData {
  private made: BulkDataCollector | undefined;
  private stopped = false;

  constructor(
    private readonly host: BulkDataHost,
    private readonly o: BulkDataOptions = {},
  ) {
    const model = host.model;
    if (!model.definitionOf(`${BD}Enable`)) return;
    if (model.read(`${BD}Enable`) === 'true') this.made = new BulkDataCollector(host, o);
    else model.onChange((names) => this.touched(names));
  }

  get collector(): BulkDataCollector | undefined {
    return this.made;
  }

  stop(): void {
    this.stopped = true;
    this.made?.stop();
  }

  private touched(names: readonly string[]): void {
    if (!this.made && !this.stopped && names.some((n) => n.startsWith(BD))) this.made = new BulkDataCollector(this.host, this.o);
  }
}
