/// <reference path="../types/xmpp-parts.d.ts" preserve="true" />
/**
 * An XMPP client stream for TR-069 Annex K, assembled from xmpp.js's parts (its design: small
 * pieces a client composes) rather than @xmpp/client's fixed bundle, so that the agent owns TLS:
 * STARTTLS verified against the same trust (CA, client certificate) as the ACS connection,
 * TLS required when XMPP.Connection.{i}.UseTLS says so, and the stanza counts of
 * XMPP.Connection.{i}.Stats. SASL SCRAM-SHA-1 (PLAIN only once the stream is encrypted) and
 * resource binding; no stream management or SASL2, which connection requests do not need.
 */
import { Client, xml } from '@xmpp/client-core';
import { promise } from '@xmpp/events';
import iqCallee, { type IqCallee } from '@xmpp/iq/callee.js';
import iqCaller from '@xmpp/iq/caller.js';
import middleware from '@xmpp/middleware';
import resourceBinding from '@xmpp/resource-binding';
import sasl from '@xmpp/sasl';
import saslPlain from '@xmpp/sasl-plain';
import saslScramSha1 from '@xmpp/sasl-scram-sha-1';
import streamFeatures from '@xmpp/stream-features';
import tcp from '@xmpp/tcp';
import TlsSocket from '@xmpp/tls/lib/Socket.js';
import SASLFactory from 'saslmechanisms';
import type { XmppElement, XmppEntity } from '@xmpp/client-core';

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
const NS_STREAMS = 'http://etherx.jabber.org/streams';
const STANZAS = new Set(['iq', 'message', 'presence']);

export interface XmppTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
}

export interface XmppStreamOptions {
  /** xmpp://host:port */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource: string;
  /** Refuse a server that does not offer STARTTLS (UseTLS). It is used whenever offered. */
  requireTls: boolean;
  tls: XmppTlsOptions;
  timeoutMs?: number;
  /** Every stanza in or out, with whether its type is "error" (XMPP.Connection.{i}.Stats). */
  onStanza?: (direction: 'received' | 'transmitted', error: boolean) => void;
}

/** xmpp.js's stanza builder, for those who load this module lazily. */
export { xml };

export class XmppTlsRequiredError extends Error {
  constructor() {
    super('UseTLS is true and the XMPP server does not offer STARTTLS');
    this.name = 'XmppTlsRequiredError';
  }
}

export type XmppStream = XmppEntity & {
  iqCallee: IqCallee;
  iqCaller: { request(element: XmppElement, timeout?: number): Promise<XmppElement> };
};

export function openXmppStream(o: XmppStreamOptions): XmppStream {
  const entity = new Client({ service: o.service, domain: o.domain, timeout: o.timeoutMs ?? 10_000 });
  tcp({ entity });
  const mw = middleware({ entity });
  const features = streamFeatures({ middleware: mw });
  const caller = iqCaller({ middleware: mw, entity });
  const callee = iqCallee({ middleware: mw, entity });

  // Registered first, so it sees the features before SASL does: STARTTLS whenever offered.
  features.use('starttls', NS_TLS, async ({ entity: e }, next) => {
    if (e.isSecure()) return next();
    const answer = await e.sendReceive(xml('starttls', { xmlns: NS_TLS }));
    if (!answer.is('proceed', NS_TLS)) throw new Error('the XMPP server refused STARTTLS');
    const secure = new TlsSocket();
    secure.connect({ socket: e.socket, host: o.domain, servername: o.domain, minVersion: 'TLSv1.2', ...o.tls });
    await promise(secure, 'connect');
    e._attachSocket(secure);
    await e.restart();
  });
  // Without STARTTLS on offer, a connection that must be encrypted stops here.
  mw.use((ctx, next) => {
    if (o.requireTls && ctx.stanza.is('features', NS_STREAMS) && !ctx.entity.isSecure() && !ctx.stanza.getChild('starttls', NS_TLS))
      throw new XmppTlsRequiredError();
    return next();
  });

  const factory = new SASLFactory();
  saslScramSha1(factory);
  saslPlain(factory);
  sasl({ streamFeatures: features, saslFactory: factory }, async (authenticate, mechanisms, _fast, e) => {
    // PLAIN sends the password itself: only inside TLS.
    const mechanism = e.isSecure() ? mechanisms[0] : mechanisms.find((m) => m !== 'PLAIN');
    if (!mechanism) throw new Error('no SASL mechanism the server offers is safe without TLS');
    await authenticate({ username: o.username, password: o.password }, mechanism);
  });
  resourceBinding({ streamFeatures: features, iqCaller: caller }, o.resource || undefined);
  callee.get('urn:xmpp:ping', 'ping', () => ({}));

  if (o.onStanza) {
    const count = (direction: 'received' | 'transmitted') => (el: XmppElement) => {
      if (STANZAS.has(el.name)) o.onStanza!(direction, el.attrs['type'] === 'error');
    };
    entity.on('element', count('received'));
    entity.on('send', count('transmitted'));
  }
  return Object.assign(entity, { iqCallee: callee, iqCaller: caller });
}
