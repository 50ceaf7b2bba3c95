/**
 * TR-181 DeviceInfo firmware images and vendor files: FirmwareImage.{i} (the A/B banks),
 * ActiveFirmwareImage / BootFirmwareImage, VendorConfigFile.{i} and VendorLogFile.{i}.
 * Names, types and access follow tr-181-2-17-0-cwmp-full.xml.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const DI = 'Device.DeviceInfo.';
const FW = `${DI}FirmwareImage.{i}.`;
const VC = `${DI}VendorConfigFile.{i}.`;
const VL = `${DI}VendorLogFile.{i}.`;

export const FIRMWARE_STATUSES = [
  'NoImage',
  'Active',
  'Downloading',
  'Validating',
  'Available',
  'DownloadFailed',
  'ValidationFailed',
  'InstallationFailed',
  'ActivationFailed',
] as const;

export const DEVICE_FILES_TABLES: readonly TableDefinition[] = [
  { name: FW, writable: false },
  { name: VC, writable: false },
  { name: VL, writable: false },
];

export const DEVICE_FILES_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${DI}FirmwareImageNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: FW },
  { name: `${DI}ActiveFirmwareImage`, type: 'string', writable: false, default: '' },
  { name: `${DI}BootFirmwareImage`, type: 'string', writable: true, default: '' },
  { name: `${FW}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${FW}Name`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${FW}Version`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${FW}Available`, type: 'boolean', writable: true, default: 'true' },
  { name: `${FW}Status`, type: 'string', enumeration: FIRMWARE_STATUSES, writable: false, default: 'NoImage' },
  { name: `${FW}BootFailureLog`, type: 'string', writable: false, default: '' },
  { name: `${DI}VendorConfigFileNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: VC },
  { name: `${VC}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${VC}Name`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${VC}Version`, type: 'string', maxLength: 16, writable: false, default: '' },
  { name: `${VC}Date`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z' },
  { name: `${VC}Description`, type: 'string', maxLength: 256, writable: false, default: '' },
  { name: `${VC}UseForBackupRestore`, type: 'boolean', writable: false, default: 'false' },
  { name: `${DI}VendorLogFileNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: VL },
  { name: `${VL}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${VL}Name`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${VL}MaximumSize`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${VL}Persistent`, type: 'boolean', writable: false, default: 'false' },
];

export const DeviceFilesPaths = {
  firmwareImage: `${DI}FirmwareImage.`,
  activeFirmwareImage: `${DI}ActiveFirmwareImage`,
  bootFirmwareImage: `${DI}BootFirmwareImage`,
  vendorConfigFile: `${DI}VendorConfigFile.`,
  vendorLogFile: `${DI}VendorLogFile.`,
} as const;
