/**
 * The wire trace: every HTTP exchange of every session (both directions, headers and bodies),
 * the connection requests (HTTP, UDP, XMPP) and the transfers, one JSON line each, in one file
 * per device (`<dir>/<serial>.jsonl`). Bounded: a device's file is rotated to `<serial>.1.jsonl`
 * past `maxFileBytes`, and past `maxDirBytes` the oldest files go first, so a fleet with tracing
 * on cannot fill a disk. Secrets are hidden unless `keepSecrets` (a lab). Lines are buffered and
 * written together every 100 ms (and at close): a fleet traces without a syscall per message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { redactCwmpBody, redactHeaders } from './redact.js';
import { readableUspMsg } from './usp-msg-text.js';
import type { DeviceTrace, TraceRecord } from './trace-record.js';

export type { DeviceTrace, TraceKind, TraceRecord } from './trace-record.js';

export interface WireTraceOptions {
  dir: string;
  /** Per device file, before it is rotated (default 1 MiB). */
  maxFileBytes?: number;
  /** The whole directory (default 256 MiB). */
  maxDirBytes?: number;
  /** Keep passwords, keys and Authorization headers (default false). */
  keepSecrets?: boolean;
  now?: () => number;
}

const FLUSH_MS = 100;

export class WireTrace {
  private readonly pending = new Map<string, string[]>();
  private readonly sizes = new Map<string, number>();
  private total = 0;
  private timer: NodeJS.Timeout | undefined;
  readonly maxFileBytes: number;
  readonly maxDirBytes: number;

  constructor(private readonly o: WireTraceOptions) {
    this.maxFileBytes = o.maxFileBytes ?? 1024 * 1024;
    this.maxDirBytes = o.maxDirBytes ?? 256 * 1024 * 1024;
    fs.mkdirSync(o.dir, { recursive: true });
    for (const name of fs.readdirSync(o.dir)) {
      if (!name.endsWith('.jsonl')) continue;
      const size = fs.statSync(path.join(o.dir, name)).size;
      this.sizes.set(name, size);
      this.total += size;
    }
  }

  /** The trace of one device (its serial number names the file). */
  forDevice(serial: string): DeviceTrace {
    const file = `${serial.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`;
    return (r) => this.record(file, r);
  }

  /** Writes what is buffered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [file, lines] of this.pending) {
      const data = lines.join('');
      this.pending.delete(file);
      try {
        if ((this.sizes.get(file) ?? 0) + data.length > this.maxFileBytes) this.rotate(file);
        fs.appendFileSync(path.join(this.o.dir, file), data);
        this.grow(file, Buffer.byteLength(data));
      } catch {
        // A trace that cannot be written (full disk) is dropped: tracing never stops the agent.
      }
    }
    this.enforceDirectoryCap();
  }

  close(): void {
    this.flush();
  }

  private record(file: string, r: Omit<TraceRecord, 't'> & { t?: string; uspMsg?: object }): void {
    const keep = this.o.keepSecrets === true;
    const { uspMsg, ...fields } = r;
    const rec: TraceRecord = { ...fields, t: r.t ?? new Date(this.o.now?.() ?? Date.now()).toISOString() };
    if (uspMsg) rec.body = readableUspMsg(uspMsg, keep);
    if (!keep) {
      if (rec.headers) rec.headers = redactHeaders(rec.headers);
      if (rec.body && !uspMsg) rec.body = redactCwmpBody(rec.body);
      if (rec.url) rec.url = redactCwmpBody(rec.url);
    }
    const list = this.pending.get(file) ?? [];
    list.push(`${JSON.stringify(rec)}\n`);
    this.pending.set(file, list);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  private rotate(file: string): void {
    const older = file.replace(/\.jsonl$/, '.1.jsonl');
    const olderSize = this.sizes.get(older) ?? 0;
    fs.renameSync(path.join(this.o.dir, file), path.join(this.o.dir, older));
    this.total -= olderSize;
    this.sizes.set(older, this.sizes.get(file) ?? 0);
    this.sizes.set(file, 0);
  }

  private grow(file: string, bytes: number): void {
    this.sizes.set(file, (this.sizes.get(file) ?? 0) + bytes);
    this.total += bytes;
  }

  /** Oldest files first (rotated ones before live ones) until the directory fits its cap. */
  private enforceDirectoryCap(): void {
    if (this.total <= this.maxDirBytes) return;
    const files = [...this.sizes.keys()]
      .map((name) => {
        let mtime = 0;
        try {
          mtime = fs.statSync(path.join(this.o.dir, name)).mtimeMs;
        } catch {
          // gone
        }
        return { name, mtime, rotated: name.endsWith('.1.jsonl') };
      })
      .sort((a, b) => Number(b.rotated) - Number(a.rotated) || a.mtime - b.mtime);
    for (const f of files) {
      if (this.total <= this.maxDirBytes) break;
      try {
        fs.rmSync(path.join(this.o.dir, f.name), { force: true });
      } catch {
        continue;
      }
      this.total -= this.sizes.get(f.name) ?? 0;
      this.sizes.delete(f.name);
    }
  }
}

/**
 * The wire trace a configuration asks for (trace.dir and its caps), or none. `sharedBy` threads
 * write into the same directory (a fleet's --workers): each keeps to its share of the cap, so
 * together they stay within it.
 */
export function wireTraceFor(
  trace: { dir: string; maxFileBytes: number; maxDirBytes: number; secrets: boolean } | undefined,
  sharedBy = 1,
): WireTrace | undefined {
  if (!trace) return undefined;
  const maxDirBytes = Math.floor(trace.maxDirBytes / Math.max(1, sharedBy));
  return new WireTrace({
    dir: path.resolve(trace.dir),
    maxFileBytes: Math.min(trace.maxFileBytes, maxDirBytes),
    maxDirBytes,
    keepSecrets: trace.secrets,
  });
}
