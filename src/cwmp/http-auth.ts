/**
 * HTTP Basic and Digest authentication (RFC 7617, RFC 7616: MD5, SHA-256 and their -sess
 * variants, qop=auth). Client side answers challenges; server side issues and checks them
 * (used by the connection-request server and the test ACS). No I/O; randomness comes in.
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

export interface Challenge {
  scheme: string; // lower case: "digest", "basic"
  params: Record<string, string>;
}

/** Parses one or more WWW-Authenticate header values into challenges. */
export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  const values = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  const out: Challenge[] = [];
  for (const value of values) {
    const tokenizer = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?\s*,?/gy;
    let current: Challenge | undefined;
    let m: RegExpExecArray | null;
    while (tokenizer.lastIndex < value.length && (m = tokenizer.exec(value)) !== null) {
      const [, name, quoted, bare] = m;
      if (!name) break;
      if (quoted === undefined && bare === undefined) {
        // A bare token starts a new challenge ("Digest realm=...": no comma after the scheme).
        current = { scheme: name.toLowerCase(), params: {} };
        out.push(current);
        continue;
      }
      if (current) current.params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
    }
  }
  return out;
}

/** Parses an Authorization header value ("Digest a=b, ..." or "Basic xyz"). */
export function parseAuthorization(header: string | undefined): Challenge | { scheme: 'basic'; token: string } | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic', token: header.slice(space + 1).trim() };
  return parseChallenges(header)[0];
}

type Algorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

function normaliseAlgorithm(a: string | undefined): Algorithm | undefined {
  const v = (a ?? 'MD5').toUpperCase();
  if (v === 'MD5') return 'MD5';
  if (v === 'MD5-SESS') return 'MD5-sess';
  if (v === 'SHA-256') return 'SHA-256';
  if (v === 'SHA-256-SESS') return 'SHA-256-sess';
  return undefined;
}

