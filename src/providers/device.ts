/**
 * The device contract: what the agent asks of the device it manages, whichever device that is
 * (the simulated one, the Linux host, an integrator's own). A device integrator implements this
 * and writes providers; nothing else.
 */
import type { Provider } from '../datamodel/provider.js';
import { deviceInfoPaths } from '../models/device-core.js';
import type { DeviceFileHooks } from './device-files.js';
import type { SoftwareModuleHooks } from './software/software-modules.js';

export interface DeviceIdentity {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
  modelName: string;
  hardwareVersion: string;
  softwareVersion: string;
}

/** What the device can keep doing in standby (TR-069 Annex L): NetworkAwarenessCapable, SelfTimerCapable. */
export interface StandbyCapabilities {
  crAware: boolean;
  timerAware: boolean;
}

/** What the agent asks of the device it manages. */
export interface DeviceHooks {
  identity: DeviceIdentity;
  /** Where the device's own values come from (uptime, memory, processes, ...). */
  providers: Provider[];
  /** Restart the device. For an in-process agent this restarts the agent itself. */
  reboot(): Promise<void>;
  /** Wipe device-side configuration; the agent resets its own state. */
  factoryReset(): Promise<void>;
  /** Installs downloaded files (firmware, configuration, ...); without it, downloads fail with 9010. */
  files?: DeviceFileHooks;
  /** Carries out ChangeDUState operations (TR-181 SoftwareModules); without it, ChangeDUState is 9000. */
  software?: SoftwareModuleHooks;
  /** What it can keep doing in standby (StandbyPolicy's NetworkAwarenessCapable, SelfTimerCapable); neither when absent. */
  standby?: StandbyCapabilities | undefined;
}

/** The identity as DeviceInfo values under a root object ("Device." or "InternetGatewayDevice."). */
export function identityValues(id: DeviceIdentity, root = 'Device.'): Record<string, string> {
  const DI = deviceInfoPaths(root);
  return {
    [DI.manufacturer]: id.manufacturer,
    [DI.manufacturerOui]: id.oui,
    [DI.productClass]: id.productClass,
    [DI.serialNumber]: id.serialNumber,
    [DI.modelName]: id.modelName,
    [DI.hardwareVersion]: id.hardwareVersion,
    [DI.softwareVersion]: id.softwareVersion,
  };
}
