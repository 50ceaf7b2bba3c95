/** One record of the wire trace (see observability/wire-trace.ts), and what an agent writes them to. */

export type TraceKind = 'cwmp' | 'connection-request' | 'transfer' | 'usp';

export interface TraceRecord {
  /** ISO time. */
  t: string;
  kind: TraceKind;
  /** The session number of this device's agent (cwmp records). */
  session?: number;
  /** cpe→acs, acs→cpe for CWMP; in for requests reaching the CPE (and USP Msgs from a Controller); out for what it sends. */
  dir: 'cpe→acs' | 'acs→cpe' | 'in' | 'out';
  /** http, udp, xmpp (connection requests). */
  via?: string;
  method?: string;
  url?: string;
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Milliseconds the exchange took (responses). */
  ms?: number;
  note?: string;
  /** usp: the Controller's EndpointID. */
  peer?: string;
}

/** Records one event of a device; `t` defaults to now. A USP Msg is given decoded (`uspMsg`): the trace writes it as readable JSON, its secrets hidden. */
export type DeviceTrace = (r: Omit<TraceRecord, 't'> & { t?: string; uspMsg?: object }) => void;
