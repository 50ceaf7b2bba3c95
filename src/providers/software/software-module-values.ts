/**
 * What Device.SoftwareModules holds, as the device keeps it (its stored deployment and execution
 * units) and as the data model reads it (each row's values by field).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { DuOpResult } from '../../cwmp/messages.js';
import { formatDateTime } from '../../cwmp/xml-text.js';
import type { ExecutionRuntime } from './execution-runtime.js';

const SM = 'Device.SoftwareModules.';
export const SoftwareModulesPaths = {
  root: SM,
  execEnv: `${SM}ExecEnv.`,
  deploymentUnit: `${SM}DeploymentUnit.`,
  executionUnit: `${SM}ExecutionUnit.`,
} as const;
export const SOFTWARE_MODULES_OBJECTS: readonly string[] = Object.values(SoftwareModulesPaths);

export interface StoredDu {
  instance: number;
  uuid: string;
  name: string;
  url: string;
  vendor: string;
  version: string;
  description: string;
  /** ExecEnv instance number. */
  ee: number;
  installedAt: number;
  lastUpdate: number;
  diskKiB: number;
  executionEnvType?: string;
}

export interface StoredEu {
  instance: number;
  euid: string;
  name: string;
  du: number;
  command: string[];
  env: Record<string, string>;
  autoStart: boolean;
  runLevel: number;
  description: string;
  requestedState: 'Idle' | 'Active';
  stopTimeoutSeconds: number;
}

export interface SoftwareState {
  nextDu: number;
  nextEu: number;
  units: StoredDu[];
  executionUnits: StoredEu[];
  /** ExecEnv.{i}.Enable, by instance; absent is enabled. */
  disabledEnvs: number[];
  /** Outcomes of operations the agent has not yet recorded as reported, by operation id. */
  outcomes: Record<string, DuOpResult>;
}

export const emptySoftwareState = (): SoftwareState => ({ nextDu: 1, nextEu: 1, units: [], executionUnits: [], disabledEnvs: [], outcomes: {} });

/** What ExecEnv.1's values are made of. */
export interface ExecEnvView {
  runtime: ExecutionRuntime;
  enabled: boolean;
  /** Where packages live (its free space is AvailableDiskSpace); none for a fleet device. */
  dir: string | undefined;
  units: readonly StoredEu[];
}

/** A value of Device.SoftwareModules.ExecEnv.1. */
export function execEnvValue(field: string, env: ExecEnvView): string | undefined {
  const rt = env.runtime;
  const enabled = env.enabled;
  switch (field) {
    case 'Enable':
      return String(enabled);
    case 'Status':
      return enabled ? 'Up' : 'Disabled';
    case 'Reset':
      return 'false';
    case 'Name':
      return rt.name;
    case 'Type':
      return rt.type;
    case 'Vendor':
      return rt.vendor;
    case 'Version':
      return rt.version;
    case 'ParentExecEnv':
      return '';
    case 'AllocatedDiskSpace':
    case 'AllocatedMemory':
      return '-1';
    case 'AvailableDiskSpace':
      return String(freeDiskKiB(env.dir));
    case 'AvailableMemory':
      return String(Math.floor(os.freemem() / 1024));
    case 'ActiveExecutionUnits':
      return env.units
        .filter((e) => rt.state(e.euid).status === 'Active')
        .map((e) => `${SoftwareModulesPaths.executionUnit}${e.instance}`)
        .join(',');
    default:
      return undefined;
  }
}

function freeDiskKiB(dir: string | undefined): number {
  if (!dir) return -1;
  try {
    const s = fs.statfsSync(dir);
    return Math.floor((s.bavail * s.bsize) / 1024);
  } catch {
    return -1;
  }
}

/** A value of a Device.SoftwareModules.DeploymentUnit row; `executionUnitRefs` its ExecutionUnitList. */
export function deploymentUnitValue(du: StoredDu, field: string, executionUnitRefs: string): string | undefined {
  switch (field) {
    case 'UUID':
      return du.uuid;
    case 'DUID':
      return `du${du.instance}`;
    case 'Name':
      return du.name;
    case 'Status':
      return 'Installed';
    case 'Resolved':
      return 'true';
    case 'URL':
      return du.url;
    case 'Description':
      return du.description;
    case 'Vendor':
      return du.vendor;
    case 'Version':
      return du.version;
    case 'ExecutionUnitList':
      return executionUnitRefs;
    case 'ExecutionEnvRef':
      return `${SoftwareModulesPaths.execEnv}${du.ee}`;
    case 'Installed':
      return formatDateTime(new Date(du.installedAt));
    case 'LastUpdate':
      return formatDateTime(new Date(du.lastUpdate));
    case 'VendorLogList':
    case 'VendorConfigList':
      return '';
    default:
      return undefined;
  }
}

/** A value of a Device.SoftwareModules.ExecutionUnit row (`du`: the unit it came with). */
export function executionUnitValue(eu: StoredEu, field: string, rt: ExecutionRuntime, du: StoredDu | undefined): string | undefined {
  const run = rt.state(eu.euid);
  switch (field) {
    case 'EUID':
      return eu.euid;
    case 'Name':
      return eu.name;
    case 'ExecEnvLabel':
      return eu.euid;
    case 'Status':
      return run.status;
    case 'RequestedState':
      return eu.requestedState;
    case 'ExecutionFaultCode':
      return run.fault;
    case 'ExecutionFaultMessage':
      return run.faultMessage;
    case 'AutoStart':
      return String(eu.autoStart);
    case 'RunLevel':
      return String(eu.runLevel);
    case 'Vendor':
      return du?.vendor ?? '';
    case 'Version':
      return du?.version ?? '';
    case 'Description':
      return eu.description;
    case 'DiskSpaceInUse':
      return String(du?.diskKiB ?? -1);
    case 'MemoryInUse':
      return String(rt.memoryKiB(eu.euid));
    case 'CPUPercentInUse':
      return String(rt.cpuPercent(eu.euid));
    case 'AllocatedDiskSpace':
    case 'AllocatedMemory':
    case 'AllocatedCPUPercent':
      return '-1';
    case 'References':
    case 'AssociatedProcessList':
    case 'VendorLogList':
    case 'VendorConfigList':
    case 'SupportedDataModelList':
      return '';
    case 'ExecutionEnvRef':
      return du ? `${SoftwareModulesPaths.execEnv}${du.ee}` : '';
    default:
      return undefined;
  }
}
