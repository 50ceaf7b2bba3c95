/**
 * A real HTTP(S) file server on loopback for transfer tests: serves files with Range support,
 * optional Digest or Basic auth, and misbehaviours on demand (slow, cut midway, redirect);
 * receives uploads by PUT or POST.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DigestServer, verifyBasic } from '../../src/cwmp/http-auth.js';

export interface ServedFile {
  body: Buffer;
  /** Bytes per second; the body trickles out. */
  rateBytesPerSecond?: number;
  /** Close the connection after this many bytes of the body (once per request that starts at 0). */
  cutAfter?: number;
  /** Ignore Range requests (a server that cannot resume). */
  noRanges?: boolean;
  contentType?: string;
}

export interface FileServerOptions {
  auth?: { scheme: 'digest' | 'basic'; username: string; password: string };
  tls?: { key: string; cert: string };
}

export interface ReceivedUpload {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

export class FileServer {
  readonly files = new Map<string, ServedFile>();
  readonly uploads: ReceivedUpload[] = [];
  readonly requests: { method: string; path: string; range: string | undefined }[] = [];
  private server: http.Server | undefined;
  private readonly digest = new DigestServer({ realm: 'files', algorithms: ['SHA-256', 'MD5'], nonceLifetimeMs: 60_000, maxNonces: 1000 });
  baseUrl = '';

  constructor(private readonly opts: FileServerOptions = {}) {}

  async listen(): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = this.opts.tls ? https.createServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  url(name: string): string {
    return `${this.baseUrl}/${name}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const auth = this.opts.auth;
    if (!auth) return true;
    if (auth.scheme === 'basic') {
      if (verifyBasic(req.headers.authorization, auth.username, auth.password)) return true;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="files"' }).end();
      return false;
    }
    const r = this.digest.verify(req.headers.authorization, req.method ?? 'GET', req.url ?? '', Date.now(), (u) =>
      u === auth.username ? auth.password : undefined,
    );
    if (r.ok) return true;
    res.writeHead(401, { 'WWW-Authenticate': this.digest.challenge(Date.now(), () => randomBytes(16).toString('hex'), r.stale) }).end();
    return false;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    this.requests.push({ method: req.method ?? '', path, range: req.headers.range });
    if (!this.authorized(req, res)) return void req.resume();
    if (req.method === 'PUT' || req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.uploads.push({ method: req.method!, path, contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(201).end();
      });
      return;
    }
    if (path.startsWith('redirect/')) return void res.writeHead(302, { Location: `/${path.slice('redirect/'.length)}` }).end();
    const file = this.files.get(path);
    if (!file) return void res.writeHead(404).end('not found');
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !file.noRanges) {
      start = Number(range[1]);
      if (start >= file.body.length) return void res.writeHead(416, { 'Content-Range': `bytes */${file.body.length}` }).end();
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${file.body.length - 1}/${file.body.length}`,
        'Content-Length': file.body.length - start,
        'Content-Type': file.contentType ?? 'application/octet-stream',
      });
    } else {
      res.writeHead(200, {
        'Content-Length': file.body.length,
        'Content-Type': file.contentType ?? 'application/octet-stream',
        'Accept-Ranges': file.noRanges ? 'none' : 'bytes',
      });
    }
    const body = file.body.subarray(start);
    const cut = start === 0 && file.cutAfter !== undefined ? file.cutAfter : undefined;
    if (!file.rateBytesPerSecond && cut === undefined) return void res.end(body);
    const step = Math.max(1, Math.floor((file.rateBytesPerSecond ?? 1_000_000) / 20));
    let sent = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return void clearInterval(tick);
      const n = Math.min(step, body.length - sent, cut !== undefined ? cut - sent : Infinity);
      if (n > 0) res.write(body.subarray(sent, sent + n));
      sent += n;
      if (cut !== undefined && sent >= cut) {
        clearInterval(tick);
        res.socket?.destroy();
      } else if (sent >= body.length) {
        clearInterval(tick);
        res.end();
      }
    }, 50);
  }
}

/** A loopback port that nobody listens on. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
