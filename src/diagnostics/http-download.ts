/**
 * TR-143 Download and Upload diagnostics over HTTP(S): NumberOfConnections parallel GETs of
 * DownloadURL (or PUTs of TestFileLength bytes to UploadURL), with the TCP open, request,
 * first-byte and last-byte times of each (microsecond precision) and the bytes moved, measured
 * on the sockets themselves.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

export interface DownloadInput {
  url: string;
  connections: number;
  /** Upload only: bytes to send in each PUT. */
  uploadBytes?: number;
  /** The whole test may take at most this long. */
  timeoutMs: number;
}

/** Microseconds since the epoch (wall clock at start plus a monotonic offset). */
export type MicroClock = () => bigint;

export interface ConnectionResult {
  tcpOpenRequestUs: bigint;
  tcpOpenResponseUs: bigint;
  romUs: bigint;
  bomUs: bigint;
  eomUs: bigint;
  /** Body bytes received (download) or sent (upload). */
  testBytes: number;
  totalBytesReceived: number;
  totalBytesSent: number;
  ipAddressUsed: string;
}

export type DownloadResult =
  | { state: 'Complete'; connections: ConnectionResult[] }
  | { state: 'Error_CannotResolveHostName' | 'Error_InitConnectionFailed' | 'Error_NoResponse' | 'Error_TransferFailed' | 'Error_Timeout' | 'Error_Other'; detail: string };

export function microClock(): MicroClock {
  const wallUs = BigInt(Date.now()) * 1000n;
  const mono = process.hrtime.bigint();
  return () => wallUs + (process.hrtime.bigint() - mono) / 1000n;
}

/** xsd:dateTime with microseconds, as TR-143 asks for its time stamps. */
export function formatMicroTime(us: bigint): string {
  const ms = Number(us / 1000n);
  const micro = (us % 1_000_000n).toString().padStart(6, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${micro}Z`);
}

function one(url: URL, now: MicroClock, signal: AbortSignal): Promise<ConnectionResult> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r: Partial<ConnectionResult> = { tcpOpenRequestUs: now(), testBytes: 0 };
    let socket: Socket | undefined;
    const req = lib.get(url, { agent: false, signal, headers: { 'User-Agent': 'cwmp-agent diagnostics' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: 'TRANSFER' }));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        if (r.bomUs === undefined) r.bomUs = now();
        r.testBytes! += chunk.length;
      });
      res.on('end', () => {
        r.eomUs = now();
        r.bomUs ??= r.eomUs;
        r.totalBytesReceived = socket?.bytesRead ?? r.testBytes;
        r.totalBytesSent = socket?.bytesWritten ?? 0;
        resolve(r as ConnectionResult);
      });
      res.on('error', reject);
    });
    whenConnected(req, url, r, now, (s) => (socket = s));
    req.on('error', reject);
  });
}

/** Records the TCP (and TLS) open and the request time once the connection stands, then calls `then`. */
function whenConnected(req: http.ClientRequest, url: URL, r: Partial<ConnectionResult>, now: MicroClock, onSocket: (s: Socket) => void, then?: () => void): void {
  req.on('socket', (s: Socket) => {
    onSocket(s);
    s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      r.tcpOpenResponseUs = now();
      r.ipAddressUsed = s.remoteAddress ?? '';
      r.romUs = now();
      then?.();
    });
  });
}

/** One PUT of `bytes` zero bytes: ROM when the request goes out, BOM with the first body byte, EOM with the answer. */
function upload(url: URL, bytes: number, now: MicroClock, signal: AbortSignal): Promise<ConnectionResult> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r: Partial<ConnectionResult> = { tcpOpenRequestUs: now(), testBytes: 0 };
    let socket: Socket | undefined;
    const req = lib.request(url, { method: 'PUT', agent: false, signal, headers: { 'Content-Length': bytes, 'Content-Type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: 'TRANSFER' }));
        r.eomUs = now();
        r.totalBytesReceived = socket?.bytesRead ?? 0;
        r.totalBytesSent = socket?.bytesWritten ?? bytes;
        resolve(r as ConnectionResult);
      });
    });
    whenConnected(req, url, r, now, (s) => (socket = s), () => {
      const chunk = Buffer.alloc(Math.min(64 * 1024, Math.max(1, bytes)));
      let left = bytes;
      const pump = (): void => {
        while (left > 0) {
          const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
          r.bomUs ??= now();
          left -= part.length;
          r.testBytes! += part.length;
          if (!req.write(part)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    req.on('error', reject);
  });
}

export async function runDownload(input: DownloadInput, signal: AbortSignal, now: MicroClock = microClock()): Promise<DownloadResult> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { state: 'Error_Other', detail: 'DownloadURL is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { state: 'Error_Other', detail: `unsupported transport ${url.protocol}` };
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    const transfer = (): Promise<ConnectionResult> => (input.uploadBytes === undefined ? one(url, now, combined) : upload(url, input.uploadBytes, now, combined));
    const connections = await Promise.all(Array.from({ length: input.connections }, transfer));
    return { state: 'Complete', connections };
  } catch (err) {
    if (signal.aborted) return { state: 'Error_Other', detail: 'canceled' };
    if (timeout.aborted) return { state: 'Error_Timeout', detail: `no completion within ${input.timeoutMs} ms` };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { state: 'Error_CannotResolveHostName', detail: url.hostname };
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { state: 'Error_InitConnectionFailed', detail: String(code) };
    if (code === 'TRANSFER') return { state: 'Error_TransferFailed', detail: (err as Error).message };
    if (code === 'ECONNRESET') return { state: 'Error_NoResponse', detail: 'connection reset' };
    return { state: 'Error_TransferFailed', detail: (err as Error).message };
  }
}
