/**
 * Secrets out of what the agent writes down. A password in a URL's userinfo
 * (`http://user:secret@host/`) becomes `http://user:***@host/` in every log line, whatever field
 * or message carries the URL. Wire traces and logged envelopes also hide credentials in headers
 * (Authorization, cookies) and in CWMP bodies (the values of *Password, *Key, *Passphrase
 * parameters a SetParameterValues sets, a Download's or Upload's Password), keeping the rest of
 * each envelope as it went over the wire.
 */

import { HIDDEN, redactSecretValues } from './cwmp-body-redaction.js';

// scheme://user:password@ — the password may hold anything but the characters ending it.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"'\\]*):[^\s/?#@"'\\]*@/gi;

export function redactUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(URL_PASSWORD, '$1:***@') : text;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'www-authenticate-info']);

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? HIDDEN : Array.isArray(v) ? v.map(redactUrlCredentials) : redactUrlCredentials(v);
  }
  return out;
}

/** A CWMP body with secret values replaced; structure, names and everything else kept (see cwmp-body-redaction.ts). */
export function redactCwmpBody(xml: string): string {
  return redactSecretValues(redactUrlCredentials(xml));
}

/** A URL for the logs: no query string (it may carry a token) and no credentials. */
export function urlForLog(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
