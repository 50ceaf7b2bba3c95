/**
 * The HTTP(S) side of a CWMP session: POSTs on one kept-alive connection, an RFC 6265
 * cookie jar, Basic and Digest auth, 302/307 redirects, TLS 1.2+ verified by default,
 * bounded bodies and timeouts. One instance per session.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import net, { type Socket } from 'node:net';
import { buildConnector, Client, type Dispatcher, errors as undiciErrors } from 'undici';
import { CookieJar } from 'tough-cookie';
import { basicAuthorization, DigestClient, parseChallenges } from '../cwmp/http-auth.js';
import { refusedRedirect } from '../net/redirect-rules.js';
import { Readable } from 'node:stream';

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
  /** ManagementServer.HTTPCompression: compress what the CPE sends, accept compressed answers. */
  compression?: 'GZIP' | 'Deflate';
  /** Hosts besides the URL's own that a redirect may lead to (a redirect elsewhere fails the session). */
  redirectHosts?: readonly string[];
  /** Quirks of a misbehaving device (a test harness): keeps no cookies; answers Basic challenges only. */
  ignoreCookies?: boolean;
  basicAuthOnly?: boolean;
  /** Sees each HTTP exchange as it went over the wire (the wire trace); bodies uncompressed. */
  onExchange?: (e: ExchangeRecord) => void;
  /** The address connections leave from (a fleet device's own); the system's choice when absent. */
  localAddress?: string;
  /** Told each time a connection waits for a local port (see connectWhenPortsFree). */
  onPortWait?: (code: string) => void;
  /** Whether the session is being given up (the agent stops): a port wait ends with its error. */
  stopping?: () => boolean;
}

export interface ExchangeRecord {
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status?: number;
  responseHeaders?: Record<string, string | string[] | undefined>;
  responseBody?: string;
  error?: string;
  ms: number;
}

export interface AcsReply {
  status: number;
  body: string;
  /** Retry-After of a 503 (overloaded ACS), seconds from now. */
  retryAfterSeconds?: number;
}

/** A failure of the transport, phrased for a log line (no credentials in it). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly authRejected = false,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

const MAX_REDIRECTS = 5;

/** The reason given when a session's connection is closed (see close()). */
const SESSION_ENDED = new Error('CWMP session ended');

export class AcsTransport {
  private url: URL;
  // Public-suffix checks are for browsers choosing cookie domains; an ACS session needs none.
  // Made with the first Set-Cookie: most Informs go out before the ACS has set any, and the jar's
  // lookups cost a session more than its XML does.
  private jar: CookieJar | undefined;
  private client: Client;
  /**
   * The socket of the client's connection, from the moment it is being opened. undici does not
   * close a socket whose TLS handshake never completes when its client is destroyed, and its
   * connect timeout, which would, is off (see makeClient): dropConnection closes it here.
   */
  private socket: Socket | undefined;
  /** The running exchange's deadline, held while its connection waits for a local port. */
  private portWaitDeadline: { pause(): void; resume(): void } | undefined;
  private digest: DigestClient | undefined;
  private basic = false;
  private redirects = 0;
  private authAttempts = 0;

  constructor(private readonly opts: AcsTransportOptions) {
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new TransportError(`unsupported ACS URL scheme ${this.url.protocol}`);
    this.client = this.makeClient();
  }

  /** The URL in use after any redirect. */
  get currentUrl(): string {
    return this.url.toString();
  }

