/**
 * Moving a file over HTTP(S) for Download and Upload: Basic and Digest auth, redirects,
 * verified TLS, resumable downloads (Range) streamed to disk with the size checked as it
 * arrives, and every failure mapped onto the TR-069 transfer fault a person can act on.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { CwmpFault } from '../cwmp/faults.js';
import { basicAuthorization, DigestClient, parseChallenges } from '../cwmp/http-auth.js';
import { credentialsMayGoTo, refusedRedirect } from '../net/redirect-rules.js';

/** The transfer was cancelled or ran out of its time window; not a fault of the server. */
export class TransferAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TransferAborted';
  }
}

export interface TransferTls {
  ca?: string | Buffer;
  rejectUnauthorized: boolean;
}

export interface Endpoint {
  url: string;
  username: string;
  password: string;
  tls?: TransferTls;
  signal: AbortSignal;
  /** Longest silence from the server, milliseconds. */
  idleTimeoutMs: number;
  /** The address connections leave from (a fleet device's own); the system's choice when absent. */
  localAddress?: string;
}

const MAX_REDIRECTS = 5;

function describeTarget(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Why a connection could not be made, in words; TLS problems are named as such. */
function connectProblem(err: NodeJS.ErrnoException, url: URL): string {
  const code = err.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|TLS|SSL/.test(code)) return `the TLS certificate of ${url.host} is not trusted (${code})`;
  if (code === 'IDLE_TIMEOUT') return `${url.host} did not answer in time`;
  return `cannot connect to ${url.host} (${code || err.message})`;
}

interface Exchange {
  res: http.IncomingMessage;
  url: URL;
}

/**
 * Sends one request, answering an auth challenge once and following redirects. `body` is
 * re-sent on each hop. Resolves with the final response (any status but 401/3xx).
 */
async function exchange(
  method: string,
  ep: Endpoint,
  headers: Record<string, string>,
  body: Buffer | undefined,
  faultFor: { connect: number; auth: number },
): Promise<Exchange> {
  const given = new URL(ep.url);
  let url = given;
  let authorization: string | undefined;
  let digest: DigestClient | undefined;
  let triedAuth = false;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new CwmpFault(9013, `${url.protocol.replace(':', '')} is not supported; use http or https`);
    if (digest) authorization = digest.authorization(method, url.pathname + url.search);
    const res = await send(method, url, ep, { ...headers, ...(authorization ? { Authorization: authorization } : {}) }, body, faultFor.connect);
    if (res.statusCode === 401) {
      res.resume();
      if (!ep.username && !ep.password) throw new CwmpFault(faultFor.auth, `${describeTarget(url)} asks for credentials and the request gave none`);
      if (!credentialsMayGoTo(given, url))
        throw new CwmpFault(
          faultFor.auth,
          `${describeTarget(url)} asks for credentials; those of the request are for ${given.origin} only and are not sent elsewhere`,
        );
      if (triedAuth) throw new CwmpFault(faultFor.auth, `${describeTarget(url)} rejected the credentials for user "${ep.username}"`);
      triedAuth = true;
      const challenges = parseChallenges(res.headers['www-authenticate']);
      const chosen = DigestClient.choose(challenges);
      if (chosen) {
        digest = new DigestClient(chosen, ep.username, ep.password, () => randomBytes(8).toString('hex'));
      } else if (challenges.some((c) => c.scheme === 'basic')) {
        authorization = basicAuthorization(ep.username, ep.password);
      } else {
        throw new CwmpFault(faultFor.auth, `${describeTarget(url)} asks for an authentication scheme this agent does not support`);
      }
      continue;
    }
    if ([301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS)
        throw new CwmpFault(faultFor.connect === 9015 ? 9016 : 9011, `more than ${MAX_REDIRECTS} redirects from ${describeTarget(given)}`);
      const next = new URL(res.headers.location, url);
      const refused = refusedRedirect(url, next);
      if (refused)
        throw new CwmpFault(next.protocol === 'http:' || next.protocol === 'https:' ? faultFor.connect : 9013, `${refused}, from ${describeTarget(url)}`);
      // A Digest session belongs to one origin only.
      if (next.origin !== url.origin) {
        digest = undefined;
        authorization = undefined;
        triedAuth = false;
      }
      url = next;
      continue;
    }
    return { res, url };
  }
}

