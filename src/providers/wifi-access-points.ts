/**
 * TR-181 Device.WiFi.SSID.{i} and AccessPoint.{i} of a device whose own Wi-Fi daemon runs its
 * access points (a Linux host's hostapd): one SSID and one AccessPoint per access point
 * interface, read live (SSID, BSSID, status, traffic, associated stations with their rates,
 * signal and traffic), and not changed from here (fault 9007 saying who owns them). A device
 * without access points leaves both tables to the ACS, as before.
 */
import type { Provider } from '../datamodel/provider.js';
import type { WlanRadio } from './gateway-wlan-provider.js';
import type { RadioEntry } from './network-services-provider.js';

const W = 'Device.WiFi.';
export const WIFI_ACCESS_POINT_OBJECTS: readonly string[] = [`${W}SSID.`, `${W}AccessPoint.`];

/** A kbps rate for TR-181's LastData*Rate, which counts from 1000. */
const kbps = (mbps: number): string => String(Math.max(1000, Math.round(mbps * 1000)));

export function wifiAccessPointProvider(accessPoints: () => WlanRadio[], radios: () => RadioEntry[], owner: string): Provider {
  const at = (n: string): WlanRadio | undefined => accessPoints()[Number(n) - 1];
  const numbers = (): number[] => accessPoints().map((_, k) => k + 1);
  return {
    objects: WIFI_ACCESS_POINT_OBJECTS,
    instances(tablePath) {
      if (tablePath === `${W}SSID.` || tablePath === `${W}AccessPoint.`) {
        const list = numbers();
        return list.length > 0 ? list : undefined;
      }
      const m = /^Device\.WiFi\.AccessPoint\.(\d+)\.AssociatedDevice\.$/.exec(tablePath);
      const ap = m ? at(m[1]!) : undefined;
      return ap ? ap.stations().map((_, k) => k + 1) : undefined;
    },
    get(path) {
      let m = /^Device\.WiFi\.SSID\.(\d+)\.([\w.]+)$/.exec(path);
      if (m) {
        const ap = at(m[1]!);
        if (!ap) return undefined;
        const up = ap.live?.up ?? true;
        const c = ap.counters();
        const radioIndex = radios().findIndex((r) => r.name === ap.name);
        const values: Record<string, string | undefined> = {
          Enable: String(up),
          Status: up ? 'Up' : 'Down',
          Name: ap.name,
          BSSID: ap.bssid,
          MACAddress: ap.bssid,
          SSID: ap.live?.ssid,
          LowerLayers: radioIndex >= 0 ? `${W}Radio.${radioIndex + 1}` : '',
          'Stats.BytesSent': c ? String(c.bytesSent) : undefined,
          'Stats.BytesReceived': c ? String(c.bytesReceived) : undefined,
          'Stats.PacketsSent': c ? String(c.packetsSent) : undefined,
          'Stats.PacketsReceived': c ? String(c.packetsReceived) : undefined,
        };
        return values[m[2]!];
      }
      m = /^Device\.WiFi\.AccessPoint\.(\d+)\.([\w.]+)$/.exec(path);
      if (!m) return undefined;
      const ap = at(m[1]!);
      if (!ap) return undefined;
      const field = m[2]!;
      const station = /^AssociatedDevice\.(\d+)\.([\w.]+)$/.exec(field);
      if (station) {
        const s = ap.stations()[Number(station[1]) - 1];
        if (!s) return undefined;
        const iw = s.iw;
        const values: Record<string, string | undefined> = {
          MACAddress: s.mac,
          AuthenticationState: String(s.authenticated),
          LastDataDownlinkRate: kbps(s.rateMbps),
          LastDataUplinkRate: iw ? kbps(iw.rxBitrateMbps) : undefined,
          SignalStrength: iw?.signalDbm !== undefined ? String(Math.max(-200, Math.min(0, iw.signalDbm))) : undefined,
          Active: 'true',
          // The access point's view: what it sent the station is the station's download.
          'Stats.BytesSent': iw ? String(iw.txBytes) : undefined,
          'Stats.BytesReceived': iw ? String(iw.rxBytes) : undefined,
          'Stats.PacketsSent': iw ? String(iw.txPackets) : undefined,
          'Stats.PacketsReceived': iw ? String(iw.rxPackets) : undefined,
        };
        return values[station[2]!];
      }
      const up = ap.live?.up ?? true;
      return ({ Enable: String(up), Status: up ? 'Enabled' : 'Disabled', SSIDReference: `${W}SSID.${m[1]}` } as Record<string, string>)[field];
    },
    validate(path) {
      const m = /^Device\.WiFi\.(SSID|AccessPoint)\.(\d+)\./.exec(path);
      return m && at(m[2]!) ? owner : undefined;
    },
  };
}
