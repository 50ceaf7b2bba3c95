/**
 * What the HTTP APIs on a user's machine (the test ACS's JSON API, the fleet's control API) check
 * before acting on a request, because any web page the user opens can send requests to them:
 * - a state-changing request carries a JSON body (a page can post text/plain or a form across
 *   origins without asking, but not JSON);
 * - an Origin, when a browser sends one, is the API's own;
 * - without a token, the Host is one of this machine's names or an address (a page that rebinds
 *   its own DNS name to 127.0.0.1 would otherwise be "same origin" with the API);
 * - a path with a malformed percent-escape is a 400, not an exception.
 */
import type http from 'node:http';
import os from 'node:os';
import { isIP } from 'node:net';

export class ApiRequestRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 415,
    message: string,
  ) {
    super(message);
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** The path's segments after its first ("/api/a%20b/c" → ["a b", "c"]); ApiRequestRefused(400) for a bad escape. */
export function apiPathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter(Boolean)
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new ApiRequestRefused(400, `malformed percent-escape in the path: ${JSON.stringify(segment.slice(0, 64))}`);
      }
    });
}

/** Whether `hostname` (from a Host header, brackets removed) names this machine without DNS a page could control. */
function trustedHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return isIP(h) !== 0 || h === 'localhost' || h.endsWith('.localhost') || h === os.hostname().toLowerCase();
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/**
 * Throws ApiRequestRefused when `req` must not reach the API. `tokenRequired`: the API asks for a
 * bearer token, which a foreign page cannot know, so any Host may be used to reach it.
 */
export function guardApiRequest(req: http.IncomingMessage, tokenRequired = false): void {
  const host = req.headers.host ?? '';
  if (!tokenRequired && !trustedHostname(hostnameOf(host)))
    throw new ApiRequestRefused(403, `Host ${JSON.stringify(host)} is not a name of this machine; use its address (or localhost)`);
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = '';
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) throw new ApiRequestRefused(403, `requests from ${JSON.stringify(origin)} are not accepted`);
  }
  const method = req.method ?? 'GET';
  if (!STATE_CHANGING.has(method)) return;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (WITH_BODY.has(method) && type !== 'application/json')
    throw new ApiRequestRefused(415, `send the body as JSON with Content-Type: application/json (got ${JSON.stringify(type || 'none')})`);
}

/** The request target as a URL; ApiRequestRefused(400) for one that is not ("//host:99999"). */
export function requestUrl(req: http.IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://api.invalid');
  } catch {
    throw new ApiRequestRefused(400, `malformed request target: ${JSON.stringify((req.url ?? '').slice(0, 64))}`);
  }
}