function send(
  method: string,
  url: URL,
  ep: Endpoint,
  headers: Record<string, string>,
  body: Buffer | undefined,
  connectFault: number,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (ep.signal.aborted) return reject(new TransferAborted(String(ep.signal.reason ?? 'aborted')));
    const options: https.RequestOptions = {
      method,
      headers: { 'User-Agent': 'cwmp-agent/0.1', ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
      agent: false,
      signal: ep.signal,
      ...(ep.localAddress ? { localAddress: ep.localAddress, family: net.isIPv6(ep.localAddress) ? 6 : 4 } : {}),
    };
    if (url.protocol === 'https:') {
      options.minVersion = 'TLSv1.2';
      options.rejectUnauthorized = ep.tls?.rejectUnauthorized ?? true;
      if (ep.tls?.ca) options.ca = ep.tls.ca;
    }
    const req = (url.protocol === 'https:' ? https : http).request(url, options, resolve);
    req.setTimeout(ep.idleTimeoutMs, () => req.destroy(Object.assign(new Error('idle'), { code: 'IDLE_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (ep.signal.aborted) return reject(new TransferAborted(String(ep.signal.reason ?? 'aborted')));
      reject(new CwmpFault(connectFault, connectProblem(err, url)));
    });
    req.end(body);
  });
}

export interface DownloadOptions extends Endpoint {
  /** Where the file goes; a partial file already there is resumed when the server allows. */
  dest: string;
  /** FileSize from the ACS; 0 when it gave none. */
  expectedSize: number;
  /** Most bytes the device can take (free space, or a configured cap). */
  maxBytes: number;
  /** Read no faster than this (a slow device, on purpose): TCP flow control slows the server too. */
  bytesPerSecond?: number;
  onProgress?(bytes: number, total: number | undefined): void;
}

export interface DownloadOutcome {
  bytes: number;
  /** Bytes that came from an earlier, interrupted attempt. */
  resumedFrom: number;
}

function statSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Fetches `url` into `dest`. Throws CwmpFault (fault 9010-9018) or TransferAborted. */
export async function downloadFile(o: DownloadOptions): Promise<DownloadOutcome> {
  const limit = o.expectedSize > 0 ? o.expectedSize : o.maxBytes;
  if (o.expectedSize > o.maxBytes) throw new CwmpFault(9010, `the file needs ${o.expectedSize} bytes and the device has ${o.maxBytes} free`);
  let offset = statSize(o.dest);
  if (offset >= limit) offset = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const { res, url } = await exchange('GET', o, headers, undefined, { connect: 9015, auth: 9012 });
    const status = res.statusCode ?? 0;
    if (status === 416 && offset > 0) {
      // The partial file no longer fits the server's copy: start over.
      res.resume();
      offset = 0;
      continue;
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      const what = status === 404 || status === 410 ? 'no such file' : status === 403 ? 'access forbidden' : `HTTP ${status}`;
      throw new CwmpFault(9016, `${describeTarget(url)}: ${what}`);
    }
    let start = 0;
    let total: number | undefined;
    if (status === 206) {
      const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
      if (!m || Number(m[1]) !== offset) {
        res.resume();
        throw new CwmpFault(9017, `${describeTarget(url)} answered the resume with a range that does not match`);
      }
      start = offset;
      total = m[2] === '*' ? undefined : Number(m[2]);
    } else if (res.headers['content-length'] !== undefined) {
      total = Number(res.headers['content-length']);
    }
    if (total !== undefined && o.expectedSize > 0 && total !== o.expectedSize) {
      res.resume();
      throw new CwmpFault(9018, `${describeTarget(url)} holds ${total} bytes but FileSize says ${o.expectedSize}; not the expected file`);
    }
    if (total !== undefined && total > o.maxBytes) {
      res.resume();
      throw new CwmpFault(9010, `the file has ${total} bytes and the device has ${o.maxBytes} free`);
    }
    const bytes = await streamTo(res, o, start, total ?? limit, url);
    if (o.expectedSize > 0 && bytes !== o.expectedSize) throw new CwmpFault(9018, `received ${bytes} bytes but FileSize says ${o.expectedSize}`);
    if (total !== undefined && bytes !== total) throw new CwmpFault(9017, `the server closed the connection after ${bytes} of ${total} bytes`);
    return { bytes, resumedFrom: start };
  }
  throw new CwmpFault(9017, 'the server refused to resume or restart the download');
}

