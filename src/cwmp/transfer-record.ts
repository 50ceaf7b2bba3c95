/**
 * A file transfer the agent has accepted, as it is persisted until its outcome is reported:
 * built from Download, Upload or ScheduleDownload after checking every argument (the checks
 * that fail here become the RPC's fault; later failures go into TransferComplete).
 */
import { CwmpFault } from './faults.js';
import type { AcsRequestOf, QueuedTransfer, TimeWindow } from './messages.js';
import { downloadKind, transferProtocolSupported, uploadTarget } from './file-types.js';

/**
 * Which RPC queued it; Autonomous: the device started it itself (AutonomousTransferComplete);
 * USP: a USP Controller's command (told as OperationComplete over USP, never to the ACS).
 */
export type TransferOrigin = 'Download' | 'ScheduleDownload' | 'Upload' | 'Autonomous' | 'USP';

/** A ScheduleDownload window in absolute time. */
export interface AbsoluteWindow {
  start: number;
  end: number;
  mode: string;
  userMessage: string;
  /** -1: the agent decides; 0: no retries; n: at most n retries in this window. */
  maxRetries: number;
}

export type TransferPhase =
  /** Waiting for its DelaySeconds or its window. */
  | 'queued'
  /** Fetching or sending the file. */
  | 'transferring'
  /** Handing the file to the device. */
  | 'installing'
  /** Installed; takes effect with the reboot that follows. */
  | 'rebooting';

export interface TransferRecord {
  /** The agent's own id, unique on this device; the ACS knows the CommandKey only. */
  id: string;
  origin: TransferOrigin;
  commandKey: string;
  isDownload: boolean;
  fileType: string;
  url: string;
  username: string;
  password: string;
  fileSize: number;
  targetFileName: string;
  successURL: string;
  failureURL: string;
  /** Epoch ms: when the RPC was accepted, and the earliest start (DelaySeconds). */
  acceptedAt: number;
  notBefore: number;
  windows: AbsoluteWindow[];
  phase: TransferPhase;
  /** Attempts begun, including ones a power cut interrupted. */
  attempts: number;
  /** Epoch ms when the current attempt began. */
  startedAt: number | null;
  /** Boots since the install that did not yet report it (a device made to loop in reboots). */
  loopBoots?: number;
}

/** How many transfers may wait at once; more is 9004. TR-069 asks for at least 3. */
export const MAX_QUEUED_TRANSFERS = 16;

const limit = (value: string, max: number, field: string): void => {
  if (value.length > max) throw new CwmpFault(9003, `${field} is longer than ${max} characters`);
};

function checkCommon(req: { commandKey: string; url: string; username: string; password: string }): void {
  limit(req.commandKey, 32, 'CommandKey');
  limit(req.url, 256, 'URL');
  limit(req.username, 256, 'Username');
  limit(req.password, 256, 'Password');
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new CwmpFault(9003, `URL "${req.url.slice(0, 64)}" is not a valid URL`);
  }
  if (!transferProtocolSupported(req.url)) throw new CwmpFault(9013, `${url.protocol.replace(':', '')} is not supported; use http or https`);
  if (url.username || url.password) throw new CwmpFault(9003, 'URL must not carry credentials; use Username and Password');
}

/** What Download and ScheduleDownload both name: a file type this device takes, its target name and size. */
function checkDownloadFile(req: { fileType: string; targetFileName: string; fileSize: number }): void {
  if (!downloadKind(req.fileType)) throw new CwmpFault(9003, `FileType "${req.fileType.slice(0, 64)}" is not one this device accepts`);
  limit(req.targetFileName, 256, 'TargetFileName');
  if (!Number.isInteger(req.fileSize) || req.fileSize < 0) throw new CwmpFault(9003, 'FileSize must be an unsigned integer');
}

function checkQueueRoom(queue: readonly TransferRecord[]): void {
  if (queue.length >= MAX_QUEUED_TRANSFERS) throw new CwmpFault(9004, `${queue.length} transfers are already queued`);
}

