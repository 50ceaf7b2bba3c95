/**
 * Keeps the CPE logged in to its XMPP server (TR-069 Annex K, TR-181 XMPP.Connection.{i}) and
 * answers connectionRequest iqs: an allowed sender with the right credentials gets an iq result
 * and a session; anyone else the stanza error the Annex prescribes. Servers are tried in the
 * order ServerConnectAlgorithm gives, each ServerConnectAttempts times, with the backoff of
 * ServerRetryInitialInterval / ServerRetryIntervalMultiplier / ServerRetryMaxInterval between
 * attempts; once online, a whitespace keepalive every KeepAliveInterval (RFC 6120 4.6.1).
 */
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { checkXmppConnectionRequest, XMPP_CONNREQ_NS, type XmppConnReqPolicy } from '../cwmp/xmpp-connection-request.js';
import { hostPort } from './local-address.js';
import type { XmppStream, XmppTlsOptions } from '../net/xmpp-stream.js';

/** xmpp.js, loaded when a device first connects to an XMPP server: most devices never do. */
let xmppModule: Promise<typeof import('../net/xmpp-stream.js')> | undefined;
const loadXmpp = (): Promise<typeof import('../net/xmpp-stream.js')> => (xmppModule ??= import('../net/xmpp-stream.js'));
import type { XmppServer } from './xmpp-servers.js';

export interface XmppSettings {
  /** The servers to try, in order (resolved again after each has been tried). */
  servers: () => Promise<XmppServer[]>;
  domain: string;
  username: string;
  password: string;
  resource: string;
  retryInitialSeconds: number;
  retryMultiplier: number;
  retryMaxSeconds: number;
  /** Attempts at one server before the next (ServerConnectAttempts; 0 counts as 1). */
  connectAttempts: number;
  /** Seconds between whitespace keepalives; 0 sends none. */
  keepAliveSeconds: number;
  requireTls: boolean;
  tls: XmppTlsOptions;
}

export type XmppStatus = 'Disabled' | 'Connecting' | 'Enabled' | 'ServerNotPresent' | 'Error_AuthenticationFailure' | 'Error_Misconfigured' | 'Error';

export interface XmppLink {
  jid: string;
  tlsEstablished: boolean;
}

export interface XmppClientOptions {
  settings: () => XmppSettings | null;
  policy: () => XmppConnReqPolicy;
  onConnectionRequest: (from: string) => void;
  onStatus: (status: XmppStatus, link: XmppLink) => void;
  onRejected?: (from: string, condition: string) => void;
  onStanza?: (direction: 'received' | 'transmitted', error: boolean) => void;
  clock: Clock;
  random: () => number;
}

const OFFLINE: XmppLink = { jid: '', tlsEstablished: false };

export class XmppConnectionRequestClient {
  private xmpp: XmppStream | undefined;
  /** xmpp.js's stanza builder, once loaded. */
  private xml: typeof import('../net/xmpp-stream.js')['xml'] | undefined;
  private timer: TimerHandle | undefined;
  private keepAlive: TimerHandle | undefined;
  private retries = 0;
  /** Where in the server list the next attempt goes, and how often it has been tried. */
  private servers: XmppServer[] = [];
  private serverIndex = 0;
  private attemptsOnServer = 0;
  private running = false;
  private generation = 0;

  constructor(private readonly opts: XmppClientOptions) {}

  start(): void {
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.drop();
  }

  /** Settings changed: log in again with the new ones, from the first server. */
  async restart(): Promise<void> {
    this.timer?.cancel();
    this.retries = 0;
    this.servers = [];
    await this.drop();
    if (this.running) void this.connect();
  }

  /** Forgets the current stream (its late events are ignored) and returns it for stopping. */
  private detach(): XmppStream | undefined {
    const old = this.xmpp;
    this.xmpp = undefined;
    this.generation++;
    this.keepAlive?.cancel();
    this.keepAlive = undefined;
    if (old) {
      old.removeAllListeners();
      old.on('error', () => undefined);
    }
    return old;
  }

