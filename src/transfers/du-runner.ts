/**
 * Carries out accepted ChangeDUState requests (and the device's own DU changes), one at a time
 * between sessions: each operation is marked started before it begins and its result saved
 * before the next; the device records each outcome with the change itself. After a power cut
 * at any point, an operation whose outcome the device recorded is reported as recorded, one it
 * did not is run again (at most three times), so the ACS gets exactly one DUStateChangeComplete,
 * telling the truth.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { failedResult, policyReports, type DuChangePolicy, type DuChangeRecord, type DuOperationRecord } from '../cwmp/du-change.js';
import type { AutonomousDuStateChangeCompleteRequest, DuStateChangeCompleteRequest } from '../cwmp/messages.js';
import { urlForLog } from '../log/redact.js';
import type { SoftwareModuleHooks } from '../providers/software/software-modules.js';
import type { Clock } from '../runtime/clock.js';
import type { DataModel } from '../datamodel/data-model.js';
import { DuChangePolicyPaths } from '../models/software-modules.js';
import { downloadFile, freeBytesIn, TransferAborted, type TransferTls } from './http-file-transfer.js';

/** What a finished DU change reports: DUStateChangeComplete for the ACS's, the autonomous one for the device's. */
export type DuChangeReport = DuStateChangeCompleteRequest | AutonomousDuStateChangeCompleteRequest;

export interface DuHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly sessionActive: boolean;
  readonly software: SoftwareModuleHooks | undefined;
  duChanges(): readonly DuChangeRecord[];
  /** Persists a change to one operation. */
  updateDuOperation(changeId: string, opId: string, patch: Partial<DuOperationRecord>): void;
  /** Removes the change and queues its report (if any) in one persisted step, then asks for a session. */
  finishDuChange(changeId: string, report: DuChangeReport | undefined): void;
  /** ManagementServer.DUStateChangeComplPolicy as it is now. */
  duChangePolicy(): DuChangePolicy;
}

export interface DuRunnerOptions {
  stagingDir?: string;
  tls?: TransferTls;
  idleTimeoutMs?: number;
  /** The address downloads leave from (a fleet device's own). */
  localAddress?: string;
  /** Largest package fetched, bytes. */
  maxPackageBytes?: number;
}

/** ManagementServer.DUStateChangeComplPolicy as the model holds it; off where the model has none (a TR-098 device). */
export function duChangePolicyOf(model: DataModel): DuChangePolicy {
  const read = (p: string): string => (model.definitionOf(p) ? model.read(p) : '');
  const list = (p: string): string[] =>
    read(p)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const resultType = read(DuChangePolicyPaths.resultTypeFilter);
  return {
    enable: read(DuChangePolicyPaths.enable) === 'true',
    operationTypes: list(DuChangePolicyPaths.operationTypeFilter),
    resultType: resultType === 'Success' || resultType === 'Failure' ? resultType : 'Both',
    faultCodes: list(DuChangePolicyPaths.faultCodeFilter),
  };
}

/** Starts a power cut may interrupt before the operation is reported as failed. */
const MAX_INTERRUPTIONS = 3;

