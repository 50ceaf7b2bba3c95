/** TR-181 device status: DeviceInfo.MemoryStatus, DeviceInfo.ProcessStatus (with Process.{i}) and Device.Time. */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const MEM = 'Device.DeviceInfo.MemoryStatus.';
const PS = 'Device.DeviceInfo.ProcessStatus.';
const P = `${PS}Process.{i}.`;
const T = 'Device.Time.';

export const PROCESS_STATES = ['Running', 'Sleeping', 'Stopped', 'Idle', 'Uninterruptible', 'Zombie'] as const;

export const DEVICE_STATUS_TABLES: readonly TableDefinition[] = [{ name: P, writable: false }];

export const DEVICE_STATUS_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${MEM}Total`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${MEM}Free`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${PS}CPUUsage`, type: 'unsignedInt', max: 100, writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${PS}ProcessNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: P },
  { name: `${P}PID`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${P}Command`, type: 'string', maxLength: 256, writable: false, default: '' },
  { name: `${P}Size`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${P}Priority`, type: 'unsignedInt', max: 99, writable: false, default: '0' },
  { name: `${P}CPUTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${P}State`, type: 'string', enumeration: PROCESS_STATES, writable: false, default: 'Sleeping', activeNotify: 'canDeny' },
  { name: `${T}Enable`, type: 'boolean', writable: true, default: 'true' },
  {
    name: `${T}Status`,
    type: 'string',
    enumeration: ['Disabled', 'Unsynchronized', 'Synchronized', 'Error_FailedToSynchronize', 'Error'],
    writable: false,
    default: 'Synchronized',
  },
  { name: `${T}NTPServer1`, type: 'string', maxLength: 64, writable: true, default: 'pool.ntp.org' },
  { name: `${T}NTPServer2`, type: 'string', maxLength: 64, writable: true, default: '' },
  { name: `${T}CurrentLocalTime`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z', activeNotify: 'canDeny' },
  { name: `${T}LocalTimeZone`, type: 'string', maxLength: 256, writable: true, default: 'UTC0' },
];

export const DeviceStatus = {
  memoryTotal: `${MEM}Total`,
  memoryFree: `${MEM}Free`,
  cpuUsage: `${PS}CPUUsage`,
  processTable: `${PS}Process.`,
  currentLocalTime: `${T}CurrentLocalTime`,
} as const;
