/**
 * A simulated TR-104 voice service: two FXS ports, one SIP network, two SIP clients and two
 * lines, numbered from the device's seed. Settings are the ACS's (stored, with factory values
 * from the seed); registration follows them: a client registers a moment after a change and is
 * Up only with an enabled, reachable network, a SIP URI and a user name, else it shows the TR-104
 * error state that fits. Each line places and takes calls on its own schedule while it is Up,
 * and its call and RTP counters move with them.
 */
import { seedDigest } from './seed-digest.js';
import type { Provider } from '../datamodel/provider.js';

const VS = 'Device.Services.VoiceService.';
const V1 = `${VS}1.`;
const NETWORK = `${V1}SIP.Network.1`;
const clientPath = (i: number): string => `${V1}SIP.Client.${i}`;
/** A registration (or a DNS lookup) takes this long after a change, milliseconds. */
const SETTLE_MS = 1500;
const OBJECTS: readonly string[] = [VS];
const TABLES: Readonly<Record<string, number[]>> = {
  [VS]: [1],
  [`${V1}POTS.FXS.`]: [1, 2],
  [`${V1}SIP.Network.`]: [1],
  [`${V1}SIP.Client.`]: [1, 2],
  [`${V1}CallControl.Line.`]: [1, 2],
};
const CAPABILITIES: Readonly<Record<string, string>> = { MaxLineCount: '2', MaxExtensionCount: '2', MaxSessionsPerLine: '2', MaxSessionCount: '4' };
const RTP_PACKETS_PER_SECOND = 50;
/** G.711 in 20 ms packets: 160 bytes of audio and 12 of RTP header. */
const RTP_PACKET_BYTES = 172;

/** Methods on the prototype, so that a fleet of devices holds one small object each. */
export class SimulatedVoiceService implements Provider {
  readonly objects = OBJECTS;
  private read: ((path: string) => string) | undefined;
  private changedAt = Number.NEGATIVE_INFINITY;
  private readonly number: number;
  /** Seconds between a line's calls, and how long each lasts. */
  private readonly period: number;
  private readonly duration: number;

  constructor(
    seed: string,
    private readonly upSeconds: () => number,
    private readonly now: () => number,
  ) {
    const h = seedDigest(`voice:${seed}`);
    this.number = h.readUInt32BE(0) % 9_000_000;
    this.period = 120 + (h[4]! % 240);
    this.duration = 20 + (h[5]! % 60);
  }

  attach(read: (path: string) => string): void {
    this.read = read;
  }

  instances(table: string): number[] | undefined {
    return TABLES[table];
  }

  private directoryNumber(line: number): string {
    return `+1555${String(this.number + line).padStart(7, '0')}`;
  }

  factoryDefault(p: string): string | undefined {
    if (!p.startsWith(V1)) return undefined;
    const rest = p.slice(V1.length);
    let m = /^SIP\.Network\.1\.(\w+)$/.exec(rest);
    if (m)
      return (
        {
          Enable: 'true',
          ProxyServer: 'sip.example.net',
          RegistrarServer: 'sip.example.net',
          ServerDomain: 'example.net',
          CodecList: 'G.711ALaw,G.711MuLaw,G.729',
        } as Record<string, string>
      )[m[1]!];
    m = /^SIP\.Client\.([12])\.(\w+)$/.exec(rest);
    if (m) {
      const n = this.directoryNumber(Number(m[1]));
      return ({ Enable: 'true', Network: NETWORK, AuthUserName: n, RegisterURI: `sip:${n}@example.net` } as Record<string, string>)[m[2]!];
    }
    m = /^CallControl\.Line\.([12])\.(\w+)$/.exec(rest);
    if (m)
      return ({ Enable: 'true', DirectoryNumber: this.directoryNumber(Number(m[1])), Provider: clientPath(Number(m[1])) } as Record<string, string>)[m[2]!];
    return undefined;
  }

  private setting(p: string): string {
    return this.read?.(p) ?? this.factoryDefault(p) ?? '';
  }

  private settling(): boolean {
    return this.now() - this.changedAt < SETTLE_MS;
  }

  private networkStatus(): string {
    if (this.setting(`${NETWORK}.Enable`) !== 'true') return 'Disabled';
    const registrar = this.setting(`${NETWORK}.RegistrarServer`) || this.setting(`${NETWORK}.ProxyServer`);
    if (!registrar) return 'Error_Other';
    if (this.settling()) return 'Resolving';
    // The reserved .invalid domain (RFC 6761) never resolves: a way to see Error_DNS on purpose.
    return /\.invalid\.?$/i.test(registrar) ? 'Error_DNS' : 'Up';
  }

  private clientStatus(i: number): string {
    const c = clientPath(i);
    if (this.setting(`${c}.Enable`) !== 'true') return 'Disabled';
    const network = this.setting(`${c}.Network`).replace(/\.$/, '');
    if (network !== NETWORK || !/^sips?:[^@\s]+@\S+$/.test(this.setting(`${c}.RegisterURI`)) || !this.setting(`${c}.AuthUserName`))
      return 'Error_Misconfigured';
    const net = this.networkStatus();
    if (net === 'Resolving' || (net === 'Up' && this.settling())) return 'Registering';
    return net === 'Up' ? 'Up' : 'Error_Network';
  }