function hash(algorithm: Algorithm, data: string): string {
  return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(data, 'utf8')
    .digest('hex');
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

interface DigestInput {
  algorithm: Algorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string | undefined;
  method: string;
  uri: string;
}

function digestResponse(i: DigestInput): string {
  let ha1 = hash(i.algorithm, `${i.username}:${i.realm}:${i.password}`);
  if (i.algorithm.endsWith('-sess')) ha1 = hash(i.algorithm, `${ha1}:${i.nonce}:${i.cnonce}`);
  const ha2 = hash(i.algorithm, `${i.method}:${i.uri}`);
  return i.qop ? hash(i.algorithm, `${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`) : hash(i.algorithm, `${ha1}:${i.nonce}:${ha2}`);
}

/**
 * Client state for one server's Digest challenge: answers it for each request, counting
 * nonces, so that later requests in a session authenticate without another round trip.
 */
export class DigestClient {
  private nonceCount = 0;
  constructor(
    private readonly challenge: Challenge,
    private readonly username: string,
    private readonly password: string,
    private readonly randomHex: () => string,
  ) {}

  /** Picks the strongest Digest challenge we support, or undefined. */
  static choose(challenges: Challenge[]): Challenge | undefined {
    const digests = challenges.filter((c) => c.scheme === 'digest' && normaliseAlgorithm(c.params['algorithm']) && c.params['nonce'] !== undefined);
    const qopOk = (c: Challenge): boolean => c.params['qop'] === undefined || c.params['qop'].split(',').some((q) => q.trim() === 'auth');
    const usable = digests.filter(qopOk);
    return usable.find((c) => normaliseAlgorithm(c.params['algorithm'])!.startsWith('SHA-256')) ?? usable[0];
  }

  authorization(method: string, uri: string): string {
    const p = this.challenge.params;
    const algorithm = normaliseAlgorithm(p['algorithm'])!;
    const qop = p['qop'] !== undefined ? 'auth' : undefined;
    const nc = (++this.nonceCount).toString(16).padStart(8, '0');
    const cnonce = this.randomHex();
    const realm = p['realm'] ?? '';
    const nonce = p['nonce'] ?? '';
    const response = digestResponse({ algorithm, username: this.username, password: this.password, realm, nonce, cnonce, nc, qop, method, uri });
    const parts = [
      `username=${quote(this.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `uri=${quote(uri)}`,
      `algorithm=${algorithm}`,
      `response="${response}"`,
    ];
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    if (p['opaque'] !== undefined) parts.push(`opaque=${quote(p['opaque'])}`);
    return `Digest ${parts.join(', ')}`;
  }
}

/* ---------- server side ---------- */

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export interface DigestServerOptions {
  realm: string;
  /** Offered in this order. */
  algorithms: DigestAlgorithm[];
  /** Nonce lifetime in milliseconds. */
  nonceLifetimeMs: number;
  /** Most nonces remembered at once (bounded memory under a flood). */
  maxNonces: number;
}

interface NonceState {
  issuedAt: number;
  /** Highest nonce count seen: a count that does not grow is a replay. */
  lastCount: number;
}

export type VerifyResult = { ok: true; username: string } | { ok: false; stale: boolean };

/**
 * Issues Digest challenges and verifies answers: nonces expire, each nonce count is accepted
 * once and in increasing order (no replay), and the nonce table is bounded.
 */
export class DigestServer {
  private readonly nonces = new Map<string, NonceState>();
  constructor(private readonly opts: DigestServerOptions) {}

  /**
   * WWW-Authenticate values for a 401, one per algorithm in the configured order. RFC 7616 asks
   * for the preferred first; many ACS clients read only the first header and know only MD5
   * (TR-069 names RFC 2617), so the connection-request server offers MD5 first by default.
   */
  challenge(now: number, randomHex: () => string, stale = false): string[] {
    this.prune(now);
    const nonce = randomHex();
    this.nonces.set(nonce, { issuedAt: now, lastCount: 0 });
    const opaque = hash('MD5', this.opts.realm);
    return this.opts.algorithms.map(
      (alg) =>
        `Digest realm=${quote(this.opts.realm)}, qop="auth", algorithm=${alg}, nonce=${quote(nonce)}, opaque=${quote(opaque)}${stale ? ', stale=true' : ''}`,
    );
  }

  /**
   * Checks an Authorization header for a request of `method` on `requestUri` (the request
   * target as received). The `uri` the response was computed for must be that target (RFC 7616
   * 3.4.6): a response made for another URI opens nothing.
   */
  verify(header: string | undefined, method: string, requestUri: string, now: number, lookupPassword: (username: string) => string | undefined): VerifyResult {
    const auth = parseAuthorization(header);
    if (auth?.scheme !== 'digest' || !('params' in auth)) return { ok: false, stale: false };
    const p = auth.params;
    const { username, nonce, uri, response, nc, cnonce, qop } = p;
    if (!username || !nonce || uri === undefined || !response || qop !== 'auth' || !nc || !cnonce) return { ok: false, stale: false };
    const algorithm = answeredAlgorithm(normaliseAlgorithm(p['algorithm']), response);
    if (!algorithm || !this.opts.algorithms.includes(algorithm.replace('-sess', '') as DigestAlgorithm)) return { ok: false, stale: false };
    if (p['realm'] !== this.opts.realm) return { ok: false, stale: false };
    if (!sameRequestTarget(uri, requestUri)) return { ok: false, stale: false };
    const state = this.nonces.get(nonce);
    if (!state) return { ok: false, stale: true };
    if (now - state.issuedAt > this.opts.nonceLifetimeMs) {
      this.nonces.delete(nonce);
      return { ok: false, stale: true };
    }
    const password = lookupPassword(username);
    if (password === undefined) return { ok: false, stale: false };
    const expected = digestResponse({ algorithm, username, password, realm: this.opts.realm, nonce, cnonce, nc, qop, method, uri });
    if (!constantTimeEqual(expected, response.toLowerCase())) return { ok: false, stale: false };
    const count = Number.parseInt(nc, 16);
    if (!Number.isFinite(count) || count <= state.lastCount) return { ok: false, stale: false };
    state.lastCount = count;
    return { ok: true, username };
  }

  private prune(now: number): void {
    for (const [nonce, s] of this.nonces) {
      if (now - s.issuedAt > this.opts.nonceLifetimeMs) this.nonces.delete(nonce);
    }
    // Oldest first: Map keeps insertion order.
    while (this.nonces.size >= this.opts.maxNonces) {
      const oldest = this.nonces.keys().next().value;
      if (oldest === undefined) break;
      this.nonces.delete(oldest);
    }
  }
}

/**
 * The algorithm a Digest response was computed with. Some ACS clients (GenieACS among them) merge
 * every challenge into one, always compute MD5 and echo the `algorithm` they parsed last, so an
 * MD5 answer arrives labelled SHA-256. The digest's length tells the two apart (32 hex digits for
 * MD5, 64 for SHA-256); the caller still accepts only an algorithm it offered, so nothing weaker
 * than the challenge gets in.
 */
function answeredAlgorithm(labelled: Algorithm | undefined, response: string): Algorithm | undefined {
  if (!labelled) return undefined;
  const sess = labelled.endsWith('-sess');
  if (response.length === 32) return sess ? 'MD5-sess' : 'MD5';
  if (response.length === 64) return sess ? 'SHA-256-sess' : 'SHA-256';
  return undefined;
}

/** Whether a Digest `uri` names the request target: the same origin-form, or an absolute URI with that path and query. */
function sameRequestTarget(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  if (!/^https?:\/\//i.test(digestUri)) return false;
  try {
    const u = new URL(digestUri);
    return u.pathname + u.search === requestUri;
  } catch {
    return false;
  }
}

/** Checks a Basic Authorization header against a username and password, in constant time. */
export function verifyBasic(header: string | undefined, username: string, password: string): boolean {
  const auth = parseAuthorization(header);
  if (auth?.scheme !== 'basic' || !('token' in auth)) return false;
  return constantTimeEqual(auth.token, Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));
}
