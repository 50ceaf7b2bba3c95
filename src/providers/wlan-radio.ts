/** What a Wi-Fi radio reports of itself and its stations, whichever device it is on (simulated, or a Linux host's iw). */
import type { InterfaceCounters } from './gateway-network-provider.js';

export interface WlanStation {
  mac: string;
  ip: string;
  authenticated: boolean;
  /** Last data rate, Mbps. */
  rateMbps: number;
  /** What `iw` says of it, where it comes from there (rates both ways, signal, traffic). */
  iw?: IwStation;
}

export interface WlanRadio {
  /** The interface name ("wlan0"). */
  name: string;
  bssid: string;
  standard: 'a' | 'b' | 'g' | 'g-only' | 'n';
  possibleChannels: readonly number[];
  /** Rates it can send at, Mbps, as TR-098 lists them ("1,2,5.5,11,..."). */
  possibleRates: readonly string[];
  /** The channel automatic selection settles on. */
  autoChannel: number;
  counters: () => InterfaceCounters | undefined;
  stations: () => WlanStation[];
  factory: { ssid: string; keyPassphrase: string; channel: number };
  /** Set where the device's own Wi-Fi daemon owns the settings: these are read from it, not stored. */
  live?: { ssid: string; channel: number; up: boolean };
}

/** A station as `iw dev <if> station dump` describes it. */
export interface IwStation {
  mac: string;
  authenticated: boolean;
  txBitrateMbps: number;
  rxBitrateMbps: number;
  /** dBm, when iw reports it. */
  signalDbm?: number;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}
