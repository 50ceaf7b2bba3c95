/** TR-069 A.3.2.8 / A.4.1.5 file types: what a Download may fetch and an Upload may send. */

export type DownloadKind = 'firmware' | 'webContent' | 'vendorConfig' | 'tone' | 'ringer' | 'vendor';

const DOWNLOAD_TYPES: Readonly<Record<string, DownloadKind>> = {
  '1 Firmware Upgrade Image': 'firmware',
  '2 Web Content': 'webContent',
  '3 Vendor Configuration File': 'vendorConfig',
  '4 Tone File': 'tone',
  '5 Ringer File': 'ringer',
};

/** Vendor-specific types: "X <OUI> <name>" (A.3.2.8). */
const VENDOR_TYPE = /^X [0-9A-F]{6} \S.{0,58}$/;

export function downloadKind(fileType: string): DownloadKind | undefined {
  return DOWNLOAD_TYPES[fileType] ?? (VENDOR_TYPE.test(fileType) ? 'vendor' : undefined);
}

export type UploadTarget = { kind: 'vendorConfig' | 'vendorLog'; instance: number | undefined };

/**
 * "1 Vendor Configuration File", "2 Vendor Log File", and since CWMP 1.4 the numbered
 * "3 Vendor Configuration File <i>" and "4 Vendor Log File <i>", naming
 * DeviceInfo.VendorConfigFile.<i> and DeviceInfo.VendorLogFile.<i>.
 */
export function uploadTarget(fileType: string): UploadTarget | undefined {
  if (fileType === '1 Vendor Configuration File') return { kind: 'vendorConfig', instance: undefined };
  if (fileType === '2 Vendor Log File') return { kind: 'vendorLog', instance: undefined };
  const m = /^([34]) Vendor (Configuration|Log) File ([1-9]\d{0,8})$/.exec(fileType);
  if (!m || (m[1] === '3') !== (m[2] === 'Configuration')) return undefined;
  return { kind: m[1] === '3' ? 'vendorConfig' : 'vendorLog', instance: Number(m[3]) };
}

/** URL schemes this agent can transfer with; others get 9013. */
export function transferProtocolSupported(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