function streamTo(res: http.IncomingMessage, o: DownloadOptions, start: number, cap: number, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(o.dest, start > 0 ? 'a' : 'w', 0o600);
    let bytes = start;
    const startedWith = start;
    const readingSince = Date.now();
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      try {
        if (!err) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      if (err) reject(err);
      else resolve(bytes);
    };
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (bytes + chunk.length > cap) {
        res.destroy();
        return finish(
          new CwmpFault(
            o.expectedSize > 0 ? 9018 : 9010,
            o.expectedSize > 0
              ? `the server sent more than FileSize (${o.expectedSize} bytes)`
              : `the file is larger than the ${o.maxBytes} bytes the device has free`,
          ),
        );
      }
      try {
        fs.writeSync(fd, chunk);
      } catch (err) {
        res.destroy();
        return finish(new CwmpFault(9010, `cannot write the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`));
      }
      bytes += chunk.length;
      o.onProgress?.(bytes, cap);
      if (o.bytesPerSecond) {
        const ahead = ((bytes - startedWith) / o.bytesPerSecond) * 1000 - (Date.now() - readingSince);
        if (ahead > 0) {
          res.pause();
          setTimeout(() => res.resume(), ahead).unref();
        }
      }
    });
    // A cancel or a window's end also tears the connection down: that is not the server's fault.
    const broke = (detail: string): void =>
      finish(
        o.signal.aborted
          ? new TransferAborted(String(o.signal.reason ?? 'aborted'))
          : new CwmpFault(9017, `the connection to ${url.host} broke after ${bytes} bytes${detail}`),
      );
    res.on('end', () => finish());
    res.on('error', (err: NodeJS.ErrnoException) => broke(` (${err.code ?? err.message})`));
    res.on('aborted', () => broke(''));
    res.on('close', () => {
      if (!res.complete) broke('');
    });
  });
}

export interface UploadOptions extends Endpoint {
  body: Buffer;
  method: 'PUT' | 'POST';
  contentType: string;
  /** More request headers (Content-Encoding, a Bulk Data report's BBF-Report-Format, Date). */
  headers?: Record<string, string>;
}

/** Sends `body` to `url`. Throws CwmpFault (9011, 9012, 9013) or TransferAborted. */
export async function uploadFile(o: UploadOptions): Promise<void> {
  const { res, url } = await exchange(o.method, o, { ...o.headers, 'Content-Type': o.contentType }, o.body, { connect: 9011, auth: 9012 });
  res.resume();
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) throw new CwmpFault(9011, `${describeTarget(url)} refused the upload (HTTP ${status})`);
  await new Promise<void>((resolve) => {
    res.on('end', resolve);
    res.on('close', resolve);
    res.on('error', () => resolve());
  });
}

/** Bytes a download may take in `dir`: its free space less a margin for the rest of the system. */
export function freeBytesIn(dir: string): number {
  try {
    const s = fs.statfsSync(dir);
    return Math.max(0, s.bavail * s.bsize - 16 * 1024 * 1024);
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}