export function acceptDownload(req: AcsRequestOf<'Download'>, queue: readonly TransferRecord[], now: number, id: string): TransferRecord {
  checkCommon(req);
  checkDownloadFile(req);
  limit(req.successURL, 1024, 'SuccessURL');
  limit(req.failureURL, 1024, 'FailureURL');
  if (!Number.isInteger(req.delaySeconds) || req.delaySeconds < 0) throw new CwmpFault(9003, 'DelaySeconds must be an unsigned integer');
  checkQueueRoom(queue);
  return {
    id,
    origin: 'Download',
    commandKey: req.commandKey,
    isDownload: true,
    fileType: req.fileType,
    url: req.url,
    username: req.username,
    password: req.password,
    fileSize: req.fileSize,
    targetFileName: req.targetFileName,
    successURL: req.successURL,
    failureURL: req.failureURL,
    acceptedAt: now,
    notBefore: now + req.delaySeconds * 1000,
    windows: [],
    phase: 'queued',
    attempts: 0,
    startedAt: null,
  };
}

export function acceptUpload(req: AcsRequestOf<'Upload'>, queue: readonly TransferRecord[], now: number, id: string): TransferRecord {
  checkCommon(req);
  if (!uploadTarget(req.fileType)) throw new CwmpFault(9003, `FileType "${req.fileType.slice(0, 64)}" is not an upload type this device supports`);
  if (!Number.isInteger(req.delaySeconds) || req.delaySeconds < 0) throw new CwmpFault(9003, 'DelaySeconds must be an unsigned integer');
  checkQueueRoom(queue);
  return {
    id,
    origin: 'Upload',
    commandKey: req.commandKey,
    isDownload: false,
    fileType: req.fileType,
    url: req.url,
    username: req.username,
    password: req.password,
    fileSize: 0,
    targetFileName: '',
    successURL: '',
    failureURL: '',
    acceptedAt: now,
    notBefore: now + req.delaySeconds * 1000,
    windows: [],
    phase: 'queued',
    attempts: 0,
    startedAt: null,
  };
}

const WINDOW_MODES = new Set(['1 At Any Time', '2 Immediately', '3 When Idle', '4 Confirmation Needed']);

/** TR-069 A.4.1.8: one or two windows, in order, not overlapping, each with a known mode. */
export function absoluteWindows(list: readonly TimeWindow[], now: number): AbsoluteWindow[] {
  if (list.length < 1 || list.length > 2) throw new CwmpFault(9003, 'TimeWindowList must hold one or two windows');
  const out: AbsoluteWindow[] = [];
  for (const [i, w] of list.entries()) {
    if (!Number.isInteger(w.windowStart) || !Number.isInteger(w.windowEnd) || w.windowStart < 0 || w.windowEnd < w.windowStart) {
      throw new CwmpFault(9003, `time window ${i + 1}: WindowEnd must not be before WindowStart`);
    }
    if (!WINDOW_MODES.has(w.windowMode) && !/^X [0-9A-F]{6} \S/.test(w.windowMode))
      throw new CwmpFault(9003, `time window ${i + 1}: unknown WindowMode "${w.windowMode.slice(0, 64)}"`);
    if (w.windowMode.startsWith('X ')) throw new CwmpFault(9003, `time window ${i + 1}: vendor WindowMode "${w.windowMode.slice(0, 64)}" is not supported`);
    if (!Number.isInteger(w.maxRetries) || w.maxRetries < -1) throw new CwmpFault(9003, `time window ${i + 1}: MaxRetries must be -1 or more`);
    limit(w.userMessage, 256, 'UserMessage');
    const prev = list[i - 1];
    if (prev && w.windowStart < prev.windowEnd) throw new CwmpFault(9003, 'time windows overlap or are out of order');
    out.push({ start: now + w.windowStart * 1000, end: now + w.windowEnd * 1000, mode: w.windowMode, userMessage: w.userMessage, maxRetries: w.maxRetries });
  }
  return out;
}

