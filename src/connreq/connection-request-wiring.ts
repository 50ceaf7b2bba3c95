/** Wires the connection-request server to an agent: credentials from the data model, URL into it. */
import { randomBytes } from 'node:crypto';
import { EventCode } from '../cwmp/events.js';
import { HttpConnectionRequestServer, type ConnectionRequestRoute } from './http-server.js';
import { hostPort, localAddressToward } from './local-address.js';
import { UdpConnectionRequestListener } from './udp-listener.js';
import { XmppConnectionRequestClient } from './xmpp-client.js';
import { parseJidList } from '../cwmp/xmpp-connection-request.js';
import { formatDateTime } from '../cwmp/xml-text.js';
import { deviceTypeHandler, KICK_PATH, kickHandler, PROGRESS_PATH, progressHandler } from './lan-pages.js';
import { dtPath, supportedModelDocument } from '../models/dt-export.js';
import { xmppPaths, XmppConnection as X, type ConnectAlgorithm } from '../models/xmpp.js';
import { XMPP_CLIENT_PORT, xmppServerCandidates, type WeightedServer } from './xmpp-servers.js';
import type { Provider } from '../datamodel/provider.js';
import { refusalLog } from './refusal-log.js';
import dns from 'node:dns/promises';
import type { DataModel } from '../datamodel/data-model.js';
import type { DeviceInfoPaths, ManagementServerPaths } from '../models/device-core.js';
import type { Logger } from 'pino';
import type { Clock } from '../runtime/clock.js';
import type { TlsOptions } from '../session/acs-transport.js';
import type { DeviceTrace } from '../log/trace-record.js';
import type { ConnectionRequestMisbehaviour } from './http-server.js';
import type { KickHost } from './lan-pages.js';

/** What connection requests need of the device they wake (the CWMP agent satisfies it). */
export interface ConnectionRequestHost extends KickHost {
  readonly model: DataModel;
  readonly ms: ManagementServerPaths;
  readonly deviceInfo: DeviceInfoPaths;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  /** The trust the ACS connection uses, for the XMPP server too. */
  readonly tls: TlsOptions | undefined;
  readonly trace: DeviceTrace | undefined;
  readonly observer: { connectionRequest?(path: 'http' | 'udp' | 'xmpp', outcome: string): void } | undefined;
  readonly misbehaviour: { connectionRequest?(serial: string): ConnectionRequestMisbehaviour | undefined } | undefined;
  /** A connection request got through: the endpoint queues 6 CONNECTION REQUEST and opens a session. */
  trigger(code: string): void;
  /** Whether a connection request reaches the device now (not in a standby deaf to them). */
  hearsConnectionRequests(): boolean;
}

export interface ConnectionRequestSetup {
  port: number;
  address: string;
  /** The host the URL names; by default the address this host uses to reach the ACS. */
  advertisedHost?: string;
  allowBasic?: boolean;
  /** Digest algorithms offered, in order (default MD5, SHA-256). */
  digestAlgorithms?: readonly ('MD5' | 'SHA-256')[];
  /** Told of each request refused for its credentials (a device's counters). */
  onAuthFailure?: () => void;
}

/** The wire-trace record of each HTTP connection request a device's route answered (none without a trace). */
export function traceHttpConnectionRequests(agent: ConnectionRequestHost): ConnectionRequestRoute['onAnswered'] {
  const trace = agent.trace;
  if (!trace) return undefined;
  return (r) =>
    trace({
      kind: 'connection-request',
      via: 'http',
      dir: 'in',
      method: r.method,
      url: r.url,
      headers: r.headers as Record<string, string | string[]>,
      status: r.status,
      note: `from ${r.remote}`,
    });
}

/** ManagementServer.HTTPConnectionRequestEnable; TR-098 has no such switch, and there they are always on. */
export function httpConnectionRequestsEnabled(agent: ConnectionRequestHost): boolean {
  const name = agent.ms.httpConnectionRequestEnable;
  return !agent.model.definitionOf(name) || agent.model.read(name) !== 'false';
}

/**
 * One device's connection-request route, for the single device's server and the fleet's shared
 * one alike: credentials from the model, a session on each accepted request (6 CONNECTION
 * REQUEST), none while HTTPConnectionRequestEnable is false or a standby is deaf to them.
 */
