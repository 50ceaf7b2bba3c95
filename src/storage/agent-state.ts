/** The agent's persisted protocol state: what must survive a crash or a reboot. */
import path from 'node:path';
import { z } from 'zod';
import { AtomicJsonFile, type StorageLog } from './atomic-json-file.js';
import { RetryingSave } from './retrying-save.js';
import { shapeChecker } from './shape-check.js';
import type { CwmpEvent } from '../cwmp/events.js';
import type { CpeRequest } from '../cwmp/messages.js';
import type { TransferRecord } from '../cwmp/transfer-record.js';
import type { DuChangeRecord } from '../cwmp/du-change.js';
import type { LightweightBacklog } from '../cwmp/lightweight-notification.js';

export type { DuChangeRecord, TransferRecord };

export interface ScheduledInform {
  /** Epoch milliseconds. */
  at: number;
  commandKey: string;
}

/** A timer a manager scheduled (USP's Device.ScheduleTimer()), until it fires. */
export interface ScheduledTimer {
  id: string;
  /** Epoch milliseconds it is due. */
  at: number;
  commandKey: string;
  /** The Device.LocalAgent.Request row that waits for it. */
  request: string;
}

export interface AgentState {
  events: CwmpEvent[];
  /** Parameters whose change is to be reported in the next Inform (4 VALUE CHANGE). */
  changedParameters: string[];
  /** CPE requests waiting for the ACS's acknowledgement, in order. */
  pendingCpeRequests: CpeRequest[];
  /** The ACS URL the BOOTSTRAP event was last delivered to; BOOTSTRAP again when it differs. */
  bootstrappedUrl: string | null;
  /** The ACS URL the configuration last gave. */
  configuredAcsUrl: string | null;
  /** Retries since the last successful session (RetryCount in the Inform). */
  retryCount: number;
  scheduledInforms: ScheduledInform[];
  /** Set by a Reboot or FactoryReset accepted in a session (with the request's command key), cleared once carried out. */
  pendingDeviceAction: { kind: 'reboot' | 'factoryReset'; commandKey?: string } | null;
  /** File transfers accepted and not yet reported (their passwords too: the file is 0600). */
  transfers: TransferRecord[];
  /** ChangeDUState requests (and the device's own DU changes) accepted and not yet reported. */
  duChanges: DuChangeRecord[];
  /** Changes waiting for the next Lightweight Notification (TR-069 Annex M). */
  lightweight: LightweightBacklog;
  /** Timers scheduled and not yet fired (absent: none; most devices never have one). */
  timers?: ScheduledTimer[];
}

/** The fields the protocol-neutral device runtime owns; the rest belong to the CWMP endpoint. */
export type DeviceState = Pick<AgentState, 'pendingDeviceAction' | 'transfers' | 'duChanges' | 'timers'>;

export function emptyAgentState(): AgentState {
  return {
    events: [],
    changedParameters: [],
    pendingCpeRequests: [],
    bootstrappedUrl: null,
    configuredAcsUrl: null,
    retryCount: 0,
    scheduledInforms: [],
    pendingDeviceAction: null,
    transfers: [],
    duChanges: [],
    lightweight: { names: [], activeDue: false },
  };
}

function reviveDates(r: { startTime: Date | null; completeTime: Date | null }): void {
  r.startTime = r.startTime ? new Date(r.startTime as unknown as string) : null;
  r.completeTime = r.completeTime ? new Date(r.completeTime as unknown as string) : null;
}

/** Dates inside CPE requests travel as ISO strings in the file. */
export function reviveAgentState(state: AgentState): AgentState {
  for (const r of state.pendingCpeRequests) {
    // (Autonomous)TransferComplete carries both times, as each DU result does.
    if ('startTime' in r) reviveDates(r);
    if ('results' in r) for (const x of r.results) reviveDates(x);
  }
  for (const c of state.duChanges) for (const o of c.operations) if (o.result) reviveDates(o.result);
  return state;
}

