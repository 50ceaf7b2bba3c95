/**
 * The agent's logger: JSON lines (pino) to stdout at the configured level, and the recent lines
 * at info and above into the ring an ACS uploads as "2 Vendor Log File", whatever the console
 * shows. Secrets never reach either: password fields are hidden by pino's redaction, and a
 * password inside any URL anywhere in a line is masked before the line is written.
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { Writable } from 'node:stream';
import { redactUrlCredentials } from './redact.js';

const SECRET_PATHS = ['password', '*.password', '*.acsPassword', '*.passphrase', '*.key'];

const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** A stream that masks URL credentials in each line before passing it on. */
function redacting(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      out.write(redactUrlCredentials(chunk.toString()));
      done();
    },
  });
}

export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether lines to `out` are written for a person: asked for, or `auto` on a terminal. */
export function wantsPrettyLines(format: LogFormat | undefined, out: NodeJS.WritableStream): boolean {
  if (format === 'pretty') return true;
  if (format === 'json') return false;
  return (out as { isTTY?: boolean }).isTTY === true;
}

/** Readable lines (time, level, message, fields) for a person; pino-pretty is loaded only then. */
export function prettyStream(out: NodeJS.WritableStream, colour: boolean): NodeJS.WritableStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream;
  return pretty({ destination: out, colorize: colour, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true, singleLine: true });
}

export interface AgentLoggerOptions {
  level: LevelWithSilent;
  /** auto (the default): readable lines on a terminal, JSON lines otherwise. */
  format?: LogFormat;
  /** Where console lines go (stdout by default). */
  out?: NodeJS.WritableStream;
  /** Also keeps lines at `ringLevel` and above here (the vendor log file). */
  ring?: NodeJS.WritableStream;
  ringLevel?: 'trace' | 'debug' | 'info' | 'warn';
}

export function createAgentLogger(o: AgentLoggerOptions): Logger {
  const ringLevel = o.ringLevel ?? 'info';
  const streams: { stream: NodeJS.WritableStream; level: pino.Level }[] = [];
  if (o.level !== 'silent') {
    const out = o.out ?? process.stdout;
    const console = wantsPrettyLines(o.format, out) ? prettyStream(out, (out as { isTTY?: boolean }).isTTY === true) : out;
    streams.push({ stream: redacting(console), level: o.level });
  }
  if (o.ring) streams.push({ stream: redacting(o.ring), level: ringLevel });
  // The logger passes the lowest level any destination wants; each destination filters its own.
  const lowest = streams.reduce<LevelWithSilent>((l, s) => (RANK[s.level]! < RANK[l]! ? s.level : l), 'silent');
  return pino(
    { level: lowest, redact: { paths: SECRET_PATHS, censor: '[hidden]' } },
    pino.multistream(streams.length > 0 ? streams : [{ stream: new Writable({ write: (_c, _e, d) => d() }), level: 'fatal' }]),
  );
}
