/**
 * The rules every HTTP client of the agent follows on a redirect (the ACS session, file
 * transfers, Bulk Data reports): only http and https, never from https down to http, and
 * credentials only for the origin they were given for. Pure.
 */

/** Why a redirect from `from` to `to` is refused, or undefined when it may be followed. */
export function refusedRedirect(from: URL, to: URL): string | undefined {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return `refused a redirect to the unsupported scheme ${to.protocol.replace(':', '')}`;
  // What follows (credentials, the body) would go in clear.
  if (from.protocol === 'https:' && to.protocol === 'http:') return `refused a redirect from https to http (${to.host})`;
  return undefined;
}

/** Whether credentials given for `credentialsUrl` may answer a challenge from `url`: the same origin only. */
export function credentialsMayGoTo(credentialsUrl: URL, url: URL): boolean {
  return credentialsUrl.origin === url.origin;
}