  private async drop(): Promise<void> {
    await this.detach()
      ?.stop()
      .catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const s = this.opts.settings();
    if (!this.running) return;
    if (!s) return this.opts.onStatus('Disabled', OFFLINE);
    if (!s.domain || !s.username) return this.opts.onStatus('Error_Misconfigured', OFFLINE);
    this.opts.onStatus('Connecting', OFFLINE);
    const generation = ++this.generation;
    if (this.serverIndex >= this.servers.length) {
      this.servers = await s.servers();
      this.serverIndex = this.attemptsOnServer = 0;
      if (generation !== this.generation || !this.running) return;
      if (this.servers.length === 0) return this.scheduleReconnect(s, 'ServerNotPresent');
    }
    const server = this.servers[this.serverIndex]!;
    const { openXmppStream, xml } = await loadXmpp();
    if (generation !== this.generation || !this.running) return;
    this.xml = xml;
    const xmpp = openXmppStream({
      service: `xmpp://${hostPort(server.host, server.port)}`,
      domain: s.domain,
      username: s.username,
      password: s.password,
      resource: s.resource,
      requireTls: s.requireTls,
      tls: s.tls,
      onStanza: this.opts.onStanza,
    });
    this.xmpp = xmpp;
    xmpp.on('error', () => undefined);
    xmpp.on('disconnect', () => {
      if (generation === this.generation && this.running) this.scheduleReconnect(s, 'ServerNotPresent');
    });
    // Annex K's example, GenieACS and others send type "get"; some ACSes send "set": both are answered.
    xmpp.iqCallee.get(XMPP_CONNREQ_NS, 'connectionRequest', (ctx) => this.onRequest(ctx));
    xmpp.iqCallee.set(XMPP_CONNREQ_NS, 'connectionRequest', (ctx) => this.onRequest(ctx));
    try {
      const jid = await xmpp.start();
      if (generation !== this.generation) return;
      this.retries = this.attemptsOnServer = 0;
      this.opts.onStatus('Enabled', { jid: jid.toString(), tlsEstablished: xmpp.isSecure() });
      this.armKeepAlive(xmpp, s.keepAliveSeconds, generation);
    } catch (err) {
      if (generation !== this.generation || !this.running) return;
      this.scheduleReconnect(s, statusOf(err));
    }
  }

  private armKeepAlive(xmpp: XmppStream, seconds: number, generation: number): void {
    if (!(seconds > 0)) return;
    this.keepAlive = this.opts.clock.setTimer(seconds * 1000, () => {
      if (generation !== this.generation) return;
      // A write to a dead peer fails and ends in 'disconnect', which reconnects.
      void xmpp.write(' ').catch(() => undefined);
      this.armKeepAlive(xmpp, seconds, generation);
    });
  }

  private scheduleReconnect(s: XmppSettings, status: XmppStatus): void {
    if (this.timer && this.xmpp === undefined) return;
    this.opts.onStatus(status, OFFLINE);
    // ServerConnectAttempts at this server, then the next; after the last, the list is looked up again.
    if (++this.attemptsOnServer >= Math.max(1, s.connectAttempts)) {
      this.serverIndex++;
      this.attemptsOnServer = 0;
    }
    const n = this.retries++;
    const k = s.retryMultiplier / 1000;
    const low = Math.min(s.retryInitialSeconds * k ** n, s.retryMaxSeconds);
    const high = Math.min(s.retryInitialSeconds * k ** (n + 1), s.retryMaxSeconds);
    const wait = low + (high - low) * this.opts.random();
    void this.detach()
      ?.stop()
      .catch(() => undefined);
    this.timer?.cancel();
    this.timer = this.opts.clock.setTimer(wait * 1000, () => {
      this.timer = undefined;
      void this.connect();
    });
  }

  private onRequest(ctx: { stanza: { attrs: Record<string, string | undefined> }; element: { getChildText(name: string): string | null } }): unknown {
    const from = ctx.stanza.attrs['from'] ?? '';
    const username = ctx.element.getChildText('username') ?? '';
    const password = ctx.element.getChildText('password') ?? '';
    const verdict = checkXmppConnectionRequest(from, username, password, this.opts.policy());
    if (!verdict.accept) {
      this.opts.onRejected?.(from, verdict.condition);
      const xml = this.xml!;
      return xml('error', { type: verdict.errorType }, xml(verdict.condition, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }));
    }
    this.opts.onConnectionRequest(from);
    return true;
  }
}

function statusOf(err: unknown): XmppStatus {
  if (err instanceof Error && err.name === 'XmppTlsRequiredError') return 'Error_Misconfigured';
  if ((err as { condition?: string }).condition === 'not-authorized') return 'Error_AuthenticationFailure';
  // A certificate the agent does not trust: the server is there, but not one to talk to.
  if (typeof (err as { code?: string }).code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test((err as { code: string }).code)) return 'Error';
  return 'ServerNotPresent';
}
