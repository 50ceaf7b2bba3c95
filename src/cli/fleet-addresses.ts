/**
 * A fleet's addresses as the command checks them at start: the source-address blocks (each one
 * the host's own), and the port budget they give, with a warning when the scenario needs more.
 */
import net from 'node:net';
import { ConfigError } from '../assembly/config.js';
import type { FleetProtocol } from '../fleet/fleet.js';
import { shardRange } from '../fleet/identity-template.js';
import { neededConnectionsPerSecond, portBudget, portBudgetWarning, PortWatch } from '../fleet/port-budget.js';
import { addressesNotOnHost, missingAddressesMessage, SourceAddresses } from '../fleet/source-addresses.js';
import { isLoopback } from '../observability/control-server.js';

export function sourceAddressesOf(given: string | readonly string[] | undefined): SourceAddresses | undefined {
  if (given === undefined) return undefined;
  try {
    return SourceAddresses.parse(typeof given === 'string' ? [given] : given);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** Every address this process's devices send from must be the host's own: the missing ones are named, with how to add them. */
export async function checkSourceAddresses(
  sources: SourceAddresses,
  count: number,
  shard: { index: number; total: number } | undefined,
  protocol: FleetProtocol,
  acsUrl: string,
): Promise<void> {
  // An ACS named by its address is reached from that family's addresses only.
  const acsHost = acsUrl ? new URL(acsUrl).hostname.replace(/^\[|\]$/g, '') : '';
  const acsFamily = net.isIP(acsHost);
  if (acsFamily !== 0 && protocol !== 'usp' && !sources.families.has(acsFamily as 4 | 6))
    throw new ConfigError(`--source-addresses: no IPv${acsFamily} address among ${sources.cidrs.join(', ')}, and the ACS is at ${acsHost}`);
  if (acsFamily !== 0 && protocol !== 'usp' && sources.families.size > 1)
    throw new ConfigError(
      `--source-addresses: the ACS is at an IPv${acsFamily} address (${acsHost}); the devices of the IPv${acsFamily === 4 ? 6 : 4} blocks could not reach it (name the ACS by a host name that has both)`,
    );
  const { start, end } = shard ? shardRange(count, shard.index, shard.total) : { start: 0, end: count };
  // Consecutive devices take consecutive addresses: the first `distinct` of them cover all in use.
  const distinct = sources.distinctFor(start, end);
  const missing = await addressesNotOnHost(Array.from({ length: distinct }, (_, k) => sources.addressFor(start + k)));
  if (missing.length > 0) throw new ConfigError(missingAddressesMessage(missing, sources));
}

/**
 * The fleet's port budget (fleet/port-budget.ts) for this process's devices, watched as it runs;
 * a warning at start when the scenario asks for more new connections a second than the source
 * addresses sustain toward a remote ACS (loopback reuses ports in TIME_WAIT: no warning there).
 */
export function startPortWatch(
  sources: SourceAddresses | undefined,
  count: number,
  shard: { index: number; total: number } | undefined,
  acsUrl: string,
  scenario: { name: string; rate?: number },
  bootWindowSeconds: number,
  intervalSeconds: number,
): PortWatch {
  const { start, end } = shard ? shardRange(count, shard.index, shard.total) : { start: 0, end: count };
  const watch = new PortWatch(portBudget(sources ? sources.distinctFor(start, end) : 1));
  const needed = neededConnectionsPerSecond({ scenario: scenario.name, devices: end - start, bootWindowSeconds, rate: scenario.rate, intervalSeconds });
  const warning = isLoopbackUrl(acsUrl) ? undefined : portBudgetWarning(watch.budget, needed);
  if (warning) process.stderr.write(`fleet: ${warning}\n`);
  return watch;
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopback(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}
