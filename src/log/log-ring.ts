/**
 * The agent's recent log lines, kept in memory as a pino destination: the file an ACS gets
 * when it uploads "2 Vendor Log File" (VendorLogFile.1). Bounded; the oldest lines go first.
 * pino's redaction runs before lines reach it, so no secrets end up here either.
 */
import { Writable } from 'node:stream';

export class LogRing extends Writable {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(readonly maximumSize = 256 * 1024) {
    super();
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    this.chunks.push(b);
    this.bytes += b.length;
    while (this.bytes > this.maximumSize && this.chunks.length > 1) this.bytes -= this.chunks.shift()!.length;
    done();
  }

  contents(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
