/**
 * Device.Ethernet and Device.IP interfaces from a snapshot of the device's interfaces (the Linux
 * host's os.networkInterfaces(), or the simulated device's). Instance numbers are kept per
 * interface name for the provider's lifetime, so an interface keeps its number while it exists.
 */
import type { Provider } from '../datamodel/provider.js';

export const NETWORK_OBJECTS: readonly string[] = ['Device.Ethernet.', 'Device.IP.'];

export interface InterfaceSnapshot {
  name: string;
  mac: string;
  loopback: boolean;
  up: boolean;
  ipv4: { address: string; netmask: string }[];
  ipv6: { address: string }[];
}

export interface NetworkProviderOptions {
  interfaces: () => InterfaceSnapshot[];
  /** Why the ACS may not change addresses here, or undefined to let it (values then stay in the store). */
  refuseAddressChanges?: string;
}

export function networkProvider(opts: NetworkProviderOptions): Provider {
  const numbers = new Map<string, number>();
  let next = 1;
  const numbered = (): { n: number; i: InterfaceSnapshot }[] =>
    opts.interfaces().map((i) => {
      if (!numbers.has(i.name)) numbers.set(i.name, next++);
      return { n: numbers.get(i.name)!, i };
    });
  const ethernet = (): { n: number; i: InterfaceSnapshot }[] => numbered().filter((x) => !x.i.loopback);
  const byNumber = (n: number): InterfaceSnapshot | undefined => numbered().find((x) => x.n === n)?.i;
  return {
    objects: NETWORK_OBJECTS,
    instances(tablePath) {
      if (tablePath === 'Device.Ethernet.Interface.') return ethernet().map((x) => x.n);
      if (tablePath === 'Device.IP.Interface.') return numbered().map((x) => x.n);
      const m = /^Device\.IP\.Interface\.(\d+)\.IPv([46])Address\.$/.exec(tablePath);
      if (!m) return undefined;
      const i = byNumber(Number(m[1]));
      if (!i) return [];
      return (m[2] === '4' ? i.ipv4 : i.ipv6).map((_, k) => k + 1);
    },
    get(path) {
      let m = /^Device\.Ethernet\.Interface\.(\d+)\.(\w+)$/.exec(path);
      if (m) {
        const i = byNumber(Number(m[1]));
        if (!i) return undefined;
        return ({ Status: i.up ? 'Up' : 'Down', Name: i.name, MACAddress: i.mac.toUpperCase(), Upstream: 'true' } as Record<string, string>)[m[2]!];
      }
      m = /^Device\.IP\.Interface\.(\d+)\.(\w+)$/.exec(path);
      if (m) {
        const i = byNumber(Number(m[1]));
        if (!i) return undefined;
        return (
          {
            Status: i.up ? 'Up' : 'Down',
            Name: i.name,
            Type: i.loopback ? 'Loopback' : 'Normal',
            LowerLayers: i.loopback ? '' : `Device.Ethernet.Interface.${m[1]}`,
          } as Record<string, string>
        )[m[2]!];
      }
      m = /^Device\.IP\.Interface\.(\d+)\.IPv([46])Address\.(\d+)\.(\w+)$/.exec(path);
      if (m) {
        const i = byNumber(Number(m[1]));
        const k = Number(m[3]) - 1;
        if (m[2] === '4') {
          const a = i?.ipv4[k];
          return a ? ({ IPAddress: a.address, SubnetMask: a.netmask } as Record<string, string>)[m[4]!] : undefined;
        }
        const a = i?.ipv6[k];
        if (!a) return undefined;
        return ({ IPAddress: a.address, Origin: a.address.startsWith('fe80') ? 'WellKnown' : 'AutoConfigured' } as Record<string, string>)[m[4]!];
      }
      return undefined;
    },
    validate(path) {
      if (opts.refuseAddressChanges && /\.IPv[46]Address\.\d+\.(IPAddress|SubnetMask)$|\.LowerLayers$/.test(path)) return opts.refuseAddressChanges;
      return undefined;
    },
  };
}
