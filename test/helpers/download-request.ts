/** A Download request as an ACS sends one: a firmware image unless `extra` says otherwise. */
import type { AcsRequest } from '../../src/cwmp/messages.js';

export const FIRMWARE = '1 Firmware Upgrade Image';

export type DownloadRequest = Extract<AcsRequest, { method: 'Download' }>;

export function downloadRequest(url: string, commandKey: string, extra: Partial<DownloadRequest> = {}): DownloadRequest {
  return {
    method: 'Download',
    commandKey,
    fileType: FIRMWARE,
    url,
    username: '',
    password: '',
    fileSize: 0,
    targetFileName: '',
    delaySeconds: 0,
    successURL: '',
    failureURL: '',
    ...extra,
  };
}
