/**
 * What runs a deployment unit's execution units: real processes on a Linux host
 * (process-runtime), or a simulation for fleets (here). The software-module state asks it to
 * start and stop units and reads their status; it knows nothing of TR-181.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../runtime/clock.js';

export type EuStatus = 'Idle' | 'Starting' | 'Active' | 'Stopping';
export type EuFaultCode = 'NoFault' | 'FailureOnStart' | 'FailureOnAutoStart' | 'FailureOnStop' | 'FailureWhileActive' | 'DependencyFailure' | 'UnStartable';

/** An execution unit as the runtime needs it. */
export interface RunnableUnit {
  euid: string;
  /** The unit's folder; undefined where packages are not kept (a simulated fleet device). */
  dir: string | undefined;
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  stopTimeoutSeconds: number;
}

export interface EuRunState {
  status: EuStatus;
  fault: EuFaultCode;
  faultMessage: string;
}

export interface ExecutionRuntime {
  /** ExecEnv.Type, Name, Vendor, Version. */
  readonly type: string;
  readonly name: string;
  readonly vendor: string;
  readonly version: string;
  /** Starts a unit (at boot when `auto`); a failure shows in its state, never throws. */
  start(unit: RunnableUnit, auto: boolean): void;
  /** Stops a unit; resolves false when it would not stop (it is then left as it is). */
  stop(unit: RunnableUnit): Promise<boolean>;
  state(euid: string): EuRunState;
  /** KiB of memory in use, -1 when not running or not known. */
  memoryKiB(euid: string): number;
  /** Percent of the CPU since the last reading, -1 when not running or not known. */
  cpuPercent(euid: string): number;
  /** Forgets a unit that was uninstalled. */
  forget(euid: string): void;
  /** Told when a unit's status changes by itself (it exited, it finished starting). */
  onChange?: (euid: string) => void;
}

const IDLE: EuRunState = { status: 'Idle', fault: 'NoFault', faultMessage: '' };

/**
 * Execution units that start and stop in a configured time and use a little memory that moves,
 * without running anything: a fleet's devices. A unit whose command is ["false"] fails to start,
 * so a package can ask for a failure on purpose.
 */
export class SimulatedRuntime implements ExecutionRuntime {
  readonly type = 'Linux';
  readonly name = 'Simulated Linux processes';
  readonly vendor = 'cwmp-agent';
  readonly version = '1.0';
  onChange?: (euid: string) => void;
  private readonly units = new Map<string, EuRunState>();

  constructor(
    private readonly clock: Clock,
    private readonly transitionMs = 200,
  ) {}

  start(unit: RunnableUnit, auto: boolean): void {
    const current = this.units.get(unit.euid);
    if (current?.status === 'Active' || current?.status === 'Starting') return;
    this.units.set(unit.euid, { status: 'Starting', fault: 'NoFault', faultMessage: '' });
    this.clock.setTimer(this.transitionMs, () => {
      if (this.units.get(unit.euid)?.status !== 'Starting') return;
      const fails = unit.command[0] === 'false';
      this.units.set(
        unit.euid,
        fails
          ? { status: 'Idle', fault: auto ? 'FailureOnAutoStart' : 'FailureOnStart', faultMessage: 'the command exited with status 1 at once' }
          : { status: 'Active', fault: 'NoFault', faultMessage: '' },
      );
      this.onChange?.(unit.euid);
    });
  }

  stop(unit: RunnableUnit): Promise<boolean> {
    const current = this.units.get(unit.euid);
    if (!current || current.status === 'Idle') return Promise.resolve(true);
    this.units.set(unit.euid, { ...current, status: 'Stopping' });
    return new Promise((resolve) =>
      this.clock.setTimer(this.transitionMs, () => {
        this.units.set(unit.euid, IDLE);
        resolve(true);
      }),
    );
  }

  state(euid: string): EuRunState {
    return this.units.get(euid) ?? IDLE;
  }

  memoryKiB(euid: string): number {
    if (this.state(euid).status !== 'Active') return -1;
    const base = 2048 + (createHash('sha256').update(euid).digest().readUInt16BE(0) % 8192);
    return base + Math.round(256 * Math.sin(this.clock.now() / 60_000));
  }

  cpuPercent(euid: string): number {
    if (this.state(euid).status !== 'Active') return -1;
    return Math.round(2 + 2 * Math.sin(this.clock.now() / 20_000));
  }

  forget(euid: string): void {
    this.units.delete(euid);
  }
}
