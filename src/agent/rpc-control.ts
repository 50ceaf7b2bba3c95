/**
 * What the CWMP RPC handlers may ask of the device and its CWMP endpoint (rpc/rpc-context.ts's
 * AgentControl): transfers and DU changes go to the device runtime, schedules and M events to
 * the endpoint; whatever must be saved before the answer is, or the answer is 9002.
 */
import { addEvent, EventCode } from '../cwmp/events.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import type { AgentControl } from '../rpc/dispatcher.js';
import type { AgentState, DuChangeRecord, TransferRecord } from '../storage/agent-state.js';
import { savedForAcs } from './state-saving.js';

/** The endpoint's side of it. */
export interface EndpointControl {
  scheduleInform(delaySeconds: number, commandKey: string): void;
  changeDurably(change: (s: AgentState) => void): void;
}

export function rpcControl(device: DeviceRuntime, endpoint: EndpointControl): AgentControl {
  return {
    scheduleInform: (delaySeconds, commandKey) => savedForAcs(() => endpoint.scheduleInform(delaySeconds, commandKey)),
    // M Reboot is saved with the reboot itself, before the RebootResponse goes out, so it survives the reboot.
    requestReboot: (commandKey) =>
      savedForAcs(() =>
        endpoint.changeDurably((s) => {
          s.events = addEvent(s.events, { code: EventCode.MReboot, commandKey });
          device.requestReboot(commandKey);
        }),
      ),
    requestFactoryReset: () => savedForAcs(() => device.requestFactoryReset()),
    now: () => device.clock.now(),
    newTransferId: () => device.newId(),
    transferQueue: () => device.transferQueue(),
    queueTransfer: (t: TransferRecord) => savedForAcs(() => device.queueTransfer(t)),
    cancelTransfers: (list) => savedForAcs(() => device.cancelTransfers(list)),
    transferInSession: (t) => device.transferInSession(t),
    get hasSoftwareModules() {
      return device.hasSoftwareModules;
    },
    duChangeQueue: () => device.duChangeQueue(),
    queueDuChange: (c: DuChangeRecord) => savedForAcs(() => device.queueDuChange(c)),
  };
}
