/**
 * The simulated gateway's Wi-Fi: a 2.4 GHz and a 5 GHz radio with a few stations each, all from
 * the seed (the same seed, the same SSID, passphrase and neighbours), counters growing with the
 * uptime. Built when first read, so fleet devices nobody asks about hold nothing.
 */
import { seedDigest } from './seed-digest.js';
import type { HostEntry } from './network-services-provider.js';
import type { WlanRadio } from './gateway-wlan-provider.js';

const CHANNELS_24 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const CHANNELS_5 = [36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140];
const RATES_24 = ['1', '2', '5.5', '6', '9', '11', '12', '18', '24', '36', '48', '54'];
const RATES_5 = ['6', '9', '12', '18', '24', '36', '48', '54'];

export function simulatedRadios(seed: string, upSeconds: () => number): WlanRadio[] {
  const h = seedDigest(`wlan:${seed}`);
  const hex = (b: number): string => b.toString(16).padStart(2, '0').toUpperCase();
  const mac = (offset: number, first = '02'): string => [first, ...[...h.subarray(offset, offset + 5)].map(hex)].join(':');
  const tail = [...h.subarray(20, 22)].map(hex).join('');
  // A passphrase of the kind printed on a label: 12 letters and digits from the seed.
  const passphrase = [...h.subarray(22, 28)].map(hex).join('').toLowerCase();
  const radio = (k: number, band: '2.4' | '5'): WlanRadio => {
    const stationCount = h[10 + k]! % 4;
    const stations = Array.from({ length: stationCount }, (_, s) => ({
      mac: mac(12 + ((k * 3 + s) % 14)).replace(/^02/, '06'),
      ip: `192.168.1.${150 + k * 10 + s}`,
      authenticated: true,
      rateMbps: band === '5' ? 433 - s * 50 : 144 - s * 20,
    }));
    const channels = band === '2.4' ? CHANNELS_24 : CHANNELS_5;
    const rate = (band === '2.4' ? 800 : 3000) + (h[14 + k]! << 3);
    return {
      name: `wl${k}`,
      bssid: mac(k * 5),
      standard: 'n',
      possibleChannels: channels,
      possibleRates: band === '2.4' ? RATES_24 : RATES_5,
      autoChannel: band === '2.4' ? [1, 6, 11][h[16]! % 3]! : CHANNELS_5[h[17]! % 4]!,
      factory: { ssid: band === '2.4' ? `cwmp-${tail}` : `cwmp-${tail}-5G`, keyPassphrase: passphrase, channel: band === '2.4' ? 6 : 36 },
      counters: () => {
        const up = upSeconds() * (stationCount > 0 ? 1 : 0.01);
        return {
          bytesSent: Math.floor(up * rate * 6),
          bytesReceived: Math.floor(up * rate),
          packetsSent: Math.floor((up * rate * 6) / 1200),
          packetsReceived: Math.floor((up * rate) / 400),
        };
      },
      stations: () => stations,
    };
  };
  return [radio(0, '2.4'), radio(1, '5')];
}

/** The radios' stations as the LAN neighbours a gateway lists among its Hosts. */
export function wirelessHosts(radios: readonly WlanRadio[]): HostEntry[] {
  return radios.flatMap((r) => r.stations().map((s) => ({ ip: s.ip, mac: s.mac, interfaceName: r.name, active: true })));
}
