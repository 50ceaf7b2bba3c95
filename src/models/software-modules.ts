/**
 * TR-181 Device.SoftwareModules (ExecEnv, DeploymentUnit, ExecutionUnit) and
 * ManagementServer.DUStateChangeComplPolicy: what ChangeDUState acts on. Names, types and access
 * follow tr-181-2-17-0-cwmp-full.xml; ExecEnvClass, ApplicationData and the per-unit host
 * objects and variables are not offered.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';
import { readOnly as ro } from './define.js';

const SM = 'Device.SoftwareModules.';
const EE = `${SM}ExecEnv.{i}.`;
const DU = `${SM}DeploymentUnit.{i}.`;
const EU = `${SM}ExecutionUnit.{i}.`;
const POLICY = 'Device.ManagementServer.DUStateChangeComplPolicy.';

export const DU_FAULT_CODES = [
  '9001',
  '9003',
  '9012',
  '9013',
  '9015',
  '9016',
  '9017',
  '9018',
  ...Array.from({ length: 11 }, (_, i) => String(9022 + i)),
] as const;

export const SOFTWARE_MODULES_TABLES: readonly TableDefinition[] = [
  { name: EE, writable: false },
  { name: DU, writable: false },
  { name: EU, writable: false },
];

const alias = (table: string): ParameterDefinition => ({ name: `${table}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' });

export const SOFTWARE_MODULES_PARAMETERS: readonly ParameterDefinition[] = [
  ro(`${SM}ExecEnvNumberOfEntries`, 'unsignedInt', { countOf: EE }),
  ro(`${SM}DeploymentUnitNumberOfEntries`, 'unsignedInt', { countOf: DU }),
  ro(`${SM}ExecutionUnitNumberOfEntries`, 'unsignedInt', { countOf: EU }),

  { name: `${EE}Enable`, type: 'boolean', writable: true, default: 'true' },
  ro(`${EE}Status`, 'string', { enumeration: ['Up', 'Error', 'Disabled'], default: 'Up' }),
  { name: `${EE}Reset`, type: 'boolean', writable: true, default: 'false' },
  alias(EE),
  ro(`${EE}Name`, 'string', { maxLength: 256 }),
  ro(`${EE}Type`, 'string', { maxLength: 64 }),
  { name: `${EE}InitialRunLevel`, type: 'unsignedInt', max: 65535, writable: true, default: '0' },
  { name: `${EE}RequestedRunLevel`, type: 'int', min: -1, max: 65535, writable: true, default: '-1' },
  ro(`${EE}CurrentRunLevel`, 'int', { min: -1, max: 65535 }),
  { name: `${EE}InitialExecutionUnitRunLevel`, type: 'int', min: -1, max: 65535, writable: true, default: '-1' },
  ro(`${EE}Vendor`, 'string', { maxLength: 128 }),
  ro(`${EE}Version`, 'string', { maxLength: 32 }),
  ro(`${EE}ParentExecEnv`, 'string'),
  ro(`${EE}AllocatedDiskSpace`, 'int', { min: -1 }),
  ro(`${EE}AllocatedMemory`, 'int', { min: -1 }),
  ro(`${EE}AvailableDiskSpace`, 'int', { min: -1 }),
  ro(`${EE}AvailableMemory`, 'int', { min: -1 }),
  ro(`${EE}ActiveExecutionUnits`, 'string', { list: true }),

  ro(`${DU}UUID`, 'string', { maxLength: 36 }),
  ro(`${DU}DUID`, 'string', { maxLength: 64 }),
  alias(DU),
  ro(`${DU}Name`, 'string', { maxLength: 256 }),
  ro(`${DU}Status`, 'string', { enumeration: ['Installing', 'Installed', 'Updating', 'Uninstalling', 'Uninstalled'], default: 'Installed' }),
  ro(`${DU}Resolved`, 'boolean'),
  ro(`${DU}URL`, 'string', { maxLength: 1024 }),
  ro(`${DU}Description`, 'string', { maxLength: 256 }),
  ro(`${DU}Vendor`, 'string', { maxLength: 128 }),
  ro(`${DU}Version`, 'string', { maxLength: 32 }),
  ro(`${DU}VendorLogList`, 'string', { list: true }),
  ro(`${DU}VendorConfigList`, 'string', { list: true }),
  ro(`${DU}ExecutionUnitList`, 'string', { list: true }),
  ro(`${DU}ExecutionEnvRef`, 'string'),
  ro(`${DU}Installed`, 'dateTime'),
  ro(`${DU}LastUpdate`, 'dateTime'),

  ro(`${EU}EUID`, 'string', { maxLength: 64 }),
  alias(EU),
  ro(`${EU}Name`, 'string', { maxLength: 256 }),
  ro(`${EU}ExecEnvLabel`, 'string', { maxLength: 64 }),
  ro(`${EU}Status`, 'string', { enumeration: ['Idle', 'Starting', 'Active', 'Stopping'], default: 'Idle' }),
  { name: `${EU}RequestedState`, type: 'string', enumeration: ['Idle', 'Active'], writable: true, default: 'Idle' },
  ro(`${EU}ExecutionFaultCode`, 'string', {
    enumeration: ['NoFault', 'FailureOnStart', 'FailureOnAutoStart', 'FailureOnStop', 'FailureWhileActive', 'DependencyFailure', 'UnStartable'],
    default: 'NoFault',
  }),
  ro(`${EU}ExecutionFaultMessage`, 'string', { maxLength: 256 }),
  { name: `${EU}AutoStart`, type: 'boolean', writable: true, default: 'false' },
  { name: `${EU}RunLevel`, type: 'unsignedInt', max: 65535, writable: true, default: '0' },
  ro(`${EU}Vendor`, 'string', { maxLength: 128 }),
  ro(`${EU}Version`, 'string', { maxLength: 32 }),
  ro(`${EU}Description`, 'string', { maxLength: 256 }),
  ro(`${EU}AllocatedDiskSpace`, 'int', { min: -1 }),
  ro(`${EU}DiskSpaceInUse`, 'int', { min: -1, activeNotify: 'canDeny' }),
  ro(`${EU}AllocatedMemory`, 'int', { min: -1 }),
  ro(`${EU}MemoryInUse`, 'int', { min: -1, activeNotify: 'canDeny' }),
  ro(`${EU}AllocatedCPUPercent`, 'int', { min: -1, max: 100 }),
  ro(`${EU}CPUPercentInUse`, 'int', { min: -1, max: 100 }),
  ro(`${EU}References`, 'string', { list: true }),
  ro(`${EU}AssociatedProcessList`, 'string', { list: true }),
  ro(`${EU}VendorLogList`, 'string', { list: true }),
  ro(`${EU}VendorConfigList`, 'string', { list: true }),
  ro(`${EU}SupportedDataModelList`, 'string', { list: true }),
  ro(`${EU}ExecutionEnvRef`, 'string'),

  { name: `${POLICY}Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${POLICY}OperationTypeFilter`, type: 'string', list: true, enumeration: ['Install', 'Update', 'Uninstall'], writable: true, default: '' },
  { name: `${POLICY}ResultTypeFilter`, type: 'string', enumeration: ['Success', 'Failure', 'Both'], writable: true, default: 'Both' },
  { name: `${POLICY}FaultCodeFilter`, type: 'string', list: true, enumeration: DU_FAULT_CODES, writable: true, default: '' },
];

export const DuChangePolicyPaths = {
  enable: `${POLICY}Enable`,
  operationTypeFilter: `${POLICY}OperationTypeFilter`,
  resultTypeFilter: `${POLICY}ResultTypeFilter`,
  faultCodeFilter: `${POLICY}FaultCodeFilter`,
} as const;
