/**
 * What the CWMP RPC handlers may ask of the device and its CWMP endpoint (rpc/rpc-context.ts's
 * AgentControl): transfers and DU changes go to the device runtime, schedules and M events to
 * the endpoint; whatever must be saved before the answer is, or the answer is 9002.
 */
import { addEvent, EventCode } from '../cwmp/events.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import type { AgentControl } from '../rpc/dispatcher.js';
import type { AgentState, DuChangeRecord, TransferRecord } from '../storage/agent-state.js';
import type { StateCell } from '../storage/state-cell.js';
import { savedForAcs } from './state-saving.js';

/** The endpoint's side of it: its persisted state and its Inform schedule. */
export interface EndpointControl {
  state: StateCell<AgentState>;
  schedule: { armScheduled(): void };
}

export function rpcControl(device: DeviceRuntime, endpoint: EndpointControl): AgentControl {
  return {
    scheduleInform: (delaySeconds, commandKey) => {
      const at = device.clock.now() + delaySeconds * 1000;
      savedForAcs(() => endpoint.state.changeDurably((s) => void s.scheduledInforms.push({ at, commandKey })));
      endpoint.schedule.armScheduled();
    },
    // M Reboot is saved with the reboot itself, before the RebootResponse goes out, so it survives the reboot.
    requestReboot: (commandKey) =>
      savedForAcs(() =>
        endpoint.state.changeDurably((s) => {
          s.events = addEvent(s.events, { code: EventCode.MReboot, commandKey });
          device.requestReboot(commandKey);
        }),
      ),
    requestFactoryReset: () => savedForAcs(() => device.requestFactoryReset()),
    now: () => device.clock.now(),
    newTransferId: () => device.newId(),
    transferQueue: () => device.transfers.list(),
    queueTransfer: (t: TransferRecord) => savedForAcs(() => device.transfers.queue(t)),
    cancelTransfers: (list) => savedForAcs(() => device.transfers.cancel(list)),
    transferInSession: (t) => device.transfers.inSession(t),
    get hasSoftwareModules() {
      return device.duChanges.available;
    },
    duChangeQueue: () => device.duChanges.list(),
    queueDuChange: (c: DuChangeRecord) => savedForAcs(() => device.duChanges.queue(c)),
  };
}
