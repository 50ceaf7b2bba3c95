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
  /** Time-based test: stop this long after the first byte (the test is then complete). */
  durationMs?: number;
  /** With durationMs: a result every intervalMs, the first offsetMs after the first byte. */
  intervalMs?: number;
  offsetMs?: number;
}

/** One interval of a time-based test (TR-181 IncrementalResult). */
export interface IncrementalResult {
  startUs: bigint;
  endUs: bigint;
  testBytes: number;
  totalBytesReceived: number;
  totalBytesSent: number;
}

/** Byte counts across all of a test's connections, read at interval boundaries. */
interface Progress {
  testBytes: number;
  sockets: Socket[];
  onFirstByte?: () => void;
  /** Aborted when a time-based test's duration is over: connections end as complete. */
  stop: AbortSignal;
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
  | { state: 'Complete'; connections: ConnectionResult[]; incremental: IncrementalResult[] }
  | {
      state: 'Error_CannotResolveHostName' | 'Error_InitConnectionFailed' | 'Error_NoResponse' | 'Error_TransferFailed' | 'Error_Timeout' | 'Error_Other';
      detail: string;
    };

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

function one(url: URL, now: MicroClock, signal: AbortSignal, progress: Progress): Promise<ConnectionResult> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r: Partial<ConnectionResult> = { tcpOpenRequestUs: now(), testBytes: 0 };
    let socket: Socket | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      r.eomUs = now();
      r.bomUs ??= r.eomUs;
      r.romUs ??= r.eomUs;
      r.tcpOpenResponseUs ??= r.eomUs;
      r.totalBytesReceived = socket?.bytesRead ?? r.testBytes;
      r.totalBytesSent = socket?.bytesWritten ?? 0;
      resolve(r as ConnectionResult);
    };
    // A time-based test ends every connection at its duration: what arrived by then is the result.
    const onStop = (): void => {
      finish();
      req.destroy();
    };
    progress.stop.addEventListener('abort', onStop, { once: true });
    const req = lib.get(url, { agent: false, signal, headers: { 'User-Agent': 'cwmp-agent diagnostics' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: 'TRANSFER' }));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        if (r.bomUs === undefined) {
          r.bomUs = now();
          progress.onFirstByte?.();
        }
        r.testBytes! += chunk.length;
        progress.testBytes += chunk.length;
      });
      res.on('end', () => {
        progress.stop.removeEventListener('abort', onStop);
        finish();
      });
      res.on('error', (err) => (done ? undefined : reject(err)));
    });
    whenConnected(req, url, r, now, (s) => {
      socket = s;
      progress.sockets.push(s);
    });
    req.on('error', (err) => (done ? undefined : reject(err)));
  });
}

/** Interval results of a time-based test, read off the shared counters at each boundary. */
function recordIntervals(
  progress: Progress,
  now: MicroClock,
  intervalMs: number,
  offsetMs: number,
  max: number,
): { results: IncrementalResult[]; stop: () => void } {
  const results: IncrementalResult[] = [];
  const snapshot = (): { at: bigint; test: number; received: number; sent: number } => ({
    at: now(),
    test: progress.testBytes,
    received: progress.sockets.reduce((n, s) => n + s.bytesRead, 0),
    sent: progress.sockets.reduce((n, s) => n + s.bytesWritten, 0),
  });
  let last: ReturnType<typeof snapshot> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const boundary = (): void => {
    const cur = snapshot();
    if (last)
      results.push({
        startUs: last.at,
        endUs: cur.at,
        testBytes: cur.test - last.test,
        totalBytesReceived: cur.received - last.received,
        totalBytesSent: cur.sent - last.sent,
      });
    last = cur;
    if (results.length < max) timer = setTimeout(boundary, intervalMs);
  };
  timer = setTimeout(boundary, offsetMs);
  return {
    results,
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      // The last, partial interval counts too.
      if (last && results.length < max) boundary();
      clearTimeout(timer);
    },
  };
}