export function connectionRequestRoute(agent: ConnectionRequestHost, via: 'http' | 'udp', onAuthFailure?: () => void): ConnectionRequestRoute {
  const ms = agent.ms;
  const observer = agent.observer;
  const misbehaviour = agent.misbehaviour;
  return {
    credentials: () => ({ username: agent.model.read(ms.connectionRequestUsername), password: agent.model.read(ms.connectionRequestPassword) }),
    onConnectionRequest: () => {
      observer?.connectionRequest?.(via, 'accepted');
      agent.trigger(EventCode.ConnectionRequest);
    },
    onAnswered: via === 'http' ? traceHttpConnectionRequests(agent) : undefined,
    onAuthFailure,
    misbehave: misbehaviour?.connectionRequest ? () => misbehaviour.connectionRequest?.(agent.model.read(agent.deviceInfo.serialNumber)) : undefined,
    // In standby deaf to connection requests the device does not answer them (Annex L).
    enabled: () => httpConnectionRequestsEnabled(agent) && agent.hearsConnectionRequests(),
  };
}

export async function startHttpConnectionRequests(agent: ConnectionRequestHost, setup: ConnectionRequestSetup): Promise<HttpConnectionRequestServer> {
  const ManagementServer = agent.ms;
  const stored = agent.model.read(ManagementServer.connectionRequestUrl);
  // Keep the path across restarts so the ACS's copy of the URL stays valid.
  const storedPath = stored ? safePath(stored) : undefined;
  const path = storedPath ?? `/${randomBytes(12).toString('hex')}`;
  const refused = refusalLog(agent.log, 'HTTP');
  const server = new HttpConnectionRequestServer({
    address: setup.address,
    port: setup.port,
    allowBasic: setup.allowBasic,
    digestAlgorithms: setup.digestAlgorithms,
    onRefused: (cause) => {
      agent.observer?.connectionRequest?.('http', cause);
      refused(cause);
    },
  });
  server.addRoute(path, connectionRequestRoute(agent, 'http', setup.onAuthFailure));
  server.addOpenRoute(KICK_PATH, kickHandler(agent));
  server.addOpenRoute(PROGRESS_PATH, progressHandler(agent));
  const dt = supportedModelDocument(agent.model.schema);
  server.addOpenRoute(dtPath(dt.uuid), deviceTypeHandler(dt.xml));
  const port = await server.listen();
  const wildcard = setup.address === '0.0.0.0' || setup.address === '::';
  const host = setup.advertisedHost ?? (wildcard ? await localAddressToward(agent.model.read(ManagementServer.url)).catch(() => '127.0.0.1') : setup.address);
  const url = `http://${hostPort(host, port)}${path}`;
  const kickUrl = `http://${hostPort(host, port)}${KICK_PATH}`;
  const lanPages = { [ManagementServer.kickUrl]: kickUrl, [ManagementServer.downloadProgressUrl]: `http://${hostPort(host, port)}${PROGRESS_PATH}` };
  for (const [name, value] of Object.entries(lanPages))
    if (agent.model.definitionOf(name) && agent.model.read(name) !== value) agent.model.provision({ [name]: value });
  if (url !== stored) {
    // The first URL is provisioning; a later change is news for the ACS (forced active notification).
    if (stored === '') agent.model.provision({ [ManagementServer.connectionRequestUrl]: url });
    else agent.model.writeFromDevice({ [ManagementServer.connectionRequestUrl]: url });
  }
  agent.log.info({ url }, 'connection requests accepted');
  return server;
}

