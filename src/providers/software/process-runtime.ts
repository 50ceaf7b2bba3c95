/**
 * Execution units as real processes on this Linux host: each runs in its own process group, in
 * its unit's folder, with the environment its manifest gives, its output appended to
 * `<euid>.log` beside its pid file. A unit outlives a restart of the agent (as an application
 * outlives its manager's restart): the pid file lets the next agent find it again, checked
 * against the process's start time so that a reused pid is never mistaken for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EuRunState, ExecutionRuntime, RunnableUnit } from './execution-runtime.js';

/** Within this time an exit counts as a failure to start rather than a failure while active. */
const START_GRACE_MS = 1000;
const KILL_WAIT_MS = 2000;
/** A unit's log is rotated past this size (to `<euid>.log.1`, replacing the one before): two at most. */
export const MAX_UNIT_LOG_BYTES = 1024 * 1024;
const LOG_CHECK_MS = 5000;

interface Running {
  pid: number;
  child?: ChildProcess;
  startedAt: number;
  stopping: boolean;
  poll?: NodeJS.Timeout;
  cpu?: { ticks: number; at: number };
  /** What to do once a stop completes (a start asked for meanwhile). */
  afterStop?: () => void;
}

interface ProcStat {
  ticks: number;
  startTime: string;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined;
    return { ticks: Number(rest[11]) + Number(rest[12]), startTime: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return procStat(pid) !== undefined;
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class ProcessRuntime implements ExecutionRuntime {
  readonly type = 'Linux';
  readonly name = 'Linux processes';
  readonly vendor = 'cwmp-agent';
  readonly version = process.version.slice(1);
  onChange?: (euid: string) => void;
  private readonly running = new Map<string, Running>();
  private readonly states = new Map<string, EuRunState>();

  private logTimer: NodeJS.Timeout | undefined;

  /** `runDir`: where pid files and logs go. */
  constructor(private readonly runDir: string) {
    fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  }

  /**
   * Keeps each running unit's log within MAX_UNIT_LOG_BYTES: a larger one is copied to
   * `<euid>.log.1` and emptied. The unit appends (O_APPEND), so it writes on at the new end; a unit
   * writing without end costs the state filesystem two logs at most.
   */
  rotateLogs(): void {
    for (const euid of this.running.keys()) {
      const log = path.join(this.runDir, `${euid}.log`);
      try {
        if (fs.statSync(log).size <= MAX_UNIT_LOG_BYTES) continue;
        fs.copyFileSync(log, `${log}.1`);
        fs.truncateSync(log, 0);
      } catch {
        // gone, or the disk is full: tried again at the next check
      }
    }
  }

  private watchLogs(): void {
    if (this.logTimer) return;
    this.logTimer = setInterval(() => this.rotateLogs(), LOG_CHECK_MS);
    this.logTimer.unref();
  }

  private pidFile(euid: string): string {
    return path.join(this.runDir, `${euid}.pid`);
  }

  private set(euid: string, s: EuRunState, notify = true): void {
    this.states.set(euid, s);
    if (notify) this.onChange?.(euid);
  }

  /** A unit a previous agent started that still runs: adopted (true), watched for its exit. */
  private adopt(unit: RunnableUnit): boolean {
    let stored: { pid: number; startTime: string };
    try {
      stored = JSON.parse(fs.readFileSync(this.pidFile(unit.euid), 'utf8')) as { pid: number; startTime: string };
    } catch {
      return false;
    }
    const stat = Number.isInteger(stored.pid) && stored.pid > 1 ? procStat(stored.pid) : undefined;
    if (!stat || stat.startTime !== stored.startTime) {
      fs.rmSync(this.pidFile(unit.euid), { force: true });
      return false;
    }
    const r: Running = { pid: stored.pid, startedAt: 0, stopping: false };
    // Not our child: its exit is seen by polling.
    r.poll = setInterval(() => {
      if (alive(r.pid)) return;
      clearInterval(r.poll);
      this.exited(unit.euid, r, 'the process ended (it was started by an earlier run of the agent)');
    }, 1000);
    r.poll.unref();
    this.running.set(unit.euid, r);
    this.watchLogs();
    this.set(unit.euid, { status: 'Active', fault: 'NoFault', faultMessage: '' }, false);
    return true;
  }

  start(unit: RunnableUnit, auto: boolean): void {
    const current = this.running.get(unit.euid);
    if (current) {
      // Asked to run while it is being stopped: started again once it has stopped.
      if (current.stopping) current.afterStop = () => this.start(unit, auto);
      return;
    }
    if (auto && this.adopt(unit)) return;
    const fail = (message: string): void =>
      this.set(unit.euid, { status: 'Idle', fault: auto ? 'FailureOnAutoStart' : 'FailureOnStart', faultMessage: message.slice(0, 256) });
    if (!unit.dir) return fail('the unit has no folder on this device');
    const [program, ...args] = unit.command;
    const file = program!.includes('/') && !path.isAbsolute(program!) ? path.resolve(unit.dir, program!) : program!;
    let out: number;
    this.watchLogs();
    try {
      out = fs.openSync(path.join(this.runDir, `${unit.euid}.log`), 'a', 0o600);
    } catch (err) {
      return fail(`cannot open its log: ${(err as Error).message}`);
    }
    this.set(unit.euid, { status: 'Starting', fault: 'NoFault', faultMessage: '' });
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: unit.dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: unit.dir, LANG: 'C.UTF-8', CWMP_EUID: unit.euid, ...unit.env },
        detached: true,
        stdio: ['ignore', out, out],
      });
    } catch (err) {
      fs.closeSync(out);
      return fail(`cannot run ${program}: ${(err as Error).message}`);
    }
    fs.closeSync(out);
    // A unit does not keep the agent's process alive: it outlives it on purpose.
    child.unref();
    const r: Running = { pid: child.pid ?? 0, child, startedAt: Date.now(), stopping: false };
    this.running.set(unit.euid, r);
    child.once('spawn', () => {
      const stat = procStat(r.pid);
      try {
        fs.writeFileSync(this.pidFile(unit.euid), JSON.stringify({ pid: r.pid, startTime: stat?.startTime ?? '' }), { mode: 0o600 });
      } catch {
        // Without its pid file the unit still runs; a later agent just cannot adopt it.
      }
      this.set(unit.euid, { status: 'Active', fault: 'NoFault', faultMessage: '' });
    });
    child.once('error', (err) => {
      this.running.delete(unit.euid);
      fail(`cannot run ${program}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    child.once('exit', (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exited with status ${code}`;
      const early = Date.now() - r.startedAt < START_GRACE_MS;
      this.exited(
        unit.euid,
        r,
        early ? `${program} ${how} at once` : `${program} ${how}`,
        early ? (auto ? 'FailureOnAutoStart' : 'FailureOnStart') : undefined,
      );
    });
  }

  private exited(euid: string, r: Running, message: string, earlyFault?: EuRunState['fault']): void {
    if (this.running.get(euid) !== r) return;
    // A unit being stopped is settled by stop(), which knows whether it took SIGKILL.
    if (r.stopping) return;
    this.running.delete(euid);
    fs.rmSync(this.pidFile(euid), { force: true });
    this.set(euid, { status: 'Idle', fault: earlyFault ?? 'FailureWhileActive', faultMessage: message.slice(0, 256) });
  }

  async stop(unit: RunnableUnit): Promise<boolean> {
    const r = this.running.get(unit.euid);
    if (!r) return true;
    r.stopping = true;
    this.set(unit.euid, { ...this.state(unit.euid), status: 'Stopping' });
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-r.pid, sig);
      } catch {
        try {
          process.kill(r.pid, sig);
        } catch {
          // Gone already.
        }
      }
    };
    const gone = async (ms: number): Promise<boolean> => {
      for (let waited = 0; waited < ms; waited += 50) {
        if (!alive(r.pid)) return true;
        await sleep(50);
      }
      return !alive(r.pid);
    };
    signalGroup('SIGTERM');
    let stopped = await gone(unit.stopTimeoutSeconds * 1000);
    let message = '';
    if (!stopped) {
      signalGroup('SIGKILL');
      stopped = await gone(KILL_WAIT_MS);
      message = `did not stop within ${unit.stopTimeoutSeconds} s of SIGTERM; killed`;
    }
    if (r.poll) clearInterval(r.poll);
    if (!stopped) {
      r.stopping = false;
      this.set(unit.euid, { status: 'Active', fault: 'FailureOnStop', faultMessage: 'did not stop, even after SIGKILL' });
      return false;
    }
    // The exit handler may have run already, and the unit been started anew since: only our own entry goes.
    if (this.running.get(unit.euid) === r) {
      this.running.delete(unit.euid);
      fs.rmSync(this.pidFile(unit.euid), { force: true });
    }
    if (!this.running.has(unit.euid)) this.set(unit.euid, { status: 'Idle', fault: message ? 'FailureOnStop' : 'NoFault', faultMessage: message });
    r.afterStop?.();
    return true;
  }

  state(euid: string): EuRunState {
    return this.states.get(euid) ?? { status: 'Idle', fault: 'NoFault', faultMessage: '' };
  }

  memoryKiB(euid: string): number {
    const r = this.running.get(euid);
    if (!r) return -1;
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${r.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : -1;
    } catch {
      return -1;
    }
  }

  cpuPercent(euid: string): number {
    const r = this.running.get(euid);
    const stat = r ? procStat(r.pid) : undefined;
    if (!r || !stat) return -1;
    const now = Date.now();
    const prev = r.cpu;
    r.cpu = { ticks: stat.ticks, at: now };
    if (!prev || now - prev.at < 100) return 0;
    // Clock ticks are 1/100 s on Linux (USER_HZ).
    return Math.min(100, Math.max(0, Math.round(((stat.ticks - prev.ticks) / 100 / ((now - prev.at) / 1000)) * 100)));
  }

  forget(euid: string): void {
    this.states.delete(euid);
    fs.rmSync(path.join(this.runDir, `${euid}.log`), { force: true });
    fs.rmSync(path.join(this.runDir, `${euid}.log.1`), { force: true });
  }
}
