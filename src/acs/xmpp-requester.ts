/** The ACS side of TR-069 Annex K: sends connectionRequest iqs to a CPE's JID over XMPP. */
import { client, xml, type Client } from '@xmpp/client';
import { XMPP_CONNREQ_NS } from '../cwmp/xmpp-connection-request.js';

export interface XmppRequesterOptions {
  service: string;
  domain: string;
  username: string;
  password: string;
  resource?: string;
}

export class XmppConnectionRequester {
  private xmpp: Client | undefined;
  constructor(private readonly opts: XmppRequesterOptions) {}

  async start(): Promise<string> {
    const xmpp = client({ service: this.opts.service, domain: this.opts.domain, username: this.opts.username, password: this.opts.password, resource: this.opts.resource ?? 'acs' });
    xmpp.on('error', () => undefined);
    this.xmpp = xmpp;
    return (await xmpp.start()).toString();
  }

  /** 'result', or the stanza error condition the CPE answered with ('timeout' when none came). */
  async connectionRequest(cpeJid: string, username: string, password: string, timeoutMs = 5000): Promise<string> {
    if (!this.xmpp) throw new Error('not started');
    const iq = xml('iq', { type: 'set', to: cpeJid }, xml('connectionRequest', { xmlns: XMPP_CONNREQ_NS }, xml('username', {}, username), xml('password', {}, password)));
    try {
      await this.xmpp.iqCaller.request(iq, timeoutMs);
      return 'result';
    } catch (err) {
      const e = err as { condition?: string; name?: string };
      if (e.name === 'TimeoutError') return 'timeout';
      return e.condition ?? String(err);
    }
  }

  async stop(): Promise<void> {
    await this.xmpp?.stop().catch(() => undefined);
  }
}
