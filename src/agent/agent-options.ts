/** How one CWMP agent is made: its ACS, its device, its stores and clock, and what watches or steers it. */
import type { Logger } from 'pino';
import type { CwmpVersion } from '../cwmp/namespaces.js';
import type { ModelStore } from '../datamodel/data-model.js';
import type { Schema } from '../datamodel/schema.js';
import type { DeviceTrace } from '../log/trace-record.js';
import type { DatagramSender } from '../notifications/udp-datagram-sender.js';
import type { DeviceHooks } from '../providers/device.js';
import type { Clock } from '../runtime/clock.js';
import type { TlsOptions } from '../session/acs-transport.js';
import type { AgentStateStore } from '../storage/agent-state.js';
import type { TransferRunnerOptions } from '../transfers/transfer-runner.js';
import type { AgentMisbehaviour } from './agent-misbehaviour.js';
import type { AgentObserver } from './agent-observer.js';

export interface AgentOptions {
  acsUrl: string;
  acsUsername?: string;
  acsPassword?: string;
  tls?: TlsOptions;
  /** Hosts besides the ACS URL's own that the ACS may redirect a session to (see AcsTransport). */
  acsRedirectHosts?: readonly string[];
  cwmpVersion: CwmpVersion;
  device: DeviceHooks;
  stateStore: AgentStateStore;
  modelStore: ModelStore;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Per HTTP exchange with the ACS. */
  requestTimeoutMs?: number;
  /** A whole session; one that runs longer is abandoned as failed. */
  sessionTimeoutMs?: number;
  maxBodyBytes?: number;
  /** false: the device does not speak CWMP (ManagementServer.EnableCWMP false: a USP-only device). */
  cwmpEnabled?: boolean;
  /** Initial PeriodicInformInterval, seconds, for a new device. */
  periodicInformInterval?: number;
  /**
   * Whether to record each session's RPC methods for those told of its end (a dashboard); by
   * default when anyone listens for session ends. A fleet asks its watchers once for all devices.
   */
  recordSessionRpcs?: () => boolean;
  /** Initial ConnectionRequestUsername and Password (factory values: the ACS may set others). */
  connectionRequestUsername?: string;
  connectionRequestPassword?: string;
  schema?: Schema;
  /**
   * Values over the schema's defaults that many devices share (a fleet profile): read through,
   * never copied. The device's identity and the options above come on top.
   */
  baseValues?: Readonly<Record<string, string>>;
  /**
   * How often provider-driven values with notification on are read for changes, seconds
   * (providers that push their changes need none). Default 10.
   */
  notificationPollSeconds?: number;
  /** File transfers: staging folder, TLS for file servers, the log an Upload sends, limits. */
  transfers?: Omit<TransferRunnerOptions, 'parameterKeyName'>;
  /** Misbehaves on purpose (a test harness): faults, delays, dropped connections, failed transfers. */
  misbehaviour?: AgentMisbehaviour;
  /** Waits for a place before each session (a fleet's bound on sessions in flight); none by default. */
  sessionGate?: { acquire(): Promise<() => void> };
  /** Told of sessions, RPCs, transfers and the rest as they happen (metrics); one may serve a fleet. */
  observer?: AgentObserver;
  /** The wire trace of this device (sessions, connection requests, transfers); none when absent. */
  trace?: DeviceTrace;
  /** Sends UDP Lightweight Notifications (a fleet shares one); by default the agent's own socket. */
  lightweightSender?: DatagramSender;
  /**
   * The address its sessions, transfers and Bulk Data reports leave from (a fleet device's own
   * source address); the system's choice when absent.
   */
  localAddress?: string;
}

export interface SessionTiming {
  /** Epoch ms from the agent's clock. */
  startedAt: number;
  endedAt: number;
  /** The event codes its Inform carried. */
  events: readonly string[];
  /** The ACS's requests it answered, by method, in order (kept only while someone listens for session ends). */
  rpcs: readonly string[];
}
