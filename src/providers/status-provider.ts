/** A provider for the device-status objects from a snapshot function; shared by the Linux and simulated devices. */
import type { Provider } from '../datamodel/provider.js';
import { DeviceStatus } from '../models/device-status.js';
import { formatDateTime } from '../cwmp/xml-text.js';

export const STATUS_OBJECTS: readonly string[] = ['Device.DeviceInfo.MemoryStatus.', 'Device.DeviceInfo.ProcessStatus.', 'Device.Time.'];

export interface ProcessInfo {
  pid: number;
  command: string;
  /** Resident size, KiB. */
  sizeKiB: number;
  priority: number;
  /** CPU time used, milliseconds. */
  cpuTimeMs: number;
  state: string;
}

export interface StatusSource {
  memoryKiB(): { total: number; free: number };
  cpuUsagePercent(): number;
  processes(): ProcessInfo[];
  now(): number;
}

/** Processes are listed under their PID as instance number: stable while the process lives. */
export function statusProvider(source: StatusSource): Provider {
  let cache: { at: number; list: Map<number, ProcessInfo> } | undefined;
  const processes = (): Map<number, ProcessInfo> => {
    // One snapshot serves all reads within a second (a GetParameterValues on the whole table).
    const t = source.now();
    if (!cache || t - cache.at > 1000) cache = { at: t, list: new Map(source.processes().map((p) => [p.pid, p])) };
    return cache.list;
  };
  const processField = /^Device\.DeviceInfo\.ProcessStatus\.Process\.(\d+)\.(\w+)$/;
  return {
    objects: STATUS_OBJECTS,
    instances: (tablePath) => (tablePath === DeviceStatus.processTable ? [...processes().keys()] : undefined),
    get(path) {
      switch (path) {
        case DeviceStatus.memoryTotal:
          return String(source.memoryKiB().total);
        case DeviceStatus.memoryFree:
          return String(source.memoryKiB().free);
        case DeviceStatus.cpuUsage:
          return String(Math.max(0, Math.min(100, Math.round(source.cpuUsagePercent()))));
        case DeviceStatus.currentLocalTime:
          return formatDateTime(new Date(source.now()));
      }
      const m = processField.exec(path);
      if (!m) return undefined;
      const p = processes().get(Number(m[1]));
      if (!p) return undefined;
      const fields: Record<string, string> = {
        PID: String(p.pid),
        Command: p.command.slice(0, 256),
        Size: String(Math.round(p.sizeKiB)),
        Priority: String(Math.max(0, Math.min(99, p.priority))),
        CPUTime: String(Math.min(Math.round(p.cpuTimeMs), 2 ** 32 - 1)),
        State: p.state,
      };
      return fields[m[2]!];
    },
  };
}