export function acceptScheduleDownload(req: AcsRequestOf<'ScheduleDownload'>, queue: readonly TransferRecord[], now: number, id: string): TransferRecord {
  checkCommon(req);
  checkDownloadFile(req);
  const windows = absoluteWindows(req.timeWindowList, now);
  checkQueueRoom(queue);
  return {
    id,
    origin: 'ScheduleDownload',
    commandKey: req.commandKey,
    isDownload: true,
    fileType: req.fileType,
    url: req.url,
    username: req.username,
    password: req.password,
    fileSize: req.fileSize,
    targetFileName: req.targetFileName,
    successURL: '',
    failureURL: '',
    acceptedAt: now,
    notBefore: windows[0]!.start,
    windows,
    phase: 'queued',
    attempts: 0,
    startedAt: null,
  };
}

/** TransferList entries: 1 not yet started, 2 in progress, 3 completed and finishing (awaiting the reboot). */
export function queuedTransfers(queue: readonly TransferRecord[]): QueuedTransfer[] {
  return queue.map((t) => ({
    commandKey: t.commandKey,
    state: t.phase === 'queued' ? 1 : t.phase === 'rebooting' ? 3 : 2,
    isDownload: t.isDownload,
    fileType: t.fileType,
    fileSize: t.fileSize,
    targetFileName: t.targetFileName,
  }));
}

/**
 * Which transfers a CancelTransfer removes. Queued ones and ones still fetching their file
 * may go; once the device is installing, the cancel is refused with 9021.
 */
export function transfersToCancel(queue: readonly TransferRecord[], commandKey: string): TransferRecord[] {
  const matching = queue.filter((t) => t.commandKey === commandKey);
  if (matching.length === 0) throw new CwmpFault(9003, `no queued transfer has CommandKey "${commandKey.slice(0, 32)}"`);
  const locked = matching.find((t) => t.phase === 'installing' || t.phase === 'rebooting');
  if (locked)
    throw new CwmpFault(
      9021,
      `the transfer with CommandKey "${commandKey.slice(0, 32)}" is ${locked.phase === 'installing' ? 'being installed' : 'installed and awaiting reboot'}; it cannot be cancelled now`,
    );
  return matching;
}

/** Codes TransferComplete may carry (TransferCompleteCPEFaultCodeType, plus the vendor range). */
const TRANSFER_COMPLETE_CODES = new Set([9001, 9002, 9010, 9011, 9012, 9014, 9015, 9016, 9017, 9018, 9019, 9020]);

/**
 * The FaultStruct for a TransferComplete: codes the schema does not allow there (9003 from an
 * install hook, 9013 from a redirect to ftp) become the generic transfer failure, with the
 * reason kept, and the text fits the schema's 256 characters.
 */
export function transferCompleteFault(faultCode: number, faultString: string, isDownload: boolean): { faultCode: number; faultString: string } {
  const allowed = faultCode === 0 || TRANSFER_COMPLETE_CODES.has(faultCode) || (faultCode >= 9800 && faultCode <= 9899);
  const code = allowed ? faultCode : isDownload ? 9010 : 9011;
  const text = faultCode === 0 ? '' : faultString;
  return { faultCode: code, faultString: text.length > 256 ? `${text.slice(0, 255)}…` : text };
}

/** Largest file a Download may fetch within the session (answered with Status 0). */
export const IN_SESSION_MAX_BYTES = 1024 * 1024;

/**
 * Whether a Download is done within the session: due now, of a known small size, and of a
 * kind that takes effect without a reboot. Everything else is queued (Status 1).
 */
export function doneInSession(t: TransferRecord): boolean {
  return (
    t.origin === 'Download' && t.notBefore <= t.acceptedAt && t.fileSize > 0 && t.fileSize <= IN_SESSION_MAX_BYTES && t.fileType !== '1 Firmware Upgrade Image'
  );
}