  /**
   * POSTs and returns the answer after any auth and redirects. Each exchange must be complete
   * (headers and the whole body) within the request timeout, and within `withinMs` (what is
   * left of the session): an ACS that drips its answer cannot hold the session open.
   */
  async post(body: string, withinMs = Infinity, delivery?: BodyDelivery): Promise<AcsReply> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const reply = await this.exchange(body, Math.max(1, Math.min(this.opts.requestTimeoutMs, deadline - Date.now())), delivery);
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
        const refused = refusedRedirect(this.url, next);
        if (refused) throw new TransportError(refused);
        // The credentials and the session's content would go to whoever answers there.
        if (
          next.hostname.toLowerCase() !== this.url.hostname.toLowerCase() &&
          !this.opts.redirectHosts?.some((h) => h.toLowerCase() === next.hostname.toLowerCase())
        ) {
          throw new TransportError(`refused a redirect to another host (${next.hostname}); list it in acs.redirectHosts to allow it`);
        }
        if (next.origin !== this.url.origin) {
          this.dropConnection(SESSION_ENDED);
          this.url = next;
          this.client = this.makeClient();
          this.digest = undefined;
        } else {
          this.url = next;
        }
        continue;
      }
      return { status: reply.status, body: reply.body, retryAfterSeconds: reply.status === 503 ? retryAfterSeconds(reply.retryAfter) : undefined };
    }
  }

  /**
   * Ends the session's connection. Given no reason, undici builds a fresh error (stack trace
   * and all) for every closed client, a real cost with thousands of devices: one shared reason
   * serves them all.
   */
  close(): void {
    this.dropConnection(SESSION_ENDED);
  }

  /** Closes the client and its socket, even one still in its TLS handshake. */
  private dropConnection(reason: Error): void {
    void this.client.destroy(reason).catch(() => undefined);
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** Sets up credentials for a retry after a 401; false when there is nothing more to try. */
  private answerChallenge(header: string | string[] | undefined, stale: boolean): boolean {
    const { username, password } = this.opts;
    if (username === undefined || password === undefined) return false;
    // One fresh attempt per challenge, plus one more when the server only says the nonce is stale.
    if (++this.authAttempts > (stale ? 3 : 2)) return false;
    const challenges = parseChallenges(header);
    const digest = this.opts.basicAuthOnly ? undefined : DigestClient.choose(challenges);
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

  /**
   * One undici Client per session: a single connection to the ACS's origin, kept alive for
   * the session's exchanges (undici costs markedly less CPU per exchange than node:http, which
   * matters with thousands of devices in one process).
   */
  private makeClient(): Client {
    const tls = this.opts.tls;
    // No connect, headers or body timeouts of undici's own (0 turns them off): each exchange's
    // deadline (see exchange) bounds connecting, headers and body together, and undici's would be
    // timers made per session and kept until its next sweep, a real cost with thousands in flight.
    // From a source address of one family, the ACS's name must resolve to that family.
    const local = this.opts.localAddress;
    const family = local ? { family: net.isIPv6(local) ? 6 : 4 } : {};
    const connector = buildConnector(
      this.url.protocol === 'https:'
        ? { timeout: 0, minVersion: 'TLSv1.2', ca: tls?.ca, cert: tls?.cert, key: tls?.key, rejectUnauthorized: tls?.rejectUnauthorized !== false, ...family }
        : { timeout: 0, ...family },
    );
    const open = connector as unknown as (o: Parameters<typeof connector>[0], cb: Parameters<typeof connector>[1]) => Socket;
    const client: Client = new Client(this.url.origin, {
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 30_000,
      maxResponseSize: this.opts.maxBodyBytes,
      ...(this.opts.localAddress ? { localAddress: this.opts.localAddress } : {}),
      // undici's connector returns the socket it opens (its type says void).
      connect: (options, callback) =>
        connectWhenPortsFree(
          (cb) => {
            this.socket = open(options, cb);
          },
          (err, socket, waited) => {
            if (waited) this.portWaitDeadline?.resume();
            if (err) callback(err, null);
            else callback(null, socket as Socket);
          },
          () => client.destroyed || this.opts.stopping?.() === true,
          (code) => {
            this.portWaitDeadline?.pause();
            this.opts.onPortWait?.(code);
          },
        ),
    });
    return client;
  }

  private async exchange(
    body: string,
    withinMs: number,
    delivery?: BodyDelivery,
  ): Promise<{ status: number; body: string; wwwAuthenticate?: string | string[]; location?: string; retryAfter?: string; staleRetryAllowed: boolean }> {
    const url = this.url;
    const path = url.pathname + url.search;
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent };
    if (body !== '') headers['content-type'] = 'text/xml; charset="utf-8"';
    let payload: string | Buffer = body;
    if (this.opts.compression) {
      headers['accept-encoding'] = 'gzip, deflate';
      if (body !== '') {
        payload = this.opts.compression === 'GZIP' ? gzipSync(body) : deflateSync(body);
        headers['content-encoding'] = this.opts.compression === 'GZIP' ? 'gzip' : 'deflate';
      }
    }
    const href = url.toString();
    // The URL object, not its text: the jar would parse the text again on every call.
    const cookie = this.opts.ignoreCookies || !this.jar ? '' : this.jar.getCookieStringSync(url);
    if (cookie) headers['cookie'] = cookie;
    if (this.digest) headers['authorization'] = this.digest.authorization('POST', path);
    else if (this.basic) headers['authorization'] = basicAuthorization(this.opts.username ?? '', this.opts.password ?? '');
    // Connecting, headers and the whole body within the time left (undici's own timeouts are off).
    let late: TransportError | undefined;
    const client = this.client;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer = setTimeout(() => {
        late = new TransportError(`no answer from the ACS within ${withinMs} ms (headers and whole body)`);
        this.dropConnection(late);
        this.client = this.makeClient();
      }, withinMs);
    };
    arm();
    // Waiting for a free local port is queueing, not the ACS being slow: the deadline starts
    // again once connected (the session's own deadline still bounds the wait).
    this.portWaitDeadline = {
      pause: () => {
        clearTimeout(timer);
        timer = undefined;
      },
      resume: () => {
        if (timer === undefined && !late) arm();
      },
    };
    const started = performance.now();
    try {
      const reply = await this.exchangeOn(client, path, url, headers, payload, delivery);
      this.opts.onExchange?.({
        url: href,
        requestHeaders: headers,
        requestBody: body,
        status: reply.status,
        responseHeaders: reply.headers,
        responseBody: reply.body,
        ms: performance.now() - started,
      });
      return reply;
    } catch (err) {
      const e = late ?? asTransportError(err, this.opts);
      this.opts.onExchange?.({ url: href, requestHeaders: headers, requestBody: body, error: e.message, ms: performance.now() - started });
      throw e;
    } finally {
      clearTimeout(timer);
      this.portWaitDeadline = undefined;
    }
  }

  private async exchangeOn(
    client: Client,
    path: string,
    url: URL,
    headers: Record<string, string>,
    payload: string | Buffer,
    delivery?: BodyDelivery,
  ): Promise<{
    status: number;
    body: string;
    headers: Record<string, string | string[] | undefined>;
    wwwAuthenticate?: string | string[];
    location?: string;
    retryAfter?: string;
    staleRetryAllowed: boolean;
  }> {
    let res: RawAnswer;
    try {
      res = await answerTo(
        client,
        delivery
          ? {
              path,
              method: 'POST',
              headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
              body: Readable.from(halves(payload, delivery), { objectMode: false }),
            }
          : { path, method: 'POST', headers, body: payload },
      );
    } catch (err) {
      throw asTransportError(err, this.opts);
    }
    const setCookie = res.headers['set-cookie'];
    for (const c of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      try {
        (this.jar ??= new CookieJar(undefined, { rejectPublicSuffixes: false })).setCookieSync(c, url, { ignoreError: true });
      } catch {
        // A cookie the jar refuses is dropped, as a browser would.
      }
    }
    const text = decode(res.body, res.headers['content-encoding'], this.opts.maxBodyBytes);
    const status = res.status;
    const www = res.headers['www-authenticate'];
    const stale = status === 401 && parseChallenges(www).some((c) => c.params['stale']?.toLowerCase() === 'true');
    if (status !== 401) this.authAttempts = 0;
    const location = res.headers['location'];
    const retryAfter = res.headers['retry-after'];
    return {
      status,
      body: text,
      headers: res.headers,
      wwwAuthenticate: www,
      location: Array.isArray(location) ? location[0] : location,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      staleRetryAllowed: stale,
    };
  }
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One exchange through undici's dispatch API, the body gathered as it comes: request()'s
 * response stream and the promise machinery around it cost a session more than the gathering.
 * undici enforces the client's maxResponseSize before any chunk reaches here.
 */
