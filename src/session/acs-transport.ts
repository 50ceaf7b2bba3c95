/**
 * The HTTP(S) side of a CWMP session: POSTs on one kept-alive connection, an RFC 6265
 * cookie jar, Basic and Digest auth, 302/307 redirects, TLS 1.2+ verified by default,
 * bounded bodies and timeouts. One instance per session.
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { CookieJar } from 'tough-cookie';
import { basicAuthorization, DigestClient, parseChallenges } from './http-auth.js';

export interface TlsOptions {
  /** PEM CA bundle; the system store is used when absent. */
  ca?: string | Buffer;
  /** PEM client certificate and key, for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Verify the ACS's certificate and host name. Only an explicit false turns this off. */
  rejectUnauthorized: boolean;
}

export interface AcsTransportOptions {
  url: string;
  username?: string;
  password?: string;
  tls?: TlsOptions;
  /** Per HTTP exchange, milliseconds. */
  requestTimeoutMs: number;
  /** Largest body accepted from the ACS, bytes. */
  maxBodyBytes: number;
  userAgent: string;
}

export interface AcsReply {
  status: number;
  body: string;
}

/** A failure of the transport, phrased for a log line (no credentials in it). */
export class TransportError extends Error {
  constructor(message: string, readonly authRejected = false) {
    super(message);
    this.name = 'TransportError';
  }
}

const MAX_REDIRECTS = 5;

export class AcsTransport {
  private url: URL;
  private readonly jar = new CookieJar();
  private agent: http.Agent;
  private digest: DigestClient | undefined;
  private basic = false;
  private redirects = 0;
  private authAttempts = 0;

  constructor(private readonly opts: AcsTransportOptions) {
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new TransportError(`unsupported ACS URL scheme ${this.url.protocol}`);
    this.agent = this.makeAgent();
  }

  /** The URL in use after any redirect. */
  get currentUrl(): string {
    return this.url.toString();
  }

  async post(body: string): Promise<AcsReply> {
    for (;;) {
      const reply = await this.exchange(body);
      if (reply.status === 401) {
        if (!this.answerChallenge(reply.wwwAuthenticate, reply.staleRetryAllowed)) {
          throw new TransportError(`ACS rejected authentication (HTTP 401)`, true);
        }
        continue;
      }
      if (reply.status === 302 || reply.status === 307) {
        if (++this.redirects > MAX_REDIRECTS) throw new TransportError('too many redirects');
        const location = reply.location;
        if (!location) throw new TransportError(`HTTP ${reply.status} without Location`);
        const next = new URL(location, this.url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TransportError(`redirect to unsupported scheme ${next.protocol}`);
        if (next.origin !== this.url.origin) {
          this.agent.destroy();
          this.url = next;
          this.agent = this.makeAgent();
          this.digest = undefined;
        } else {
          this.url = next;
        }
        continue;
      }
      return { status: reply.status, body: reply.body };
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /** Sets up credentials for a retry after a 401; false when there is nothing more to try. */
  private answerChallenge(header: string | string[] | undefined, stale: boolean): boolean {
    const { username, password } = this.opts;
    if (username === undefined || password === undefined) return false;
    // One fresh attempt per challenge, plus one more when the server only says the nonce is stale.
    if (++this.authAttempts > (stale ? 3 : 2)) return false;
    const challenges = parseChallenges(header);
    const digest = DigestClient.choose(challenges);
    if (digest) {
      this.digest = new DigestClient(digest, username, password, () => randomBytes(8).toString('hex'));
      this.basic = false;
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.basic = true;
      this.digest = undefined;
      return true;
    }
    return false;
  }

  private makeAgent(): http.Agent {
    if (this.url.protocol === 'https:') {
      const tls = this.opts.tls;
      return new https.Agent({
        keepAlive: true,
        maxSockets: 1,
        minVersion: 'TLSv1.2',
        ca: tls?.ca,
        cert: tls?.cert,
        key: tls?.key,
        rejectUnauthorized: tls?.rejectUnauthorized !== false,
      });
    }
    return new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  private exchange(body: string): Promise<{ status: number; body: string; wwwAuthenticate?: string | string[]; location?: string; staleRetryAllowed: boolean }> {
    const url = this.url;
    const path = url.pathname + url.search;
    const headers: http.OutgoingHttpHeaders = {
      'User-Agent': this.opts.userAgent,
      'Content-Length': Buffer.byteLength(body),
    };
    if (body !== '') headers['Content-Type'] = 'text/xml; charset="utf-8"';
    const cookie = this.jar.getCookieStringSync(url.toString());
    if (cookie) headers['Cookie'] = cookie;
    if (this.digest) headers['Authorization'] = this.digest.authorization('POST', path);
    else if (this.basic) headers['Authorization'] = basicAuthorization(this.opts.username ?? '', this.opts.password ?? '');

    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        { protocol: url.protocol, hostname: url.hostname, port: url.port, path, method: 'POST', headers, agent: this.agent, timeout: this.opts.requestTimeoutMs },
        (res) => {
          const setCookie = res.headers['set-cookie'];
          if (setCookie) {
            for (const c of setCookie) {
              try {
                this.jar.setCookieSync(c, url.toString(), { ignoreError: true });
              } catch {
                // A cookie the jar refuses is dropped, as a browser would.
              }
            }
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.opts.maxBodyBytes) {
              req.destroy(new TransportError(`ACS body larger than ${this.opts.maxBodyBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const www = res.headers['www-authenticate'];
            const stale = status === 401 && parseChallenges(www).some((c) => c.params['stale']?.toLowerCase() === 'true');
            if (status !== 401) this.authAttempts = 0;
            resolve({ status, body: Buffer.concat(chunks).toString('utf8'), wwwAuthenticate: www, location: res.headers.location, staleRetryAllowed: stale });
          });
          res.on('error', (err) => reject(asTransportError(err)));
        },
      );
      req.on('timeout', () => req.destroy(new TransportError(`no answer from the ACS within ${this.opts.requestTimeoutMs} ms`)));
      req.on('error', (err) => reject(asTransportError(err)));
      req.end(body);
    });
  }
}

function asTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as NodeJS.ErrnoException;
  return new TransportError(e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err)));
}
