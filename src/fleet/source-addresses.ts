/**
 * Source addresses for a fleet's devices. A real population comes from as many addresses as it
 * has devices; a fleet from one address runs out of ports toward a remote ACS (each closed
 * connection holds its port in TIME_WAIT for a minute). Pools are CIDR blocks, IPv4 or IPv6;
 * a device's address follows from its index alone (index modulo the pools' size, counted through
 * the pools in order), so it is the same across restarts and in whichever shard runs it.
 */
import dgram from 'node:dgram';
import net from 'node:net';

interface Pool {
  cidr: string;
  family: 4 | 6;
  /** The first address handed out, as a number. */
  first: bigint;
  size: bigint;
}

export class SourceAddresses {
  private readonly pools: Pool[];
  /** Addresses in all pools together. */
  readonly size: bigint;

  private constructor(pools: Pool[]) {
    this.pools = pools;
    this.size = pools.reduce((n, p) => n + p.size, 0n);
  }

  /** Reads `CIDR[,CIDR...]` (several texts are joined); throws an Error naming what is wrong. */
  static parse(texts: readonly string[]): SourceAddresses {
    const parts = texts
      .flatMap((t) => t.split(','))
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (parts.length === 0) throw new Error('no source address given: expected CIDR[,CIDR...], e.g. 10.20.0.0/22 or 2001:db8:0:100::/56');
    return new SourceAddresses(parts.map(parsePool));
  }

  get families(): ReadonlySet<4 | 6> {
    return new Set(this.pools.map((p) => p.family));
  }

  /** The pools as given, for messages and the summary. */
  get cidrs(): string[] {
    return this.pools.map((p) => p.cidr);
  }

  /** The address of the device with this index. */
  addressFor(index: number): string {
    let k = BigInt(index) % this.size;
    for (const p of this.pools) {
      if (k < p.size) return format(p.first + k, p.family);
      k -= p.size;
    }
    throw new Error('unreachable: the index is taken modulo the pools’ size');
  }

  /** How many different addresses devices `from` to `to` (exclusive) use. */
  distinctFor(from: number, to: number): number {
    const n = BigInt(Math.max(0, to - from));
    return Number(n < this.size ? n : this.size);
  }
}

function parsePool(cidr: string): Pool {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const family = m ? net.isIP(m[1]!) : 0;
  if (!m || family === 0) throw new Error(`source addresses ${cidr}: expected a CIDR block such as 10.20.0.0/22 or 2001:db8::/64`);
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) throw new Error(`source addresses ${cidr}: a prefix of at most /${bits}`);
  const hostBits = BigInt(bits - prefix);
  const base = (parse(m[1]!, family as 4 | 6) >> hostBits) << hostBits;
  let size = 1n << hostBits;
  let first = base;
  if (family === 4 && prefix <= 30) {
    // Neither the network's own address nor its broadcast address.
    first = base + 1n;
    size -= 2n;
  } else if (family === 6 && prefix <= 126) {
    // Not the subnet-router anycast address (all host bits zero).
    first = base + 1n;
    size -= 1n;
  }
  return { cidr, family: family as 4 | 6, first, size };
}

function parse(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((n, o) => (n << 8n) + BigInt(Number(o)), 0n);
  // Expanded through the URL parser's canonical form, which also handles a dotted IPv4 tail.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) + BigInt(Number.parseInt(g, 16)), 0n);
}

function format(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((n >> s) & 0xffffn).toString(16));
  // The canonical (RFC 5952) text: the URL parser compresses the longest run of zero groups.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * The addresses of `addresses` this host cannot send from: a bind to each (port 0, closed at
 * once) fails with EADDRNOTAVAIL for an address no interface has. Checked in batches, so that a
 * /56 of 100,000 used addresses takes seconds, not a descriptor each at once.
 */
export async function addressesNotOnHost(addresses: Iterable<string>): Promise<string[]> {
  const missing: string[] = [];
  const all = [...new Set(addresses)];
  for (let i = 0; i < all.length; i += 256) {
    const batch = all.slice(i, i + 256);
    const usable = await Promise.all(batch.map(canBind));
    batch.forEach((a, j) => {
      if (!usable[j]) missing.push(a);
    });
  }
  return missing;
}

function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(0, address, () => {
      socket.close();
      resolve(true);
    });
  });
}

/** What to tell a user whose host lacks some of the fleet's addresses: which, and how to add them. */
export function missingAddressesMessage(missing: readonly string[], pools: SourceAddresses): string {
  const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
  const example = pools.cidrs[0]!;
  const v6 = example.includes(':');
  return (
    `--source-addresses: this host does not have ${missing.length} of the fleet's source addresses (${shown}). ` +
    `Add each, e.g. \`ip addr add ${missing[0]}/${net.isIPv6(missing[0]!) ? 128 : 32} dev eth0\`, ` +
    `or a whole block at once on Linux: \`ip ${v6 ? '-6 ' : ''}route add local ${example} dev lo\`` +
    (v6 ? ' (for IPv6 with `sysctl -w net.ipv6.ip_nonlocal_bind=1`)' : '')
  );
}
