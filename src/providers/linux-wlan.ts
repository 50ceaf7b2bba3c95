/**
 * A Linux host's Wi-Fi access points for TR-098 WLANConfiguration: the wireless interfaces in
 * /sys/class/net, what `iw dev <if> info` says of each (SSID, channel, band) and the stations
 * `iw dev <if> station dump` lists, with their addresses from the ARP table. Without `iw` the
 * radios are still listed, with no stations. The host's own Wi-Fi daemon (hostapd) owns the
 * settings, so the ACS reads them live and may not change them here.
 */
import { execFileSync } from 'node:child_process';
import type { InterfaceCounters } from './gateway-network-provider.js';
import type { IwStation, WlanRadio, WlanStation } from './wlan-radio.js';
import type { HostEntry, RadioEntry } from './network-services-provider.js';

export interface IwInfo {
  /** "AP", "managed", ... */
  type?: string;
  ssid?: string;
  channel?: number;
  frequencyMhz?: number;
  addr?: string;
}

/** `iw dev <if> info`: the interface's address, SSID and channel. */
export function parseIwInfo(text: string): IwInfo {
  const info: IwInfo = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m = /^ssid (.+)$/.exec(line);
    if (m) info.ssid = m[1]!;
    m = /^type (.+)$/.exec(line);
    if (m) info.type = m[1]!;
    m = /^addr ([0-9a-fA-F:]{17})$/.exec(line);
    if (m) info.addr = m[1]!.toUpperCase();
    m = /^channel (\d+) \((\d+) MHz\)/.exec(line);
    if (m) {
      info.channel = Number(m[1]);
      info.frequencyMhz = Number(m[2]);
    }
  }
  return info;
}

export type { IwStation } from './wlan-radio.js';

/** `iw dev <if> station dump`: one block per station, "Station <mac> (on <if>)" then tab-indented fields. */
export function parseIwStationDump(text: string): IwStation[] {
  const out: IwStation[] = [];
  for (const block of text.split(/^(?=Station )/m)) {
    const head = /^Station ([0-9a-fA-F:]{17})/.exec(block);
    if (!head) continue;
    const field = (name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(block)?.[1]?.trim();
    const count = (name: string): number => Number.parseInt(field(name) ?? '0', 10) || 0;
    const signal = Number.parseInt(field('signal') ?? '', 10);
    out.push({
      mac: head[1]!.toUpperCase(),
      authenticated: field('authenticated') !== 'no' && field('authorized') !== 'no',
      txBitrateMbps: Number.parseFloat(field('tx bitrate') ?? '0') || 0,
      rxBitrateMbps: Number.parseFloat(field('rx bitrate') ?? '0') || 0,
      ...(Number.isFinite(signal) ? { signalDbm: signal } : {}),
      rxBytes: count('rx bytes'),
      txBytes: count('tx bytes'),
      rxPackets: count('rx packets'),
      txPackets: count('tx packets'),
    });
  }
  return out;
}

const CHANNELS_24 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const CHANNELS_5 = [36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140, 149, 153, 157, 161, 165];
const RATES_24 = ['1', '2', '5.5', '6', '9', '11', '12', '18', '24', '36', '48', '54'];
const RATES_5 = ['6', '9', '12', '18', '24', '36', '48', '54'];

/** Runs `iw`; undefined when it is not installed or fails. */
export function runIw(args: string[]): string | undefined {
  try {
    return execFileSync('iw', args, { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

export interface LinuxWlanSource {
  radios: () => RadioEntry[];
  counters: (name: string) => InterfaceCounters | undefined;
  neighbours: () => HostEntry[];
  iw: (args: string[]) => string | undefined;
}

/** The host's access points (a Wi-Fi client link is no WLANConfiguration; without `iw` every radio counts). */
export function linuxWlanRadios(src: LinuxWlanSource): WlanRadio[] {
  return src.radios().flatMap((r) => {
    const info = parseIwInfo(src.iw(['dev', r.name, 'info']) ?? '');
    if (info.type !== undefined && info.type !== 'AP') return [];
    const fiveGhz = (info.frequencyMhz ?? 2412) >= 4900;
    const channels = fiveGhz ? CHANNELS_5 : CHANNELS_24;
    const stations = (): WlanStation[] => {
      const ips = new Map(src.neighbours().map((h) => [h.mac.toUpperCase(), h.ip]));
      return parseIwStationDump(src.iw(['dev', r.name, 'station', 'dump']) ?? '').map((s) => ({
        mac: s.mac,
        ip: ips.get(s.mac) ?? '',
        authenticated: s.authenticated,
        rateMbps: s.txBitrateMbps,
        iw: s,
      }));
    };
    const radio: WlanRadio = {
      name: r.name,
      bssid: info.addr ?? '',
      standard: 'n',
      possibleChannels: info.channel !== undefined && !channels.includes(info.channel) ? [...channels, info.channel] : channels,
      possibleRates: fiveGhz ? RATES_5 : RATES_24,
      autoChannel: info.channel ?? 0,
      counters: () => src.counters(r.name),
      stations,
      live: { ssid: info.ssid ?? '', channel: info.channel ?? 0, up: r.up },
      factory: { ssid: info.ssid ?? '', keyPassphrase: '', channel: info.channel ?? 0 },
    };
    return [radio];
  });
}
