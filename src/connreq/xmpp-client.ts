/**
 * Keeps the CPE logged in to its XMPP server (TR-069 Annex K, TR-181 Device.XMPP) and answers
 * connectionRequest iqs: an allowed sender with the right credentials gets an iq result and a
 * session; anyone else the stanza error the Annex prescribes. Reconnects with the backoff of
 * ServerRetryInitialInterval / ServerRetryIntervalMultiplier / ServerRetryMaxInterval.
 */
import { client, xml, type Client, type IqContext } from '@xmpp/client';
import type { Clock, TimerHandle } from '../clock.js';
import { checkXmppConnectionRequest, XMPP_CONNREQ_NS, type XmppConnReqPolicy } from '../cwmp/xmpp-connection-request.js';

export interface XmppSettings {
  /** xmpp://host:port */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource: string;
  retryInitialSeconds: number;
  retryMultiplier: number;
  retryMaxSeconds: number;
}

export type XmppStatus = 'Disabled' | 'Connecting' | 'Enabled' | 'ServerNotPresent' | 'Error_AuthenticationFailure' | 'Error_Misconfigured';

export interface XmppClientOptions {
  settings: () => XmppSettings | null;
  policy: () => XmppConnReqPolicy;
  onConnectionRequest: (from: string) => void;
  onStatus: (status: XmppStatus, jid: string) => void;
  onRejected?: (from: string, condition: string) => void;
  clock: Clock;
  random: () => number;
}

export class XmppConnectionRequestClient {
  private xmpp: Client | undefined;
  private timer: TimerHandle | undefined;
  private retries = 0;
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

  /** Settings changed: log in again with the new ones. */
  async restart(): Promise<void> {
    this.timer?.cancel();
    this.retries = 0;
    await this.drop();
    if (this.running) void this.connect();
  }

  /** Forgets the current client (its late events are ignored) and returns it for stopping. */
  private detach(): Client | undefined {
    const old = this.xmpp;
    this.xmpp = undefined;
    this.generation++;
    if (old) {
      old.removeAllListeners();
      old.on('error', () => undefined);
    }
    return old;
  }

  private async drop(): Promise<void> {
    await this.detach()?.stop().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const s = this.opts.settings();
    if (!this.running) return;
    if (!s) return this.opts.onStatus('Disabled', '');
    if (!s.domain || !s.username) return this.opts.onStatus('Error_Misconfigured', '');
    this.opts.onStatus('Connecting', '');
    const generation = ++this.generation;
    const xmpp = client({ service: s.service, domain: s.domain, resource: s.resource || undefined, username: s.username, password: s.password, timeout: 10_000 });
    this.xmpp = xmpp;
    xmpp.reconnect.stop(); // the backoff below follows TR-181, not the library's fixed delay
    xmpp.on('error', () => undefined);
    xmpp.on('disconnect', () => {
      if (generation === this.generation && this.running) this.scheduleReconnect(s, 'ServerNotPresent');
    });
    xmpp.iqCallee.set(XMPP_CONNREQ_NS, 'connectionRequest', (ctx: IqContext) => this.onRequest(ctx));
    try {
      const jid = await xmpp.start();
      if (generation !== this.generation) return;
      this.retries = 0;
      this.opts.onStatus('Enabled', jid.toString());
    } catch (err) {
      if (generation !== this.generation || !this.running) return;
      const condition = (err as { condition?: string }).condition;
      this.scheduleReconnect(s, condition === 'not-authorized' ? 'Error_AuthenticationFailure' : 'ServerNotPresent');
    }
  }

  private scheduleReconnect(s: XmppSettings, status: XmppStatus): void {
    if (this.timer && this.xmpp === undefined) return;
    this.opts.onStatus(status, '');
    const n = this.retries++;
    const k = s.retryMultiplier / 1000;
    const low = Math.min(s.retryInitialSeconds * k ** n, s.retryMaxSeconds);
    const high = Math.min(s.retryInitialSeconds * k ** (n + 1), s.retryMaxSeconds);
    const wait = low + (high - low) * this.opts.random();
    void this.detach()?.stop().catch(() => undefined);
    this.timer?.cancel();
    this.timer = this.opts.clock.setTimer(wait * 1000, () => {
      this.timer = undefined;
      void this.connect();
    });
  }

  private onRequest(ctx: IqContext): unknown {
    const from = ctx.stanza.attrs['from'] ?? '';
    const username = ctx.element.getChildText('username') ?? '';
    const password = ctx.element.getChildText('password') ?? '';
    const verdict = checkXmppConnectionRequest(from, username, password, this.opts.policy());
    if (!verdict.accept) {
      this.opts.onRejected?.(from, verdict.condition);
      return xml('error', { type: verdict.errorType }, xml(verdict.condition, { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }));
    }
    this.opts.onConnectionRequest(from);
    return true;
  }
}
