/**
 * Carries out queued transfers, one at a time, between sessions: waits for DelaySeconds or the
 * ScheduleDownload window, fetches or sends the file, hands a download to the device, reboots
 * where the file needs it, and turns every outcome into exactly one TransferComplete. Each step
 * is persisted before it starts, so after a power cut at any point the transfer resumes or its
 * outcome is reported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { CwmpFault } from '../cwmp/faults.js';
import { downloadKind, uploadTarget } from '../cwmp/file-types.js';
import type { AutonomousTransferCompleteRequest, TransferCompleteRequest, TransferFault } from '../cwmp/messages.js';
import { retriesAllowed, retryDelayMs, startDecision } from '../cwmp/time-windows.js';
import { transferCompleteFault, type AbsoluteWindow, type TransferRecord } from '../cwmp/transfer-record.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { DeviceFileHooks } from '../providers/device-files.js';
import { managementServerPaths } from '../models/device-core.js';
import { downloadFile, freeBytesIn, TransferAborted, uploadFile, type Endpoint, type TransferTls } from './http-file-transfer.js';
import { exportConfig, importConfig, isAgentConfig } from './config-file.js';
import { urlForLog } from '../log/redact.js';

/** How a transfer goes wrong on purpose (a test harness decides; see harness/misbehaviour.ts). */
export interface TransferMisbehaviour {
  /** Report this fault: at once, without fetching, or after `afterBytes` bytes of a real fetch. */
  fault?: { code: number; string: string; afterBytes?: number };
  /** Fetch no faster than this. */
  bytesPerSecond?: number;
}

/** What a finished transfer reports: TransferComplete for the ACS's own, AutonomousTransferComplete for the device's. */
export type TransferReport = TransferCompleteRequest | AutonomousTransferCompleteRequest;

export interface VendorLog {
  name: string;
  maximumSize: number;
  contents(): Buffer;
}

/** What the runner needs of the agent it works for. */
export interface TransferHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly model: DataModel;
  readonly files: DeviceFileHooks | undefined;
  readonly productClass: string;
  readonly sessionActive: boolean;
  transfers(): readonly TransferRecord[];
  updateTransfer(id: string, patch: Partial<TransferRecord>): void;
  /** Removes the transfer and queues its report (if any), persisted in one step, then asks for a session. */
  finishTransfer(id: string, report: TransferReport | undefined): void;
  /** Reboots the device now that a transfer left it ready to. */
  rebootForTransfer(): void;
  /** Boots to go through after a firmware install before reporting it (a misbehaving device, on purpose). */
  rebootLoopBoots?(t: TransferRecord): number | undefined;
  /** A failure to report instead of fetching (a misbehaving device, on purpose). */
  misbehaviour?(t: TransferRecord): TransferMisbehaviour | undefined;
}

export interface TransferRunnerOptions {
  /** Where downloads are staged; kept across restarts so that an interrupted one resumes. */
  stagingDir?: string;
  tls?: TransferTls;
  vendorLog?: VendorLog;
  /** Largest file accepted, bytes, whatever the free space. */
  maxFileBytes?: number;
  idleTimeoutMs?: number;
  /** Attempts a power cut may interrupt before the transfer is reported as failed. */
  maxInterruptions?: number;
  uploadMethod?: 'PUT' | 'POST';
  parameterKeyName: string;
  /** The address downloads and uploads leave from (a fleet device's own). */
  localAddress?: string;
}

const SUCCESS: TransferFault = { faultCode: 0, faultString: '' };

export class TransferRunner {
  private timer: TimerHandle | undefined;
  private busy = false;
  private stopped = false;
  private readonly running = new Map<string, AbortController>();
  /** Bytes so far of the transfers fetching now (for the LAN progress page), by transfer id. */
  private readonly fetched = new Map<string, { bytes: number; total: number | undefined }>();

  constructor(
    private readonly host: TransferHost,
    private readonly o: TransferRunnerOptions,
  ) {}

  private get stagingDir(): string {
    return this.o.stagingDir ?? path.join(os.tmpdir(), `cwmp-agent-${process.pid}`);
  }

