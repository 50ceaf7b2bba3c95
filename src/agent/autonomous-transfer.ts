/** A download the device starts by itself (reported with AutonomousTransferComplete), as a queued transfer record. */
import type { TransferRecord } from '../cwmp/transfer-record.js';

export interface AutonomousDownload {
  url: string;
  fileType: string;
  username?: string;
  password?: string;
  fileSize?: number;
  targetFileName?: string;
}

/** `upgradesManaged`: ManagementServer.UpgradesManaged is true, and the device then seeks no firmware elsewhere. */
export function autonomousDownloadRecord(d: AutonomousDownload, id: string, now: number, upgradesManaged: boolean): TransferRecord {
  if (upgradesManaged && d.fileType === '1 Firmware Upgrade Image') {
    throw new Error('ManagementServer.UpgradesManaged is true: firmware upgrades come from the ACS (Download or RequestDownload), not autonomously');
  }
  return {
    id,
    origin: 'Autonomous',
    commandKey: '',
    isDownload: true,
    fileType: d.fileType,
    url: d.url,
    username: d.username ?? '',
    password: d.password ?? '',
    fileSize: d.fileSize ?? 0,
    targetFileName: d.targetFileName ?? '',
    successURL: '',
    failureURL: '',
    acceptedAt: now,
    notBefore: now,
    windows: [],
    phase: 'queued',
    attempts: 0,
    startedAt: null,
  };
}
