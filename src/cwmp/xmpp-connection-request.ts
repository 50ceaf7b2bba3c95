/**
 * TR-069 Annex K connection requests over XMPP: who may send one, and what the CPE answers.
 * The stanza is `<iq type="set"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0">
 * <username/><password/></connectionRequest></iq>`. Pure.
 */
import { constantTimeEqual } from './constant-time.js';

export const XMPP_CONNREQ_NS = 'urn:broadband-forum-org:cwmp:xmppConnReq-1-0';

/** The stanza error the CPE returns, or accept. */
export type XmppConnReqVerdict = { accept: true } | { accept: false; errorType: 'cancel'; condition: 'service-unavailable' | 'not-authorized' };

export interface XmppConnReqPolicy {
  /** ConnReqAllowedJabberIDs: bare or full JIDs; empty allows any sender. */
  allowedJids: readonly string[];
  username: string;
  password: string;
}

function bare(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
}

export function senderAllowed(from: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const full = from.toLowerCase();
  return allowed.some((a) => {
    const entry = a.trim().toLowerCase();
    return entry === full || (!entry.includes('/') && entry === bare(full));
  });
}

export function checkXmppConnectionRequest(from: string, username: string, password: string, policy: XmppConnReqPolicy): XmppConnReqVerdict {
  if (!senderAllowed(from, policy.allowedJids)) return { accept: false, errorType: 'cancel', condition: 'service-unavailable' };
  const ok = constantTimeEqual(username, policy.username) && constantTimeEqual(password, policy.password);
  return ok ? { accept: true } : { accept: false, errorType: 'cancel', condition: 'not-authorized' };
}

/** ConnReqAllowedJabberIDs is a comma-separated list. */
export function parseJidList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
