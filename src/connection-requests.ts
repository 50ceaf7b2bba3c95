/** Wires the connection-request server to an agent: credentials from the data model, URL into it. */
import { randomBytes } from 'node:crypto';
import type { Agent } from './agent.js';
import { EventCode } from './cwmp/events.js';
import { ManagementServer } from './models/device-core.js';
import { HttpConnectionRequestServer } from './connreq/http-server.js';
import { hostPort, localAddressToward } from './connreq/local-address.js';

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
