/**
 * Secrets out of what the agent writes down. A password in a URL's userinfo
 * (`http://user:secret@host/`) becomes `http://user:***@host/` in every log line, whatever field
 * or message carries the URL. Wire traces and logged envelopes also hide credentials in headers
 * (Authorization, cookies) and in CWMP bodies (the values of *Password, *Key, *Passphrase
 * parameters a SetParameterValues sets, a Download's or Upload's Password), keeping the rest of
 * each envelope as it went over the wire.
 */

// scheme://user:password@ — the password may hold anything but the characters ending it.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"'\\]*):[^\s/?#@"'\\]*@/gi;

export function redactUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(URL_PASSWORD, '$1:***@') : text;
}

const HIDDEN = '[hidden]';
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'www-authenticate-info']);
const SECRET_NAME = /(Password|Passphrase|Key|PSK|Secret)(\b|$)/i;

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? HIDDEN : Array.isArray(v) ? v.map(redactUrlCredentials) : redactUrlCredentials(v);
  }
  return out;
}

/** A CWMP body with secret values replaced; structure, names and everything else kept. */
export function redactCwmpBody(xml: string): string {
  let text = redactUrlCredentials(xml);
  // ParameterValueStruct whose Name is a secret: hide its Value.
  text = text.replace(
    /(<ParameterValueStruct>\s*<Name>([^<]*)<\/Name>\s*<Value(?:\s[^>]*)?>)([^<]*)(<\/Value>)/g,
    (all, open: string, name: string, _value: string, close: string) => (SECRET_NAME.test(name.trim()) ? `${open}${HIDDEN}${close}` : all),
  );
  // Download, Upload, ScheduleDownload, ChangeDUState credentials.
  text = text.replace(/(<Password>)([^<]*)(<\/Password>)/g, (_all, open: string, value: string, close: string) =>
    value === '' ? `${open}${close}` : `${open}${HIDDEN}${close}`,
  );
  return text;
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