/**
 * Where an agent keeps its protocol state. The file store is the default; fleets may keep it in
 * memory. A save that fails throws (a StateWriteError); the store keeps trying on its own, and
 * the agent keeps its state in memory meanwhile.
 */
export interface AgentStateStore {
  load(): AgentState;
  save(state: AgentState): void;
  /** A last try to save what is still unsaved (at stop). */
  flush?(): void;
}

/**
 * What a state file must look like to be used. Fields inside events, transfers and CPE requests
 * are checked as far as the agent relies on them; a file that fails is set aside whole.
 */
const storedAgentState = z.looseObject({
  events: z.array(z.looseObject({ code: z.string(), commandKey: z.string() })).optional(),
  changedParameters: z.array(z.string()).optional(),
  pendingCpeRequests: z.array(z.looseObject({ method: z.string() })).optional(),
  bootstrappedUrl: z.string().nullable().optional(),
  configuredAcsUrl: z.string().nullable().optional(),
  retryCount: z.number().int().min(0).optional(),
  scheduledInforms: z.array(z.looseObject({ at: z.number(), commandKey: z.string() })).optional(),
  pendingDeviceAction: z
    .looseObject({ kind: z.enum(['reboot', 'factoryReset']) })
    .nullable()
    .optional(),
  transfers: z
    .array(
      z.looseObject({
        id: z.string(),
        phase: z.string(),
        url: z.string(),
        commandKey: z.string(),
        fileType: z.string(),
        isDownload: z.boolean(),
        attempts: z.number(),
        windows: z.array(z.unknown()),
      }),
    )
    .optional(),
  duChanges: z
    .array(
      z.looseObject({
        id: z.string(),
        origin: z.enum(['ChangeDUState', 'Autonomous', 'USP']),
        commandKey: z.string(),
        operations: z.array(
          z.looseObject({
            id: z.string(),
            op: z.looseObject({ op: z.enum(['Install', 'Update', 'Uninstall']) }),
            attempts: z.number(),
            startedAt: z.number().nullable(),
          }),
        ),
      }),
    )
    .optional(),
  lightweight: z.looseObject({ names: z.array(z.string()), activeDue: z.boolean() }).optional(),
  timers: z.array(z.looseObject({ id: z.string(), at: z.number(), commandKey: z.string(), request: z.string() })).optional(),
});

export class FileAgentStateStore implements AgentStateStore {
  private readonly file: AtomicJsonFile<AgentState>;
  private readonly saver: RetryingSave<AgentState>;
  constructor(stateDir: string, log?: StorageLog) {
    this.file = new AtomicJsonFile(path.join(stateDir, 'agent-state.json'), { validate: shapeChecker<AgentState>(storedAgentState), log });
    this.saver = new RetryingSave(this.file, log);
  }
  load(): AgentState {
    const stored = this.file.read();
    return stored ? reviveAgentState({ ...emptyAgentState(), ...stored }) : emptyAgentState();
  }
  save(state: AgentState): void {
    this.saver.save(state);
  }
  flush(): void {
    this.saver.flush();
    this.saver.close();
  }
}

export class MemoryAgentStateStore implements AgentStateStore {
  private state: string | undefined;
  load(): AgentState {
    return this.state ? reviveAgentState(JSON.parse(this.state) as AgentState) : emptyAgentState();
  }
  save(state: AgentState): void {
    this.state = JSON.stringify(state);
  }
}

/**
 * Keeps the live state object itself (no serialising on every change): the store for fleets,
 * where thousands of devices change state many times a second. A later load gets a copy, as a
 * restarted agent would read it back.
 */
export class LiveAgentStateStore implements AgentStateStore {
  constructor(private state?: AgentState) {}
  load(): AgentState {
    return this.state ? structuredClone(this.state) : emptyAgentState();
  }
  save(state: AgentState): void {
    this.state = state;
  }
  /** The state as last saved, for a fleet snapshot. */
  peek(): AgentState | undefined {
    return this.state;
  }
}