  private lineUp(i: number): boolean {
    const l = `${V1}CallControl.Line.${i}`;
    if (this.setting(`${l}.Enable`) !== 'true') return false;
    const provider = /^Device\.Services\.VoiceService\.1\.SIP\.Client\.([12])\.?$/.exec(this.setting(`${l}.Provider`));
    return provider !== null && this.clientStatus(Number(provider[1])) === 'Up';
  }

  /** The line's calls so far (by its uptime) and where the current one stands. */
  private calls(i: number): { completed: number; inCall: boolean; elapsed: number } {
    const t = this.upSeconds() + i * 37;
    const completed = Math.floor(t / this.period);
    const into = t - completed * this.period;
    return { completed, inCall: into < this.duration, elapsed: Math.min(into, this.duration) };
  }

  private lineValue(i: number, field: string): string | undefined {
    const up = this.lineUp(i);
    if (field === 'Status') return this.setting(`${V1}CallControl.Line.${i}.Enable`) !== 'true' ? 'Disabled' : up ? 'Up' : 'Error';
    const c = this.calls(i);
    if (field === 'CallStatus') return up && c.inCall ? 'Connected' : 'Idle';
    // Counters count calls placed while the line was up; a line down counts none now.
    const n = up ? c.completed : 0;
    const incoming = Math.ceil(n / 2);
    const outgoing = Math.floor(n / 2);
    const failedIn = Math.floor(incoming / 7);
    const failedOut = Math.floor(outgoing / 9);
    const current = up && c.inCall ? c.elapsed : 0;
    const talkSeconds = (n - failedIn - failedOut) * this.duration + current;
    const packets = talkSeconds * RTP_PACKETS_PER_SECOND;
    const stats: Record<string, number> = {
      'Stats.IncomingCalls.CallsReceived': incoming,
      'Stats.IncomingCalls.CallsConnected': incoming - failedIn,
      'Stats.IncomingCalls.CallsFailed': failedIn,
      'Stats.IncomingCalls.CallsDropped': 0,
      'Stats.IncomingCalls.TotalCallTime': (incoming - failedIn) * this.duration,
      'Stats.OutgoingCalls.CallsAttempted': outgoing,
      'Stats.OutgoingCalls.CallsConnected': outgoing - failedOut,
      'Stats.OutgoingCalls.CallsFailed': failedOut,
      'Stats.OutgoingCalls.CallsDropped': 0,
      'Stats.OutgoingCalls.TotalCallTime': (outgoing - failedOut) * this.duration,
      'Stats.RTP.PacketsSent': packets,
      'Stats.RTP.PacketsReceived': packets - Math.floor(packets / 1000),
      'Stats.RTP.PacketsLost': Math.floor(packets / 1000),
      'Stats.RTP.BytesSent': packets * RTP_PACKET_BYTES,
      'Stats.RTP.BytesReceived': (packets - Math.floor(packets / 1000)) * RTP_PACKET_BYTES,
    };
    const v = stats[field];
    return v === undefined ? undefined : String(v % 2 ** 32);
  }

  get(p: string): string | undefined {
    if (!p.startsWith(V1)) return undefined;
    const rest = p.slice(V1.length);
    if (rest.startsWith('Capabilities.')) return CAPABILITIES[rest.slice('Capabilities.'.length)];
    let m = /^POTS\.FXS\.([12])\.(\w+)$/.exec(rest);
    if (m) {
      const i = Number(m[1]);
      if (m[2] === 'Name') return `FXS${i}`;
      if (m[2] === 'Status') return this.setting(`${V1}POTS.FXS.${i}.Enable`) === 'true' ? 'Up' : 'Disabled';
      if (m[2] === 'Active') return String(this.lineValue(i, 'CallStatus') === 'Connected');
      return undefined;
    }
    if (rest === 'SIP.Network.1.Status') return this.networkStatus();
    m = /^SIP\.Client\.([12])\.(Status|Origin)$/.exec(rest);
    if (m) return m[2] === 'Origin' ? 'Static' : this.clientStatus(Number(m[1]));
    m = /^CallControl\.Line\.([12])\.((?:Stats\.\w+\.)?\w+)$/.exec(rest);
    if (m && (m[2] === 'Status' || m[2] === 'CallStatus' || m[2]!.startsWith('Stats.'))) return this.lineValue(Number(m[1]), m[2]!);
    return undefined;
  }

  validate(p: string, value: string): string | undefined {
    if (/SIP\.Client\.[12]\.Network$/.test(p) && value !== '' && value.replace(/\.$/, '') !== NETWORK)
      return `${value.slice(0, 64)} is not a SIP.Network of this voice service`;
    if (/CallControl\.Line\.[12]\.Provider$/.test(p) && value !== '' && !/^Device\.Services\.VoiceService\.1\.SIP\.Client\.[12]\.?$/.test(value))
      return `${value.slice(0, 64)} is not a SIP.Client of this voice service`;
    if (/SIP\.Client\.[12]\.RegisterURI$/.test(p) && value !== '' && !/^(sips?|tel):\S+$/.test(value)) return 'RegisterURI must be a sip:, sips: or tel: URI';
    return undefined;
  }

  /** A change to the network or a client: registration starts again. */
  set(p: string): void {
    if (/\.SIP\.(Network|Client)\./.test(p)) this.changedAt = this.now();
  }
}