export class DuRunner {
  private busy = false;
  private stopped = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly host: DuHost,
    private readonly o: DuRunnerOptions = {},
  ) {}

  private get stagingDir(): string {
    return this.o.stagingDir ?? path.join(os.tmpdir(), `cwmp-agent-${process.pid}`);
  }

  /** At boot: settles operations a power cut interrupted, from what the device recorded. */
  onBoot(): void {
    const software = this.host.software;
    for (const change of this.host.duChanges()) {
      for (const op of change.operations) {
        if (op.result || op.startedAt === null) continue;
        const recorded = software?.outcomeOf(op.id);
        if (recorded) {
          this.host.updateDuOperation(change.id, op.id, { result: recorded });
        } else if (op.attempts >= MAX_INTERRUPTIONS) {
          const fault = { faultCode: 9017, faultString: `interrupted ${op.attempts} times by restarts of the device` };
          this.host.updateDuOperation(change.id, op.id, { result: failedResult(op.op, fault, new Date(op.startedAt), new Date(this.host.clock.now())) });
        } else {
          this.host.log.warn({ operation: op.op.op, attempts: op.attempts }, 'deployment unit operation was interrupted by a restart; running it again');
          this.host.updateDuOperation(change.id, op.id, { startedAt: null });
        }
      }
    }
    this.forgetReported();
  }

  stop(): void {
    this.stopped = true;
    this.controller.abort('agent stopping');
  }

  /** Looks for work: after a change is queued, after a session, at boot. */
  wake(): void {
    if (this.stopped || this.busy || this.host.sessionActive) return;
    const next = this.host.duChanges()[0];
    if (!next) return;
    this.busy = true;
    void this.run(next)
      .catch((err: unknown) => {
        if (!(err instanceof TransferAborted)) this.host.log.error({ err }, 'deployment unit change failed unexpectedly');
      })
      .finally(() => {
        this.busy = false;
        if (!this.stopped) this.wake();
      });
  }

  private async run(change: DuChangeRecord): Promise<void> {
    const software = this.host.software;
    for (const op of change.operations) {
      if (op.result) continue;
      const startTime = new Date(this.host.clock.now());
      this.host.updateDuOperation(change.id, op.id, { startedAt: startTime.getTime(), attempts: op.attempts + 1 });
      const log = this.host.log.child({ commandKey: change.commandKey, operation: op.op.op, uuid: op.op.uuid || undefined });
      log.info('deployment unit operation starting');
      const result = software
        ? await software.perform(op.id, op.op, startTime, (url, username, password) => this.fetch(op.id, url, username, password, log))
        : failedResult(op.op, { faultCode: 9001, faultString: 'this device has no execution environment' }, startTime, new Date(this.host.clock.now()));
      if (result.fault.faultCode === 0) log.info({ uuid: result.uuid, version: result.version, state: result.currentState }, 'deployment unit operation done');
      else log.warn({ faultCode: result.fault.faultCode, reason: result.fault.faultString }, 'deployment unit operation failed');
      this.host.updateDuOperation(change.id, op.id, { result });
    }
    const done = this.host.duChanges().find((c) => c.id === change.id);
    if (!done) return;
    this.host.finishDuChange(change.id, this.report(done));
    this.forgetReported();
  }

  /** The report of a finished change: DUStateChangeComplete, or the autonomous one the policy lets through (maybe none). */
  private report(change: DuChangeRecord): DuStateChangeCompleteRequest | AutonomousDuStateChangeCompleteRequest | undefined {
    const results = change.operations.map((o) => o.result!);
    if (change.origin === 'ChangeDUState') return { method: 'DUStateChangeComplete', commandKey: change.commandKey, results };
    // A USP command's change is the USP endpoint's to tell, from the finished change itself.
    if (change.origin === 'USP') return undefined;
    const policy = this.host.duChangePolicy();
    const reported = change.operations.filter((o) => policyReports(policy, o.op.op, o.result!)).map((o) => ({ ...o.result!, operationPerformed: o.op.op }));
    return reported.length > 0 ? { method: 'AutonomousDUStateChangeComplete', results: reported } : undefined;
  }

  /** The device keeps outcomes only of operations still waiting to be reported. */
  private forgetReported(): void {
    this.host.software?.forgetOutcomes(new Set(this.host.duChanges().flatMap((c) => c.operations.map((o) => o.id))));
  }

  /** Fetches a package into the staging folder; the device removes it once unpacked. */
  private async fetch(opId: string, url: string, username: string, password: string, log: Logger): Promise<string> {
    fs.mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });
    const dest = path.join(this.stagingDir, `du-${opId}.part`);
    log.info({ url: urlForLog(url) }, 'fetching the deployment unit');
    try {
      await downloadFile({
        url,
        username,
        password,
        tls: this.o.tls,
        signal: this.controller.signal,
        idleTimeoutMs: this.o.idleTimeoutMs ?? 30_000,
        dest,
        expectedSize: 0,
        maxBytes: Math.min(freeBytesIn(this.stagingDir), this.o.maxPackageBytes ?? 512 * 1024 * 1024),
      });
    } catch (err) {
      if (!(err instanceof TransferAborted)) fs.rmSync(dest, { force: true });
      throw err;
    }
    return dest;
  }
}