function answerTo(client: Client, options: Dispatcher.DispatchOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let chunks: Buffer[] = [];
    let size = 0;
    client.dispatch(options, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        // Called again after a 1xx: only the final answer's headers and body count.
        status = statusCode;
        headers = responseHeaders;
        chunks = [];
        size = 0;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
        size += chunk.length;
      },
      onResponseEnd() {
        resolve({ status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      },
      onResponseError(_controller, err) {
        reject(err);
      },
    });
  });
}

/** How a misbehaving device sends a body: half, then a pause and the rest, or half and a closed connection. */
export interface BodyDelivery {
  stallMs?: number;
  cutMidBody?: boolean;
}

async function* halves(payload: string | Buffer, d: BodyDelivery): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(payload);
  const mid = Math.floor(bytes.length / 2);
  yield bytes.subarray(0, mid);
  if (d.cutMidBody) throw new TransportError('the CPE closed the connection mid-body (misbehaving on purpose)');
  if (d.stallMs) await new Promise((r) => setTimeout(r, d.stallMs));
  yield bytes.subarray(mid);
}

/** Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now) / 1000));
}

/** A (possibly compressed) answer as text; inflating stops at the body limit (no zip bombs). */
function decode(raw: Buffer, encoding: string | string[] | undefined, maxBytes: number): string {
  const e = (Array.isArray(encoding) ? encoding[0] : encoding)?.trim().toLowerCase();
  if (!e || e === 'identity') return raw.toString('utf8');
  try {
    if (e === 'gzip' || e === 'x-gzip') return gunzipSync(raw, { maxOutputLength: maxBytes }).toString('utf8');
    if (e === 'deflate') return inflateSync(raw, { maxOutputLength: maxBytes }).toString('utf8');
  } catch (err) {
    throw new TransportError(`ACS body (${e}) could not be decompressed within ${maxBytes} bytes: ${(err as Error).message}`);
  }
  throw new TransportError(`ACS body in an encoding this agent did not ask for: ${e}`);
}