function safePath(url: string): string | undefined {
  try {
    const p = new URL(url).pathname;
    return /^\/[A-Za-z0-9_-]{8,64}$/.test(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export interface UdpConnectionRequestSetup {
  port: number;
  address: string;
}

/** UDP connection requests and the STUN binding that keeps them reachable behind a NAT (TR-111 Part 2). */
export async function startUdpConnectionRequests(agent: ConnectionRequestHost, setup: UdpConnectionRequestSetup): Promise<UdpConnectionRequestListener> {
  const m = agent.model;
  const MS = agent.ms;
  let localAddress = setup.address;
  const listener = new UdpConnectionRequestListener({
    address: setup.address,
    port: setup.port,
    clock: agent.clock,
    random: agent.random,
    credentials: () => ({ username: m.read(MS.connectionRequestUsername), password: m.read(MS.connectionRequestPassword) }),
    onConnectionRequest: () => {
      agent.observer?.connectionRequest?.('udp', 'accepted');
      agent.trigger(EventCode.ConnectionRequest);
    },
    onDatagram: agent.trace ? (text, outcome) => agent.trace?.({ kind: 'connection-request', via: 'udp', dir: 'in', body: text, note: outcome }) : undefined,
    onDropped: (() => {
      const refused = refusalLog(agent.log, 'UDP');
      // The copies an ACS sends of one request (GenieACS sends three) are expected, not refusals.
      return (reason: string) => {
        if (reason === 'replay') return agent.log.debug({ reason }, 'UDP connection request copy ignored');
        agent.observer?.connectionRequest?.('udp', reason);
        refused(reason);
      };
    })(),
    stunSettings: () =>
      m.read(MS.stunEnable) === 'true'
        ? {
            serverAddress: m.read(MS.stunServerAddress) || new URL(m.read(MS.url)).hostname,
            serverPort: Number(m.read(MS.stunServerPort)),
            username: m.read(MS.stunUsername),
            password: m.read(MS.stunPassword),
            minimumKeepAlive: Number(m.read(MS.stunMinimumKeepAlivePeriod)),
            maximumKeepAlive: Number(m.read(MS.stunMaximumKeepAlivePeriod)),
          }
        : null,
    onMapping: (mapped, changed) => {
      const value = hostPort(mapped.address, mapped.port);
      const nat = mapped.address !== localAddress || mapped.port !== port;
      agent.log.info({ mapped: value, natDetected: nat, changed }, 'STUN mapping');
      m.writeFromDevice({ [MS.natDetected]: String(nat), [MS.udpConnectionRequestAddress]: value });
    },
  });
  const port = await listener.listen();
  if (setup.address === '0.0.0.0' || setup.address === '::') {
    localAddress = await localAddressToward(m.read(MS.url)).catch(() => '127.0.0.1');
  }
  // Until STUN tells otherwise, the address is the local one; the first value is provisioning, not news.
  const local = hostPort(localAddress, port);
  const stored = m.read(MS.udpConnectionRequestAddress);
  if (stored === '') m.provision({ [MS.udpConnectionRequestAddress]: local });
  else if (m.read(MS.stunEnable) !== 'true') m.writeFromDevice({ [MS.udpConnectionRequestAddress]: local });
  m.onChange((names) => {
    if (names.some((n) => n.startsWith(MS.stunEnable.slice(0, -'Enable'.length)))) listener.refreshStun();
  });
  agent.log.info({ port }, 'UDP connection requests accepted');
  return listener;
}

/**
 * XMPP connection requests (TR-069 Annex K) over the XMPP.Connection.{i} that
 * ManagementServer.ConnReqXMPPConnection names, using its first enabled Server.{i}; under either
 * root (TR-098 defines the same XMPP object in InternetGatewayDevice:1.14).
 */
export function startXmppConnectionRequests(agent: ConnectionRequestHost): XmppConnectionRequestClient {
  const m = agent.model;
  const ConnReq = xmppPaths(m.schema.root);
  /** "Device.XMPP.Connection.2." when the reference names an existing, enabled connection. */
  const connection = (): string | undefined => {
    if (!m.definitionOf(ConnReq.xmppConnection)) return undefined;
    const ref = m.read(ConnReq.xmppConnection).trim().replace(/\.?$/, '.');
    if (!ConnReq.connectionTable.test(ref) || !m.definitionOf(ref + X.enable)) return undefined;
    return m.read(ref + X.enable) === 'true' ? ref : undefined;
  };
  /** The enabled Server.{i} entries of a connection, with their RFC 2782 priority and weight. */
  const serverTable = (c: string): WeightedServer[] => {
    const table = c + X.serverTable;
    return m
      .instanceIds(table)
      .map((n) => `${table}${n}.`)
      .filter((srv) => m.read(srv + X.serverEnable) === 'true' && m.read(srv + X.serverAddress) !== '')
      .map((srv) => ({
        host: m.read(srv + X.serverAddress),
        port: Number(m.read(srv + X.serverPort)) || XMPP_CLIENT_PORT,
        priority: Number(m.read(srv + X.serverPriority)),
        weight: Number(m.read(srv + X.serverWeight)),
      }));
  };
  const stats = new XmppStatsCounter(ConnReq.xmppObject);
  m.addProvider(stats.provider);
  let active: string | undefined;
  const xmppClient = new XmppConnectionRequestClient({
    clock: agent.clock,
    random: agent.random,
    settings: () => {
      active = connection();
      if (!active) return null;
      const c = active;
      const domain = m.read(c + X.domain);
      const algorithm = m.read(c + X.connectAlgorithm) as ConnectAlgorithm;
      const keepAlive = Number(m.read(c + X.keepAliveInterval));
      return {
        servers: () => xmppServerCandidates(algorithm, domain, serverTable(c), (name) => dns.resolveSrv(name), agent.random),
        domain,
        username: m.read(c + X.username),
        password: m.read(c + X.password),
        resource: m.read(c + X.resource),
        retryInitialSeconds: Number(m.read(c + X.retryInitial)),
        retryMultiplier: Number(m.read(c + X.retryMultiplier)),
        retryMaxSeconds: Number(m.read(c + X.retryMax)),
        connectAttempts: Number(m.read(c + X.connectAttempts)),
        // -1: the vendor's choice, RFC 6120's "not more often than every five minutes".
        keepAliveSeconds: keepAlive < 0 ? DEFAULT_XMPP_KEEPALIVE_SECONDS : keepAlive,
        requireTls: m.read(c + X.useTls) === 'true',
        // The same trust as for the ACS: its CA, client certificate and verification setting.
        tls: agent.tls ?? { rejectUnauthorized: true },
      };
    },
    policy: () => ({
      allowedJids: parseJidList(m.read(ConnReq.allowedJids)),
      username: m.read(agent.ms.connectionRequestUsername),
      password: m.read(agent.ms.connectionRequestPassword),
    }),
    onConnectionRequest: (from) => {
      agent.trace?.({ kind: 'connection-request', via: 'xmpp', dir: 'in', note: `accepted from ${from}` });
      agent.observer?.connectionRequest?.('xmpp', 'accepted');
      agent.log.info({ from }, 'XMPP connection request');
      agent.trigger(EventCode.ConnectionRequest);
    },
    onRejected: (() => {
      const refused = refusalLog(agent.log, 'XMPP');
      return (from: string, condition: string) => {
        agent.trace?.({ kind: 'connection-request', via: 'xmpp', dir: 'in', note: `refused from ${from}: ${condition}` });
        agent.observer?.connectionRequest?.('xmpp', condition);
        refused(condition, { from });
      };
    })(),
    onStanza: (direction, error) => {
      if (active) stats.count(active, direction, error);
    },
    onStatus: (status, link) => {
      agent.log.info({ status, jid: link.jid, tls: link.tlsEstablished, connection: active }, 'XMPP connection');
      if (!active || !m.definitionOf(active + X.status)) return;
      const values: Record<string, string> = { [active + X.status]: status, [active + X.tlsEstablished]: String(link.tlsEstablished) };
      if (status === 'Enabled') Object.assign(values, { [active + X.jabberId]: link.jid, [ConnReq.jabberId]: link.jid });
      const changed = Object.entries(values).some(([k, v]) => m.read(k) !== v);
      if (changed) m.writeFromDevice({ ...values, [active + X.lastChangeDate]: formatDateTime(new Date(agent.clock.now())) });
    },
  });
  m.onChange((names, origin) => {
    if (origin !== 'device' && names.some((n) => n.startsWith(ConnReq.xmppObject) || n === ConnReq.xmppConnection)) void xmppClient.restart();
  });
  xmppClient.start();
  return xmppClient;
}

/** Seconds between keepalives when KeepAliveInterval is -1 (vendor specific). */
export const DEFAULT_XMPP_KEEPALIVE_SECONDS = 300;

/** XMPP.Connection.{i}.Stats: stanzas counted per connection since the agent started. */
class XmppStatsCounter {
  private readonly counts = new Map<
    string,
    { ReceivedMessages: number; TransmittedMessages: number; ReceivedErrorMessages: number; TransmittedErrorMessages: number }
  >();
  readonly provider: Provider;

  constructor(xmppObject: string) {
    const pattern = new RegExp(`^(${xmppObject.replace(/\./g, '\\.')}Connection\\.\\d+\\.)Stats\\.(\\w+)$`);
    this.provider = {
      objects: [`${xmppObject}Connection.{i}.Stats.`],
      get: (path) => {
        const match = pattern.exec(path);
        const c = match ? this.counts.get(match[1]!) : undefined;
        return c && match![2]! in c ? String(c[match![2]! as keyof typeof c]) : undefined;
      },
    };
  }

  count(connection: string, direction: 'received' | 'transmitted', error: boolean): void {
    let c = this.counts.get(connection);
    if (!c) this.counts.set(connection, (c = { ReceivedMessages: 0, TransmittedMessages: 0, ReceivedErrorMessages: 0, TransmittedErrorMessages: 0 }));
    // unsignedInt counters wrap as the device's would.
    const bump = (k: keyof typeof c): void => void (c![k] = (c![k] + 1) % 2 ** 32);
    if (direction === 'received') {
      bump('ReceivedMessages');
      if (error) bump('ReceivedErrorMessages');
    } else {
      bump('TransmittedMessages');
      if (error) bump('TransmittedErrorMessages');
    }
  }
}
