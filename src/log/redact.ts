/**
 * Credentials inside text: a password in a URL's userinfo (`http://user:secret@host/`) becomes
 * `http://user:***@host/`. Applied to every log line the agent writes, whatever field or
 * message carries the URL (a configured ACS URL, an error quoting it, a redirect's Location).
 */

// scheme://user:password@ — the password may hold anything but the characters ending it.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"'\\]*):[^\s/?#@"'\\]*@/gi;

export function redactUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(URL_PASSWORD, '$1:***@') : text;
}
