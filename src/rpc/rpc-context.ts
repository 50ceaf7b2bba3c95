/** What an RPC handler is given: the device's data model and what it may ask of the agent. */
import type { AcsRequestMethod, CpeResponse } from '../cwmp/messages.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { TransferRecord } from '../cwmp/transfer-record.js';
import type { DuChangeRecord } from '../cwmp/du-change.js';

/** What the RPC handlers may ask of the agent that runs them. */
export interface AgentControl {
  scheduleInform(delaySeconds: number, commandKey: string): void;
  /** Records M Reboot and arranges the reboot for after the session. */
  requestReboot(commandKey: string): void;
  requestFactoryReset(): void;
  /** Epoch ms, from the agent's clock. */
  now(): number;
  newTransferId(): string;
  transferQueue(): readonly TransferRecord[];
  /** Persists an accepted transfer; it runs after the session. */
  queueTransfer(t: TransferRecord): void;
  /** Removes transfers (checked by the caller), stopping any that is running. */
  cancelTransfers(list: readonly TransferRecord[]): void;
  /** Fetches and installs a small file now, within the session; throws its CwmpFault. */
  transferInSession(t: TransferRecord): Promise<{ startTime: Date; completeTime: Date }>;
  /** Whether the device has software modules to change (ChangeDUState is 9000 where not). */
  readonly hasSoftwareModules: boolean;
  duChangeQueue(): readonly DuChangeRecord[];
  /** Persists an accepted ChangeDUState; it runs after the session. */
  queueDuChange(c: DuChangeRecord): void;
}

export interface RpcContext {
  model: DataModel;
  agent: AgentControl;
}

/** The response a method's handler returns ("Reboot" → RebootResponse). */
export type ResponseTo<M extends AcsRequestMethod> = Extract<CpeResponse, { method: `${M}Response` }>;