function asTransportError(err: unknown, o: AcsTransportOptions): TransportError {
  if (err instanceof TransportError) return err;
  if (err instanceof undiciErrors.ResponseExceededMaxSizeError) return new TransportError(`ACS body larger than ${o.maxBodyBytes} bytes`);
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return new TransportError(`no answer from the ACS within ${o.requestTimeoutMs} ms`);
  }
  // undici wraps the socket's error; its cause names what really happened (ECONNREFUSED, a certificate...).
  const e = ((err as { cause?: unknown }).cause ?? err) as NodeJS.ErrnoException;
  return new TransportError(e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err)));
}

/** Local-port errors: nothing was sent, and a port frees up within seconds (TIME_WAIT ends). */
const PORT_ERRORS = new Set(['EADDRNOTAVAIL', 'EADDRINUSE']);

/**
 * Connects, and where the source address has no local port free, waits and tries again (from
 * 50 ms, doubling to 2 s, jittered) instead of failing the session: ports held in TIME_WAIT come
 * free within a minute, and a failed session would back off for far longer. The exchange's own
 * deadline still bounds the whole wait (it destroys the client, which ends the retries).
 */
export function connectWhenPortsFree(
  attempt: (cb: (err: Error | null, socket: Socket | null) => void) => void,
  done: (err: Error | null, socket: Socket | null, waited: boolean) => void,
  abandoned: () => boolean,
  onWait?: (code: string) => void,
): void {
  let waits = 0;
  const tryOnce = (): void =>
    attempt((err, socket) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (!err || !code || !PORT_ERRORS.has(code) || abandoned()) return done(err, socket, waits > 0);
      onWait?.(code);
      const ms = Math.min(2000, 50 * 2 ** Math.min(waits++, 6));
      setTimeout(tryOnce, ms / 2 + Math.random() * (ms / 2));
    });
  tryOnce();
}