/** Records the TCP (and TLS) open and the request time once the connection stands, then calls `then`. */
function whenConnected(
  req: http.ClientRequest,
  url: URL,
  r: Partial<ConnectionResult>,
  now: MicroClock,
  onSocket: (s: Socket) => void,
  then?: () => void,
): void {
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

/**
 * One PUT of `bytes` zero bytes: ROM when the request goes out, BOM with the first body byte,
 * EOM with the answer. In a time-based test the body is chunked and flows until the test's
 * duration is over, whatever `bytes` says.
 */
function upload(url: URL, bytes: number, now: MicroClock, signal: AbortSignal, progress: Progress, timeBased: boolean): Promise<ConnectionResult> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r: Partial<ConnectionResult> = { tcpOpenRequestUs: now(), testBytes: 0 };
    let socket: Socket | undefined;
    const headers: http.OutgoingHttpHeaders = timeBased
      ? { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/octet-stream' }
      : { 'Content-Length': bytes, 'Content-Type': 'application/octet-stream' };
    const req = lib.request(url, { method: 'PUT', agent: false, signal, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: 'TRANSFER' }));
        r.eomUs = now();
        r.totalBytesReceived = socket?.bytesRead ?? 0;
        r.totalBytesSent = socket?.bytesWritten ?? r.testBytes;
        resolve(r as ConnectionResult);
      });
    });
    whenConnected(
      req,
      url,
      r,
      now,
      (s) => {
        socket = s;
        progress.sockets.push(s);
      },
      () => {
        const chunk = Buffer.alloc(64 * 1024);
        let left = bytes;
        let ended = false;
        const end = (): void => {
          if (!ended) {
            ended = true;
            req.end();
          }
        };
        if (timeBased) progress.stop.addEventListener('abort', end, { once: true });
        const pump = (): void => {
          while (!ended && (timeBased ? !progress.stop.aborted : left > 0)) {
            const part = timeBased || left >= chunk.length ? chunk : chunk.subarray(0, Math.max(1, left));
            if (r.bomUs === undefined) {
              r.bomUs = now();
              progress.onFirstByte?.();
            }
            left -= part.length;
            r.testBytes! += part.length;
            progress.testBytes += part.length;
            if (!req.write(part)) return void req.once('drain', pump);
          }
          end();
        };
        pump();
      },
    );
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
  const timeout = AbortSignal.timeout(input.timeoutMs + (input.durationMs ?? 0));
  const combined = AbortSignal.any([signal, timeout]);
  const stopper = new AbortController();
  const progress: Progress = { testBytes: 0, sockets: [], stop: stopper.signal };
  let intervals: ReturnType<typeof recordIntervals> | undefined;
  let durationTimer: NodeJS.Timeout | undefined;
  if (input.durationMs) {
    progress.onFirstByte = () => {
      progress.onFirstByte = undefined;
      durationTimer = setTimeout(() => {
        // Intervals end with the test's duration, even while an upload's last bytes drain.
        intervals?.stop();
        stopper.abort();
      }, input.durationMs);
      if (input.intervalMs) intervals = recordIntervals(progress, now, input.intervalMs, input.offsetMs ?? 0, 100);
    };
  }
  try {
    const transfer = (): Promise<ConnectionResult> =>
      input.uploadBytes === undefined ? one(url, now, combined, progress) : upload(url, input.uploadBytes, now, combined, progress, Boolean(input.durationMs));
    const connections = await Promise.all(Array.from({ length: input.connections }, transfer));
    intervals?.stop();
    return { state: 'Complete', connections, incremental: intervals?.results ?? [] };
  } catch (err) {
    if (signal.aborted) return { state: 'Error_Other', detail: 'canceled' };
    if (timeout.aborted) return { state: 'Error_Timeout', detail: `no completion within ${input.timeoutMs} ms` };
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { state: 'Error_CannotResolveHostName', detail: url.hostname };
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { state: 'Error_InitConnectionFailed', detail: String(code) };
    if (code === 'TRANSFER') return { state: 'Error_TransferFailed', detail: (err as Error).message };
    if (code === 'ECONNRESET') return { state: 'Error_NoResponse', detail: 'connection reset' };
    return { state: 'Error_TransferFailed', detail: (err as Error).message };
  } finally {
    clearTimeout(durationTimer);
    intervals?.stop();
  }
}
