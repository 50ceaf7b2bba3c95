/**
 * Two hosts on one machine, made by the test: an ACS host and a fleet host, each its own network
 * namespace, joined by a veth pair (no loopback between them, so TIME_WAIT holds ports as it
 * does between real hosts). The fleet host has extra IPv4 addresses and an IPv6 prefix of its
 * own (AnyIP: a local route for the whole prefix). Needs root and iproute2; tests skip, saying
 * why, where either is missing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface TwoHosts {
  acs: string;
  fleet: string;
  acsV4: string;
  acsV6: string;
  /** The fleet host's own IPv4 addresses besides its link address, as a list and as CIDR blocks. */
  fleetV4: string[];
  fleetV4Cidrs: string[];
  /** An IPv6 prefix the fleet host owns whole. */
  fleetV6Prefix: string;
  /** The name `acs.test`, on the fleet host, for both of the ACS host's addresses. */
  acsName: string;
  /** Runs a command on a host (inside its namespace). */
  spawn(host: string, command: string, args: string[]): ChildProcess;
  run(host: string, command: string, args: string[]): string;
  close(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaces cannot be made here (undefined: they can). */
export function netnsMissing(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'making network namespaces needs root';
  const probe = `cwa-probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (err) {
    return `cannot make a network namespace (ip netns add): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

/** Makes the two hosts; `net` (0-255) keeps concurrent tests' addresses apart. */
export function twoHosts(net: number): TwoHosts {
  const tag = `${process.pid}-${net}`;
  const acs = `cwa-acs-${tag}`;
  const fleet = `cwa-fleet-${tag}`;
  // Interface names are at most 15 characters.
  const short = `${process.pid % 100000}${net}`.slice(-8);
  const vAcs = `va${short}`;
  const vFleet = `vf${short}`;
  const acsV4 = `10.${net}.0.1`;
  const fleetLink = `10.${net}.0.2`;
  const fleetV4 = [1, 2, 3, 4].map((i) => `10.${net}.1.${i}`);
  const acsV6 = `fd00:${net.toString(16)}::1`;
  const fleetLink6 = `fd00:${net.toString(16)}::2`;
  const fleetV6Prefix = `fd00:${net.toString(16)}:1::/64`;
  const inNs = (ns: string, ...args: string[]): void => ip('-n', ns, ...args);
  // `ip netns exec` puts /etc/netns/NAME/hosts over /etc/hosts: the fleet host's own names.
  const etc = `/etc/netns/${fleet}`;
  const close = (): void => {
    fs.rmSync(etc, { recursive: true, force: true });
    for (const ns of [acs, fleet]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not made
      }
    }
  };
  try {
    ip('netns', 'add', acs);
    ip('netns', 'add', fleet);
    ip('link', 'add', vAcs, 'type', 'veth', 'peer', 'name', vFleet);
    ip('link', 'set', vAcs, 'netns', acs);
    ip('link', 'set', vFleet, 'netns', fleet);
    for (const [ns, dev, v4, v6] of [
      [acs, vAcs, acsV4, acsV6],
      [fleet, vFleet, fleetLink, fleetLink6],
    ] as const) {
      inNs(ns, 'link', 'set', 'lo', 'up');
      inNs(ns, 'addr', 'add', `${v4}/24`, 'dev', dev);
      inNs(ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
      inNs(ns, 'link', 'set', dev, 'up');
    }
    for (const a of fleetV4) inNs(fleet, 'addr', 'add', `${a}/32`, 'dev', vFleet);
    inNs(fleet, '-6', 'route', 'add', 'local', fleetV6Prefix, 'dev', 'lo');
    // Binding to an address of a local route needs this for IPv6 (IPv4 allows it as is).
    execFileSync('ip', ['netns', 'exec', fleet, 'sysctl', '-qw', 'net.ipv6.ip_nonlocal_bind=1']);
    fs.mkdirSync(etc, { recursive: true });
    fs.writeFileSync(`${etc}/hosts`, `127.0.0.1 localhost\n::1 localhost\n${acsV4} acs.test\n${acsV6} acs.test\n`);
    inNs(acs, 'route', 'add', `10.${net}.1.0/24`, 'via', fleetLink);
    inNs(acs, '-6', 'route', 'add', fleetV6Prefix, 'via', fleetLink6);
  } catch (err) {
    close();
    throw err;
  }
  return {
    acs,
    fleet,
    acsV4,
    acsV6,
    acsName: 'acs.test',
    fleetV4,
    fleetV4Cidrs: fleetV4.map((a) => `${a}/32`),
    fleetV6Prefix,
    spawn: (host, command, args) => spawn('ip', ['netns', 'exec', host, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
    run: (host, command, args) => execFileSync('ip', ['netns', 'exec', host, command, ...args], { encoding: 'utf8' }),
    close,
  };
}
