/// <reference path="../types/xmpp-parts.d.ts" preserve="true" />
/** The ACS side of TR-069 Annex K: sends connectionRequest iqs to a CPE's JID over XMPP. */
import { xml } from '@xmpp/client-core';
import { XMPP_CONNREQ_NS } from '../cwmp/xmpp-connection-request.js';
import { openXmppStream, type XmppStream, type XmppTlsOptions } from '../net/xmpp-stream.js';

export interface XmppRequesterOptions {
  service: string;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** The trust for the server's certificate when it offers STARTTLS (the system's by default). */
  tls?: XmppTlsOptions;
}

export class XmppConnectionRequester {
  private xmpp: XmppStream | undefined;
  constructor(private readonly opts: XmppRequesterOptions) {}

  async start(): Promise<string> {
    const o = this.opts;
    const xmpp = openXmppStream({
      service: o.service,
      domain: o.domain,
      username: o.username,
      password: o.password,
      resource: o.resource ?? 'acs',
      requireTls: false,
      tls: o.tls ?? { rejectUnauthorized: true },
    });
    xmpp.on('error', () => undefined);
    this.xmpp = xmpp;
    return (await xmpp.start()).toString();
  }

  /**
   * 'result', or the stanza error condition the CPE answered with ('timeout' when none came).
   * The iq is of type "get" as in TR-069 Annex K's example and the ACSes in the field; "set" is
   * what some others send.
   */
  async connectionRequest(cpeJid: string, username: string, password: string, timeoutMs = 5000, type: 'get' | 'set' = 'get'): Promise<string> {
    if (!this.xmpp) throw new Error('not started');
    const iq = xml(
      'iq',
      { type, to: cpeJid },
      xml('connectionRequest', { xmlns: XMPP_CONNREQ_NS }, xml('username', {}, username), xml('password', {}, password)),
    );
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
