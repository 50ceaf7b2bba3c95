/**
 * TR-098 LANDevice.1.WLANConfiguration.{i} from the device's radios: one instance per radio,
 * its associated stations, counters and capabilities from the device; the settings the ACS
 * writes (SSID, keys, channel, modes) are stored by the model and checked here first (a
 * channel the radio cannot use, a passphrase WPA would refuse, a malformed key: fault 9007).
 * The radio's factory SSID, passphrase and channel are its defaults until the ACS sets others.
 */
import type { Provider } from '../datamodel/provider.js';
import type { WlanRadio, WlanStation } from './wlan-radio.js';

export type { WlanRadio, WlanStation } from './wlan-radio.js';

const R = 'InternetGatewayDevice.';
const TABLE = `${R}LANDevice.1.WLANConfiguration.`;
export const WLAN_OBJECTS: readonly string[] = [`${R}LANDevice.{i}.WLANConfiguration.`];
const PARAM = /^InternetGatewayDevice\.LANDevice\.1\.WLANConfiguration\.(\d+)\.(.+)$/;
const counter = (n: number | undefined): string => String((n ?? 0) % 2 ** 32);

/**
 * `refuseChanges`: why the ACS may not change the Wi-Fi settings (fault 9007), where the device's
 * own daemon owns them (a Linux host's hostapd); the ACS then reads them live.
 */
export function gatewayWlanProvider(radios: () => WlanRadio[], refuseChanges?: string): Provider {
  let read: (path: string) => string = () => '';
  const radioAt = (n: string | number): WlanRadio | undefined => radios()[Number(n) - 1];
  const up = (n: string | number): boolean => {
    const live = radioAt(n)?.live;
    return live ? live.up : read(`${TABLE}${n}.Enable`) === 'true' && read(`${TABLE}${n}.RadioEnabled`) === 'true';
  };
  const stationsOf = (n: string | number): WlanStation[] => (up(n) ? (radioAt(n)?.stations() ?? []) : []);

  return {
    objects: WLAN_OBJECTS,
    attach: (r) => void (read = r),
    instances(tablePath) {
      if (tablePath === TABLE) return radios().map((_, k) => k + 1);
      const m = /^InternetGatewayDevice\.LANDevice\.1\.WLANConfiguration\.(\d+)\.(AssociatedDevice|WEPKey|PreSharedKey)\.$/.exec(tablePath);
      if (!m || !radioAt(m[1]!)) return undefined;
      if (m[2] === 'AssociatedDevice') return stationsOf(m[1]!).map((_, k) => k + 1);
      // TR-098 fixes these tables at 4 WEP keys and 10 pre-shared keys.
      return Array.from({ length: m[2] === 'WEPKey' ? 4 : 10 }, (_, k) => k + 1);
    },
    get(path) {
      const m = PARAM.exec(path);
      const radio = m ? radioAt(m[1]!) : undefined;
      if (!m || !radio) return undefined;
      const [, n, field] = m as unknown as [string, string, string];
      const station = /^AssociatedDevice\.(\d+)\.(\w+)$/.exec(field);
      if (station) {
        const s = stationsOf(n)[Number(station[1]) - 1];
        if (!s) return undefined;
        return (
          {
            AssociatedDeviceMACAddress: s.mac,
            AssociatedDeviceIPAddress: s.ip,
            AssociatedDeviceAuthenticationState: String(s.authenticated),
            LastDataTransmitRate: String(Math.round(s.rateMbps)).slice(0, 4),
          } as Record<string, string>
        )[station[2]!];
      }
      // Field by field: Status reads Enable through the model, which asks here again for Enable.
      switch (field) {
        case 'Status':
          return up(n) ? 'Up' : 'Disabled';
        case 'Name':
          return radio.name.slice(0, 16);
        case 'BSSID':
          return radio.bssid;
        case 'Standard':
          return radio.standard;
        case 'PossibleChannels':
          return radio.possibleChannels.join(',');
        case 'PossibleDataTransmitRates':
          return radio.possibleRates.join(',');
        case 'Channel':
          if (radio.live) return String(radio.live.channel);
          // While automatic selection is on, Channel is what it chose (TR-098).
          return read(`${TABLE}${n}.AutoChannelEnable`) === 'true' ? String(radio.autoChannel) : undefined;
        case 'SSID':
          return radio.live?.ssid;
        case 'Enable':
        case 'RadioEnabled':
          return radio.live ? String(radio.live.up) : undefined;
        case 'TotalBytesSent':
          return counter(radio.counters()?.bytesSent);
        case 'TotalBytesReceived':
          return counter(radio.counters()?.bytesReceived);
        case 'TotalPacketsSent':
          return counter(radio.counters()?.packetsSent);
        case 'TotalPacketsReceived':
          return counter(radio.counters()?.packetsReceived);
        default:
          return undefined;
      }
    },
    factoryDefault(path) {
      const m = PARAM.exec(path);
      const radio = m ? radioAt(m[1]!) : undefined;
      if (!radio) return undefined;
      const rates = radio.possibleRates.join(',');
      return (
        {
          SSID: radio.factory.ssid,
          KeyPassphrase: radio.factory.keyPassphrase,
          Channel: String(radio.factory.channel),
          BasicDataTransmitRates: radio.possibleRates.slice(0, 2).join(','),
          OperationalDataTransmitRates: rates,
        } as Record<string, string>
      )[m![2]!];
    },
    validate(path, value) {
      const m = PARAM.exec(path);
      const radio = m ? radioAt(m[1]!) : undefined;
      if (!m || !radio) return undefined;
      if (refuseChanges !== undefined) return refuseChanges;
      const field = m[2]!;
      if (field === 'Channel' && !radio.possibleChannels.includes(Number(value))) return `channel ${value} is not one of ${radio.possibleChannels.join(',')}`;
      if (field === 'MaxBitRate' && value !== 'Auto' && !radio.possibleRates.includes(value))
        return `MaxBitRate is Auto or one of ${radio.possibleRates.join(',')}`;
      if ((field === 'BasicDataTransmitRates' || field === 'OperationalDataTransmitRates') && value !== '') {
        const wrong = value.split(',').find((r) => !radio.possibleRates.includes(r.trim()));
        if (wrong !== undefined) return `${wrong} is not a rate this radio has (${radio.possibleRates.join(',')})`;
      }
      // IEEE 802.11i: a passphrase is 8 to 63 printable ASCII characters; a PSK is 64 hex digits.
      if (/(^|\.)KeyPassphrase$/.test(field) && value !== '' && !/^[\x20-\x7e]{8,63}$/.test(value)) return 'a passphrase is 8 to 63 printable ASCII characters';
      if (/^PreSharedKey\.\d+\.PreSharedKey$/.test(field) && value !== '' && !/^[0-9A-Fa-f]{64}$/.test(value))
        return 'a pre-shared key is 64 hexadecimal digits';
      // WEP keys: 40-bit (10 hex digits) or 104-bit (26).
      if (/^WEPKey\.\d+\.WEPKey$/.test(field) && value !== '' && !/^([0-9A-Fa-f]{10}|[0-9A-Fa-f]{26})$/.test(value))
        return 'a WEP key is 10 or 26 hexadecimal digits';
      if (/^PreSharedKey\.\d+\.AssociatedDeviceMACAddress$/.test(field) && value !== '' && !/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/.test(value))
        return 'not a MAC address';
      return undefined;
    },
  };
}
