/**
 * The fleet's port budget. Every CWMP session is a new TCP connection; toward one ACS address,
 * each takes a local port of its source address, and the side that closes first keeps that port
 * in TIME_WAIT for 60 s (Linux's fixed TCP_TIMEWAIT_LEN). So one source address sustains about
 * (ephemeral ports ÷ 60) new connections a second, whatever the CPU can do; past that, connects
 * fail with EADDRNOTAVAIL. The budget says so at start; the socket counts show it as it happens.
 */
import fs from 'node:fs';

/** Linux's TIME_WAIT, seconds (not tunable). */
export const TIME_WAIT_SECONDS = 60;

export interface PortBudget {
  /** Source addresses the devices send from (1: the system's choice). */
  addresses: number;
  /** Local ports of the ephemeral range, per address. */
  ephemeralPorts: number;
  timeWaitSeconds: number;
  /** New connections a second the addresses sustain toward one ACS address. */
  sustainablePerSecond: number;
}

/** The ephemeral range's size (net.ipv4.ip_local_port_range; IPv6 uses the same); Linux's default where unreadable. */
export function ephemeralPorts(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const [low, high] = fs.readFileSync(rangeFile, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && high! >= low!) return high! - low! + 1;
  } catch {
    // not Linux, or no /proc: the default below
  }
  return 60999 - 32768 + 1;
}

export function portBudget(addresses: number, ports = ephemeralPorts()): PortBudget {
  const n = Math.max(1, addresses);
  return { addresses: n, ephemeralPorts: ports, timeWaitSeconds: TIME_WAIT_SECONDS, sustainablePerSecond: Math.floor((n * ports) / TIME_WAIT_SECONDS) };
}

/** The new connections a second a scenario asks for at its peak: its boot window, or its rate. */
export function neededConnectionsPerSecond(s: {
  scenario: string;
  devices: number;
  bootWindowSeconds: number;
  rate?: number;
  intervalSeconds: number;
}): number {
  const boot = s.bootWindowSeconds > 0 ? s.devices / s.bootWindowSeconds : s.devices;
  const periodic = s.devices / Math.max(1, s.intervalSeconds);
  // A firmware rollout's device also fetches its image and reports it in a session of its own.
  const perAction = s.scenario === 'firmware-rollout' ? 3 : 1;
  const action = s.rate !== undefined && s.scenario !== 'steady' ? s.rate * perAction : 0;
  return Math.max(boot, periodic + action, s.scenario === 'steady' && s.rate !== undefined ? s.rate : 0);
}

/** The warning a fleet prints at start when its scenario needs more than its addresses sustain (none when they do). */
export function portBudgetWarning(budget: PortBudget, needed: number): string | undefined {
  if (needed <= budget.sustainablePerSecond) return undefined;
  const addressesNeeded = Math.ceil((needed * budget.timeWaitSeconds) / budget.ephemeralPorts);
  return (
    `port budget: this run asks for up to ${Math.ceil(needed)} new connections a second; ${budget.addresses} source address${budget.addresses === 1 ? '' : 'es'} ` +
    `× ${budget.ephemeralPorts} ephemeral ports ÷ ${budget.timeWaitSeconds} s of TIME_WAIT sustain ${budget.sustainablePerSecond} toward a remote ACS. ` +
    `Connections past that wait for a port (counted as port waits). Give at least ${addressesNeeded} addresses with --source-addresses, ` +
    'lower --rate or widen the boot window (on loopback the kernel reuses ports and this limit does not show).'
  );
}

/** TCP sockets of this network namespace: open, and in TIME_WAIT (from /proc/net/sockstat and sockstat6). */
export function tcpSockets(dir = '/proc/net'): { inUse: number; timeWait: number } | undefined {
  try {
    const v4 = fs.readFileSync(`${dir}/sockstat`, 'utf8');
    const tcp = /^TCP: inuse (\d+) orphan \d+ tw (\d+)/m.exec(v4);
    if (!tcp) return undefined;
    let v6 = 0;
    try {
      v6 = Number(/^TCP6: inuse (\d+)/m.exec(fs.readFileSync(`${dir}/sockstat6`, 'utf8'))?.[1] ?? 0);
    } catch {
      // no IPv6
    }
    return { inUse: Number(tcp[1]) + v6, timeWait: Number(tcp[2]) };
  } catch {
    return undefined;
  }
}

/** Samples the socket counts once a second, keeping the TIME_WAIT peak; counts port waits. */
export class PortWatch {
  timeWaitPeak = 0;
  readonly waits: Record<string, number> = {};
  private last: { inUse: number; timeWait: number } | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly budget: PortBudget) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  /** Open TCP sockets and those in TIME_WAIT, as last sampled (none where /proc is not there). */
  get now(): { inUse: number; timeWait: number } | undefined {
    return this.last;
  }

  portWait(code: string): void {
    this.waits[code] = (this.waits[code] ?? 0) + 1;
  }

  get totalWaits(): number {
    return Object.values(this.waits).reduce((a, b) => a + b, 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  summary(): PortBudget & { inUse: number | null; timeWait: number | null; timeWaitPeak: number; portWaits: Record<string, number> } {
    this.sample();
    return {
      ...this.budget,
      inUse: this.last?.inUse ?? null,
      timeWait: this.last?.timeWait ?? null,
      timeWaitPeak: this.timeWaitPeak,
      portWaits: { ...this.waits },
    };
  }

  private sample(): void {
    this.last = tcpSockets();
    if (this.last) this.timeWaitPeak = Math.max(this.timeWaitPeak, this.last.timeWait);
  }
}
