/** Wires the connection-request server to an agent: credentials from the data model, URL into it. */
import { randomBytes } from 'node:crypto';
import type { Agent } from './agent.js';
import { EventCode } from './cwmp/events.js';
import { ManagementServer } from './models/device-core.js';
import { HttpConnectionRequestServer } from './connreq/http-server.js';
import { hostPort, localAddressToward } from './connreq/local-address.js';
import { UdpConnectionRequestListener } from './connreq/udp-listener.js';
import { XmppConnectionRequestClient } from './connreq/xmpp-client.js';
import { parseJidList } from './cwmp/xmpp-connection-request.js';
import { Xmpp } from './models/xmpp.js';

export interface ConnectionRequestSetup {
  port: number;
  address: string;
  /** The host the URL names; by default the address this host uses to reach the ACS. */
  advertisedHost?: string;
  allowBasic?: boolean;
}

export async function startHttpConnectionRequests(agent: Agent, setup: ConnectionRequestSetup): Promise<HttpConnectionRequestServer> {
  const stored = agent.model.read(ManagementServer.connectionRequestUrl);
  // Keep the path across restarts so the ACS's copy of the URL stays valid.
  const storedPath = stored ? safePath(stored) : undefined;
  const path = storedPath ?? `/${randomBytes(12).toString('hex')}`;
  const server = new HttpConnectionRequestServer({
    address: setup.address,
    port: setup.port,
    path,
    allowBasic: setup.allowBasic,
    credentials: () => ({ username: agent.model.read(ManagementServer.connectionRequestUsername), password: agent.model.read(ManagementServer.connectionRequestPassword) }),
    onConnectionRequest: () => agent.trigger(EventCode.ConnectionRequest),
  });
  const port = await server.listen();
  const wildcard = setup.address === '0.0.0.0' || setup.address === '::';
  const host = setup.advertisedHost ?? (wildcard ? await localAddressToward(agent.model.read(ManagementServer.url)).catch(() => '127.0.0.1') : setup.address);
  const url = `http://${hostPort(host, port)}${path}`;
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
export async function startUdpConnectionRequests(agent: Agent, setup: UdpConnectionRequestSetup): Promise<UdpConnectionRequestListener> {
  const m = agent.model;
  const MS = ManagementServer;
  let localAddress = setup.address;
  const listener = new UdpConnectionRequestListener({
    address: setup.address,
    port: setup.port,
    clock: agent.clock,
    random: agent.random,
    credentials: () => ({ username: m.read(MS.connectionRequestUsername), password: m.read(MS.connectionRequestPassword) }),
    onConnectionRequest: () => agent.trigger(EventCode.ConnectionRequest),
    onDropped: (reason) => agent.log.debug({ reason }, 'UDP connection request ignored'),
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
      const value = `${hostPort(mapped.address, mapped.port)}`;
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
    if (names.some((n) => n.startsWith('Device.ManagementServer.STUN'))) listener.refreshStun();
  });
  agent.log.info({ port }, 'UDP connection requests accepted');
  return listener;
}

/** XMPP connection requests (TR-069 Annex K) over the connection ManagementServer.ConnReqXMPPConnection names. */
export function startXmppConnectionRequests(agent: Agent): XmppConnectionRequestClient {
  const m = agent.model;
  const enabled = (): boolean => m.read(Xmpp.connReqConnection).replace(/\.$/, '') === Xmpp.connection && m.read(Xmpp.enable) === 'true';
  const xmppClient = new XmppConnectionRequestClient({
    clock: agent.clock,
    random: agent.random,
    settings: () =>
      enabled()
        ? {
            service: `xmpp://${hostPort(m.read(Xmpp.serverAddress) || m.read(Xmpp.domain), Number(m.read(Xmpp.serverPort)))}`,
            domain: m.read(Xmpp.domain),
            username: m.read(Xmpp.username),
            password: m.read(Xmpp.password),
            resource: m.read(Xmpp.resource),
            retryInitialSeconds: Number(m.read(Xmpp.retryInitial)),
            retryMultiplier: Number(m.read(Xmpp.retryMultiplier)),
            retryMaxSeconds: Number(m.read(Xmpp.retryMax)),
          }
        : null,
    policy: () => ({ allowedJids: parseJidList(m.read(Xmpp.connReqAllowedJids)), username: m.read(ManagementServer.connectionRequestUsername), password: m.read(ManagementServer.connectionRequestPassword) }),
    onConnectionRequest: (from) => {
      agent.log.info({ from }, 'XMPP connection request');
      agent.trigger(EventCode.ConnectionRequest);
    },
    onRejected: (from, condition) => agent.log.warn({ from, condition }, 'XMPP connection request refused'),
    onStatus: (status, jid) => {
      const values: Record<string, string> = { [Xmpp.status]: status, [Xmpp.lastChangeDate]: new Date(agent.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
      if (status === 'Enabled') Object.assign(values, { [Xmpp.jabberId]: jid, [Xmpp.connReqJabberId]: jid });
      if (m.read(Xmpp.status) !== status || (jid && m.read(Xmpp.jabberId) !== jid)) m.writeFromDevice(values);
      agent.log.info({ status, jid }, 'XMPP connection');
    },
  });
  m.onChange((names, origin) => {
    if (origin === 'acs' && names.some((n) => n.startsWith('Device.XMPP.') || n === Xmpp.connReqConnection)) void xmppClient.restart();
  });
  xmppClient.start();
  return xmppClient;
}
