/**
 * The Subscriptions a fleet's new USP device ships with for its first Controller, as real devices
 * come with factory defaults: Boot!, and for a steady fleet Periodic! phased over the fleet's
 * interval and ValueChange on the parameter the steady scenario changes.
 */
import type { DataModel } from '../datamodel/data-model.js';
import type { DeviceRuntime } from '../device/device-runtime.js';

/**
 * What a steady USP fleet's devices change on their own, told by ValueChange, and the values it
 * takes in turn: the first of these the device has (a gateway's auto channel selection, a set-top
 * box's TV switched on and off).
 */
const STEADY_CHANGES: readonly { path: string; values: readonly string[] }[] = [
  { path: 'Device.WiFi.Radio.1.Channel', values: ['1', '6', '11'] },
  { path: 'Device.Services.STBService.1.Components.HDMI.1.DisplayDevice.Status', values: ['Present', 'Absent'] },
];

export function steadyChangeOf(model: DataModel): { path: string; values: readonly string[] } | undefined {
  return STEADY_CHANGES.find((c) => model.definitionOf(c.path) !== undefined);
}

const EPOCH_2026 = Date.UTC(2026, 0, 1);

/** When device `index` of `count` sends its Periodic!: every `intervalSeconds`, phased over the interval. */
export interface PeriodicPhase {
  index: number;
  count: number;
  intervalSeconds: number;
}

/** A new device's factory Subscriptions for its first Controller (row 1, made at this boot). */
export function factoryDefaults(device: DeviceRuntime, kind: 'boot' | 'steady', phase: PeriodicPhase | undefined): void {
  const m = device.model;
  const controller = 'Device.LocalAgent.Controller.1';
  const subscribe = (id: string, reference: string, type = 'Event'): void => {
    const at = `Device.LocalAgent.Subscription.${m.addInstance('Device.LocalAgent.Subscription.')}.`;
    m.provision({
      [`${at}ID`]: id,
      [`${at}Recipient`]: controller,
      [`${at}NotifType`]: type,
      [`${at}ReferenceList`]: reference,
      [`${at}Persistent`]: 'true',
      [`${at}Enable`]: 'true',
    });
  };
  subscribe('factory-boot', 'Device.Boot!');
  const change = kind === 'steady' ? steadyChangeOf(m) : undefined;
  if (change) subscribe('factory-value-change', change.path, 'ValueChange');
  if (kind === 'steady' && phase) {
    const offset = Math.floor((phase.index * phase.intervalSeconds * 1000) / Math.max(1, phase.count));
    m.provision({
      [`${controller}.PeriodicNotifInterval`]: String(phase.intervalSeconds),
      [`${controller}.PeriodicNotifTime`]: new Date(EPOCH_2026 + offset).toISOString(),
    });
    subscribe('factory-periodic', 'Device.LocalAgent.Periodic!');
  }
}