  private stagedFile(t: TransferRecord): string {
    return path.join(this.stagingDir, `${t.id}.part`);
  }

  /**
   * At boot, before the first session: settles transfers a reboot or a power cut interrupted.
   * An install that reached the device is reported by what the device booted; one that did not
   * is reported as failed with the old firmware in place; a fetch resumes.
   */
  onBoot(): void {
    for (const t of [...this.host.transfers()]) {
      if (t.phase === 'transferring') {
        if (t.attempts >= (this.o.maxInterruptions ?? 3)) {
          this.finish(t, { faultCode: 9010, faultString: `File transfer failure: interrupted ${t.attempts} times by restarts of the device` });
        } else {
          this.host.log.warn({ commandKey: t.commandKey, attempts: t.attempts }, 'transfer was interrupted by a restart; resuming it');
          this.host.updateTransfer(t.id, { phase: 'queued' });
        }
      } else if (t.phase === 'installing' || t.phase === 'rebooting') {
        const outcome = this.host.files?.installOutcome(t.id);
        if (outcome === 'pending') continue;
        // A device made to loop: it boots, informs 1 BOOT, and reboots after that session, this many times first.
        const loop = outcome !== undefined && t.fileType === '1 Firmware Upgrade Image' ? (this.host.rebootLoopBoots?.(t) ?? 0) : 0;
        if ((t.loopBoots ?? 0) < loop) {
          this.host.updateTransfer(t.id, { loopBoots: (t.loopBoots ?? 0) + 1 });
          this.host.log.warn(
            { commandKey: t.commandKey, boot: (t.loopBoots ?? 0) + 1, of: loop },
            'rebooting again before reporting the upgrade (misbehaving on purpose)',
          );
          // After this boot's session: the timer fires once the boot has started it.
          this.host.clock.setTimer(0, () => this.host.rebootForTransfer());
          continue;
        }
        if (outcome === undefined) {
          this.finish(t, {
            faultCode: 9010,
            faultString: 'File transfer failure: the install was interrupted by a restart before it completed; the previous version is still in use',
          });
        } else if (outcome.ok) {
          this.host.log.info({ commandKey: t.commandKey, version: outcome.version }, 'firmware upgrade complete');
          this.finish(t, SUCCESS);
        } else {
          this.finish(t, { faultCode: outcome.faultCode, faultString: outcome.faultString });
        }
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    for (const c of this.running.values()) c.abort('agent stopping');
  }

  /** Looks for work: call after a transfer is queued, after a session, at boot. */
  wake(): void {
    if (this.stopped || this.busy) return;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.host.sessionActive) return;
    const now = this.host.clock.now();
    let nextAt = Infinity;
    for (const t of this.host.transfers()) {
      if (t.phase !== 'queued') continue;
      const d = startDecision(t, now);
      if (d.action === 'expired') {
        this.finish(t, { faultCode: 9020, faultString: 'Unable to complete download within specified time windows' });
        continue;
      }
      if (d.action === 'wait') {
        nextAt = Math.min(nextAt, d.until);
        continue;
      }
      this.busy = true;
      void this.run(t, d.window, d.deadline).finally(() => {
        this.busy = false;
        this.wake();
      });
      return;
    }
    if (nextAt < Infinity) this.timer = this.host.clock.setTimer(nextAt - now, () => this.wake());
  }

  /** CancelTransfer of one the runner may be working on: stops it, deletes its partial file. */
  /** How far the fetch of a transfer has come, while it is fetching. */
  progressOf(id: string): { bytes: number; total: number | undefined } | undefined {
    return this.fetched.get(id);
  }

  cancel(t: TransferRecord): void {
    this.running.get(t.id)?.abort('cancelled by the ACS');
    fs.rmSync(this.stagedFile(t), { force: true });
  }

  private async run(t: TransferRecord, window: AbsoluteWindow | undefined, deadline: number | undefined): Promise<void> {
    const log = this.host.log.child({ commandKey: t.commandKey, fileType: t.fileType });
    if (window?.mode === '4 Confirmation Needed' || window?.mode === '3 When Idle') {
      // No user interface and no user activity to wait for on this device: it is always idle,
      // and the message is logged for whoever watches it.
      if (window.userMessage) log.info({ userMessage: window.userMessage }, 'transfer window asks for confirmation');
    }
    const controller = new AbortController();
    this.running.set(t.id, controller);
    const deadlineTimer =
      deadline !== undefined ? this.host.clock.setTimer(deadline - this.host.clock.now(), () => controller.abort('window ended')) : undefined;
    const startedAt = this.host.clock.now();
    this.host.updateTransfer(t.id, { phase: 'transferring', attempts: t.attempts + 1, startedAt });
    log.info({ url: urlForLog(t.url), attempt: t.attempts + 1 }, t.isDownload ? 'download starting' : 'upload starting');
    try {
      if (t.isDownload) await this.download(t, controller.signal, log);
      else await this.upload(t, controller.signal, log);
    } catch (err) {
      if (!this.host.transfers().some((q) => q.id === t.id)) {
        log.info('transfer cancelled');
      } else if (err instanceof TransferAborted) {
        // The window closed (or the agent is stopping): try again in the next window, if any.
        log.warn({ reason: err.message }, 'transfer stopped');
        this.host.updateTransfer(t.id, { phase: 'queued', ...(deadline !== undefined ? { notBefore: deadline } : {}) });
      } else {
        const fault = err instanceof CwmpFault ? err : new CwmpFault(9010, `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
        this.failed(t, fault, window, log);
      }
    } finally {
      deadlineTimer?.cancel();
      this.running.delete(t.id);
    }
  }

  private failed(t: TransferRecord, fault: CwmpFault, window: AbsoluteWindow | undefined, log: Logger): void {
    const current = this.host.transfers().find((q) => q.id === t.id);
    const attempts = current?.attempts ?? t.attempts + 1;
    if (window && attempts <= retriesAllowed(window)) {
      const wait = retryDelayMs(attempts);
      log.warn({ faultCode: fault.faultCode, reason: fault.faultString, retryInSeconds: wait / 1000 }, 'transfer failed; retrying in its window');
      this.host.updateTransfer(t.id, { phase: 'queued', notBefore: this.host.clock.now() + wait });
      return;
    }
    log.warn({ faultCode: fault.faultCode, reason: fault.faultString }, 'transfer failed');
    fs.rmSync(this.stagedFile(t), { force: true });
    this.finish(t, { faultCode: fault.faultCode, faultString: fault.faultString });
  }

  /**
   * A small download the ACS can wait for: fetched and installed within the session, answered
   * with Status 0. Nothing is queued, so a failure is the Download's own fault and a power cut
   * leaves the ACS without an answer, to send the Download again.
   */
  async runInSession(t: TransferRecord): Promise<{ startTime: Date; completeTime: Date }> {
    const log = this.host.log.child({ commandKey: t.commandKey, fileType: t.fileType });
    const startTime = new Date(this.host.clock.now());
    const limitMs = this.o.idleTimeoutMs ?? 30_000;
    try {
      // A misbehaving device fails or drags here too: the ACS sees it in the DownloadResponse.
      const m = this.host.misbehaviour?.(t);
      if (m?.fault && !m.fault.afterBytes) throw new CwmpFault(m.fault.code, m.fault.string);
      const dest = await this.fetch(t, AbortSignal.timeout(limitMs), log, m);
      try {
        const outcome = await this.install(t, dest, log);
        if (outcome === 'reboot') throw new CwmpFault(9002, `${t.fileType} needs a reboot and cannot complete within the session`);
      } finally {
        fs.rmSync(dest, { force: true });
      }
    } catch (err) {
      if (err instanceof CwmpFault) throw err;
      if (err instanceof TransferAborted) throw new CwmpFault(9017, `the download took longer than ${limitMs / 1000} s`);
      throw new CwmpFault(9010, `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { startTime, completeTime: new Date(this.host.clock.now()) };
  }

  private async download(t: TransferRecord, signal: AbortSignal, log: Logger): Promise<void> {
    const m = this.host.misbehaviour?.(t);
    if (m?.fault && !m.fault.afterBytes) throw new CwmpFault(m.fault.code, m.fault.string);
    const dest = await this.fetch(t, signal, log, m);
    this.host.updateTransfer(t.id, { phase: 'installing' });
    const outcome = await this.install(t, dest, log);
    fs.rmSync(dest, { force: true });
    if (outcome === 'reboot') {
      this.host.updateTransfer(t.id, { phase: 'rebooting' });
      log.info('installed; rebooting to run it');
      this.host.rebootForTransfer();
      return;
    }
    this.finish(t, SUCCESS);
  }

  /** Where a transfer goes and how long the server may stay silent. */
  private endpoint(t: TransferRecord, signal: AbortSignal): Endpoint {
    const ep: Endpoint = { url: t.url, username: t.username, password: t.password, tls: this.o.tls, signal, idleTimeoutMs: this.o.idleTimeoutMs ?? 30_000 };
    if (this.o.localAddress) ep.localAddress = this.o.localAddress;
    return ep;
  }

  /** Fetches the file into the staging folder (resuming a partial one); returns its path. */
  private async fetch(t: TransferRecord, outer: AbortSignal, log: Logger, m?: TransferMisbehaviour): Promise<string> {
    const cut = m?.fault?.afterBytes ? m.fault : undefined;
    // A misbehaving device gives up after so many bytes, on purpose.
    const cutter = new AbortController();
    const signal = cut?.afterBytes ? AbortSignal.any([outer, cutter.signal]) : outer;
    fs.mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });
    const dest = this.stagedFile(t);
    const began = this.host.clock.now();
    let lastLog = 0;
    const maxBytes = Math.min(freeBytesIn(this.stagingDir), this.o.maxFileBytes ?? 4 * 1024 ** 3);
    let result: Awaited<ReturnType<typeof downloadFile>>;
    try {
      result = await downloadFile({
        ...this.endpoint(t, signal),
        dest,
        expectedSize: t.fileSize,
        maxBytes,
        bytesPerSecond: m?.bytesPerSecond,
        onProgress: (bytes, total) => {
          this.fetched.set(t.id, { bytes, total });
          if (cut?.afterBytes && bytes >= cut.afterBytes && !cutter.signal.aborted) cutter.abort();
          const now = this.host.clock.now();
          if (now - lastLog < 5_000) return;
          lastLog = now;
          log.info({ bytes, total, bytesPerSecond: Math.round(bytes / Math.max(0.001, (now - began) / 1000)) }, 'download progress');
        },
      });
    } catch (err) {
      if (cutter.signal.aborted && cut) throw new CwmpFault(cut.code, `${cut.string} after ${cut.afterBytes} bytes`);
      throw err;
    } finally {
      // Done, failed or stopped: no longer fetching.
      this.fetched.delete(t.id);
    }
    const seconds = Math.max(0.001, (this.host.clock.now() - began) / 1000);
    log.info(
      { bytes: result.bytes, resumedFrom: result.resumedFrom, bytesPerSecond: Math.round((result.bytes - result.resumedFrom) / seconds) },
      'download complete',
    );
    return dest;
  }

  private async install(t: TransferRecord, file: string, log: Logger): Promise<'done' | 'reboot'> {
    const kind = downloadKind(t.fileType);
    if (!kind) throw new CwmpFault(9010, `file type ${t.fileType} cannot be installed`);
    if (kind === 'vendorConfig') {
      const head = Buffer.alloc(256);
      const fd = fs.openSync(file, 'r');
      const n = fs.readSync(fd, head, 0, 256, 0);
      fs.closeSync(fd);
      if (isAgentConfig(head.subarray(0, n))) {
        const { applied, skipped } = importConfig(this.host.model, fs.readFileSync(file), this.o.parameterKeyName);
        log.info({ applied, skipped: skipped.length }, 'configuration restored');
        if (this.host.files)
          await this.host.files.applyDownload({ path: file, kind, fileType: t.fileType, targetFileName: t.targetFileName, url: t.url, transferId: t.id });
        return 'done';
      }
    }
    if (!this.host.files) throw new CwmpFault(9010, `this device has no place to install a ${t.fileType}`);
    return this.host.files.applyDownload({ path: file, kind, fileType: t.fileType, targetFileName: t.targetFileName, url: t.url, transferId: t.id });
  }

  private async upload(t: TransferRecord, signal: AbortSignal, log: Logger): Promise<void> {
    const target = uploadTarget(t.fileType);
    if (!target) throw new CwmpFault(9011, `file type ${t.fileType} cannot be uploaded`);
    let body: Buffer | undefined;
    let contentType = 'application/octet-stream';
    if (target.kind === 'vendorConfig') {
      if (target.instance === undefined || target.instance === 1) {
        body = exportConfig(this.host.model, new Date(this.host.clock.now()));
        contentType = 'application/json';
      } else {
        body = this.host.files?.vendorConfigFile(target.instance);
      }
      if (!body) throw new CwmpFault(9011, `there is no Device.DeviceInfo.VendorConfigFile.${target.instance}`);
    } else {
      if (target.instance !== undefined && target.instance !== 1) throw new CwmpFault(9011, `there is no Device.DeviceInfo.VendorLogFile.${target.instance}`);
      body = this.o.vendorLog?.contents() ?? Buffer.alloc(0);
      contentType = 'text/plain';
    }
    await uploadFile({
      ...this.endpoint(t, signal),
      body,
      method: this.o.uploadMethod ?? 'PUT',
      contentType,
    });
    log.info({ bytes: body.length }, 'upload complete');
    this.finish(t, SUCCESS);
  }

  /** ManagementServer.AutonomousTransferCompletePolicy: off by default; filters by direction, result and file type. */
  private autonomousReported(t: TransferRecord, success: boolean): boolean {
    const m = this.host.model;
    const ATC = managementServerPaths(m.schema.root).atcPolicy;
    const read = (n: string): string => (m.definitionOf(ATC + n) ? m.read(ATC + n) : '');
    if (read('Enable') !== 'true') return false;
    const direction = read('TransferTypeFilter');
    if (direction !== 'Both' && direction !== (t.isDownload ? 'Download' : 'Upload')) return false;
    const result = read('ResultTypeFilter');
    if (result !== 'Both' && result !== (success ? 'Success' : 'Failure')) return false;
    const types = read('FileTypeFilter')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    return types.length === 0 || types.includes(t.fileType);
  }

  private finish(t: TransferRecord, outcome: TransferFault): void {
    const current = this.host.transfers().find((q) => q.id === t.id) ?? t;
    const fault = transferCompleteFault(outcome.faultCode, outcome.faultString, current.isDownload);
    const startTime = current.startedAt !== null ? new Date(current.startedAt) : null;
    const completeTime = current.startedAt !== null ? new Date(this.host.clock.now()) : null;
    if (current.origin === 'Autonomous') {
      if (!this.autonomousReported(current, fault.faultCode === 0)) {
        this.host.log.info({ fileType: current.fileType, faultCode: fault.faultCode }, "autonomous transfer done; the ACS's policy does not ask to hear of it");
        this.host.finishTransfer(t.id, undefined);
        return;
      }
      this.host.finishTransfer(t.id, {
        method: 'AutonomousTransferComplete',
        announceURL: '',
        transferURL: current.url,
        isDownload: current.isDownload,
        fileType: current.fileType,
        fileSize: current.fileSize,
        targetFileName: current.targetFileName,
        fault,
        startTime,
        completeTime,
      });
      return;
    }
    // A USP command's transfer: the outcome in TransferComplete's shape, for the USP endpoint (no M event).
    const causedBy = current.origin === 'USP' ? undefined : current.origin;
    this.host.finishTransfer(t.id, {
      method: 'TransferComplete',
      commandKey: current.commandKey,
      fault,
      startTime,
      completeTime,
      ...(causedBy ? { causedBy } : {}),
    });
  }
}
