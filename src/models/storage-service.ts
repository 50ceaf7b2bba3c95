/**
 * TR-140 StorageService (StorageService:1.3) under Device.Services.: the device's physical media
 * and logical volumes, as a Linux host or a simulated device has them. Names, types and access
 * follow tr-140-1-3-1-cwmp-full.xml; user accounts, groups, arrays, folders and the file servers
 * are not offered, and no table takes AddObject (the host manages its own volumes).
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';
import { readOnly as ro, readWrite as rw } from './define.js';

const SV = 'Device.Services.';
const SS = `${SV}StorageService.{i}.`;
const PM = `${SS}PhysicalMedium.{i}.`;
const LV = `${SS}LogicalVolume.{i}.`;
const CAP = `${SS}Capabilities.`;

export const STORAGE_SERVICE_TABLES: readonly TableDefinition[] = [
  { name: SS, writable: false },
  { name: PM, writable: false },
  { name: LV, writable: false },
];

export const CONNECTION_TYPES = [
  'USB 1.1',
  'USB 2.0',
  'USB 3.0',
  'USB 3.1',
  'IEEE1394',
  'IEEE1394b',
  'IDE',
  'EIDE',
  'ATA/33',
  'ATA/66',
  'ATA/100',
  'ATA/133',
  'SATA/150',
  'SATA/300',
  'SATA/600',
  'SATA/1969',
  'SCSI-1',
  'Fast SCSI',
  'Fast-Wide SCSI',
  'Ultra SCSI',
  'Ultra Wide SCSI',
  'Ultra2 SCSI',
  'Ultra2 Wide SCSI',
  'Ultra3 SCSI',
  'Ultra-320 SCSI',
  'Ultra-640 SCSI',
  'SAS-1',
  'SAS-2',
  'SAS-3',
  'SAS-4',
  'SSA',
  'SSA-40',
  'Fibre Channel',
] as const;

export const STORAGE_SERVICE_PARAMETERS: readonly ParameterDefinition[] = [
  ro(`${SV}StorageServiceNumberOfEntries`, 'unsignedInt', { countOf: SS }),
  rw(`${SS}Enable`, 'boolean', 'true'),
  rw(`${SS}Alias`, 'string', '', { maxLength: 64 }),
  ro(`${SS}PhysicalMediumNumberOfEntries`, 'unsignedInt', { countOf: PM }),
  ro(`${SS}LogicalVolumeNumberOfEntries`, 'unsignedInt', { countOf: LV }),
  ro(`${CAP}FTPCapable`, 'boolean'),
  ro(`${CAP}SFTPCapable`, 'boolean'),
  ro(`${CAP}HTTPCapable`, 'boolean'),
  ro(`${CAP}HTTPSCapable`, 'boolean'),
  ro(`${CAP}HTTPWritable`, 'boolean'),
  ro(`${CAP}SupportedNetworkProtocols`, 'string', { list: true, enumeration: ['SMB', 'NFS', 'AFP'] }),
  ro(`${CAP}SupportedFileSystemTypes`, 'string', { list: true }),
  ro(`${CAP}SupportedRaidTypes`, 'string', { list: true }),
  ro(`${CAP}VolumeEncryptionCapable`, 'boolean'),

  rw(`${PM}Alias`, 'string', '', { maxLength: 64 }),
  rw(`${PM}Name`, 'string', '', { maxLength: 64 }),
  ro(`${PM}Vendor`, 'string', { maxLength: 64 }),
  ro(`${PM}Model`, 'string', { maxLength: 128 }),
  ro(`${PM}SerialNumber`, 'string', { maxLength: 64 }),
  ro(`${PM}FirmwareVersion`, 'string', { maxLength: 64 }),
  ro(`${PM}ConnectionType`, 'string', { enumeration: CONNECTION_TYPES, default: 'SATA/600' }),
  ro(`${PM}Type`, 'string', { enumeration: ['HDD', 'SSD', 'SSHD'], default: 'SSD' }),
  ro(`${PM}Removable`, 'boolean'),
  ro(`${PM}Capacity`, 'unsignedInt'),
  ro(`${PM}Status`, 'string', { enumeration: ['Online', 'Standby', 'Offline'], default: 'Online' }),
  ro(`${PM}Uptime`, 'unsignedInt'),
  ro(`${PM}SMARTCapable`, 'boolean'),
  ro(`${PM}Health`, 'string', { enumeration: ['OK', 'Failing', 'Error'], default: 'OK' }),
  ro(`${PM}HotSwappable`, 'boolean'),

  rw(`${LV}Alias`, 'string', '', { maxLength: 64 }),
  rw(`${LV}Name`, 'string', '', { maxLength: 64 }),
  ro(`${LV}Status`, 'string', { enumeration: ['Offline', 'Online', 'Error'], default: 'Online' }),
  rw(`${LV}Enable`, 'boolean', 'true'),
  rw(`${LV}PhysicalReference`, 'string', '', { maxLength: 256 }),
  ro(`${LV}FileSystem`, 'string'),
  rw(`${LV}Capacity`, 'unsignedInt', '0'),
  ro(`${LV}UsedSpace`, 'unsignedInt'),
  rw(`${LV}ThresholdLimit`, 'unsignedInt', '0'),
  ro(`${LV}ThresholdReached`, 'boolean', { activeNotify: 'canDeny' }),
  ro(`${LV}Encrypted`, 'boolean'),
];
