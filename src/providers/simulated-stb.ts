/**
 * A simulated set-top box for TR-135: one STBService with an IP front end, PVR storage, two
 * audio decoders and outputs, a video decoder and output, HDMI, CA and DRM, two AV streams and
 * a player. Streams move through PVR states with uptime, so
 * an ACS watching them sees plausible, changing values. Deterministic per seed.
 */
import { seedDigest } from './seed-digest.js';
import type { Provider } from '../datamodel/provider.js';

export const STB_OBJECTS: readonly string[] = ['Device.Services.STBService.'];

const S = 'Device.Services.STBService.';
/** Values that are the same on every simulated box: one table for all of them (fleets share it). */
const STATIC: Readonly<Record<string, string>> = {
  [`${S}1.Capabilities.MaxActiveAVStreams`]: '2',
  [`${S}1.Capabilities.MaxActiveAVPlayers`]: '1',
  [`${S}1.Capabilities.AudioDecoder.AudioStandards`]: 'MPEG2-AAC-LC,MPEG4-AAC-LC,DOLBY-AC3',
  [`${S}1.Capabilities.VideoDecoder.VideoStandards`]: 'MPEG2-Part2,MPEG4-Part10',
  [`${S}1.Capabilities.HDMI.SupportedResolutions`]: '1280x720p/50Hz,1920x1080i/50Hz,1920x1080p/50Hz',
  [`${S}1.Capabilities.HDMI.CECSupport`]: 'true',
  [`${S}1.Components.AudioDecoder.1.Name`]: 'Main audio',
  [`${S}1.Components.AudioDecoder.1.AudioStandard`]: 'MPEG4-AAC-LC',
  [`${S}1.Components.AudioDecoder.2.Name`]: 'Secondary audio',
  [`${S}1.Components.AudioDecoder.2.AudioStandard`]: 'DOLBY-AC3',
  [`${S}1.Components.VideoDecoder.1.Name`]: 'Main video',
  [`${S}1.Components.HDMI.1.Name`]: 'HDMI',
  [`${S}1.AVPlayers.ActiveAVPlayers`]: '1',
  [`${S}1.AVPlayers.AVPlayer.1.Name`]: 'Main player',
  [`${S}1.AVPlayers.AVPlayer.1.AudioLanguage`]: 'eng',
  [`${S}1.AVPlayers.AVPlayer.1.AudioOutputs`]: '',
  [`${S}1.AVPlayers.AVPlayer.1.MainStream`]: `${S}1.AVStreams.AVStream.1`,
  [`${S}1.Capabilities.FrontEnd.IP.MaxActiveIPStreams`]: '2',
  [`${S}1.Capabilities.FrontEnd.IP.MaxActiveInboundIPStreams`]: '2',
  [`${S}1.Capabilities.FrontEnd.IP.MaxActiveOutboundIPStreams`]: '0',
  [`${S}1.Capabilities.FrontEnd.IP.StreamingControlProtocols`]: 'RTSP,IGMP',
  [`${S}1.Capabilities.FrontEnd.IP.StreamingTransportProtocols`]: 'RTP,UDP',
  [`${S}1.Capabilities.FrontEnd.IP.StreamingTransportControlProtocols`]: 'RTCP',
  [`${S}1.Capabilities.FrontEnd.IP.DownloadTransportProtocols`]: 'HTTP',
  [`${S}1.Capabilities.FrontEnd.IP.MultiplexTypes`]: 'MPEG2-TS',
  [`${S}1.Capabilities.FrontEnd.IP.MaxDejitteringBufferSize`]: '2048',
  [`${S}1.Capabilities.PVR.MaxIOStreams`]: '3',
  [`${S}1.Capabilities.PVR.MaxRecordingStreams`]: '2',
  [`${S}1.Capabilities.PVR.MaxPlaybackStreams`]: '1',
  [`${S}1.Capabilities.PVR.MaxTimeDelay`]: '3600',
  [`${S}1.Capabilities.AudioOutput.AudioFormats`]: 'HDMI,DIGITAL-OPTICAL-SP',
  [`${S}1.Capabilities.VideoOutput.CompositeVideoStandards`]: '',
  [`${S}1.Capabilities.VideoOutput.VideoFormats`]: 'HDMI',
  [`${S}1.Capabilities.VideoOutput.Macrovision`]: '',
  [`${S}1.Capabilities.VideoOutput.HDCP`]: '2.2',
  [`${S}1.Capabilities.VideoOutput.DisplayFormats`]: '16:9',
  [`${S}1.Capabilities.CA.CASystems`]: 'Simulated CA',
  [`${S}1.Capabilities.DRM.DRMSystems`]: 'Simulated DRM',
  [`${S}1.Components.FrontEnd.1.Name`]: 'IP front end',
  [`${S}1.Components.FrontEnd.1.Status`]: 'Enabled',
  [`${S}1.Components.PVR.Storage.1.Reference`]: 'Device.Services.StorageService.1.LogicalVolume.1',
  [`${S}1.Components.AudioOutput.1.Name`]: 'HDMI audio',
  [`${S}1.Components.AudioOutput.1.Status`]: 'Enabled',
  [`${S}1.Components.AudioOutput.1.AudioFormat`]: 'HDMI',
  [`${S}1.Components.AudioOutput.1.SCARTs`]: '',
  [`${S}1.Components.AudioOutput.2.Name`]: 'Optical S/PDIF',
  [`${S}1.Components.AudioOutput.2.Status`]: 'Enabled',
  [`${S}1.Components.AudioOutput.2.AudioFormat`]: 'DIGITAL-OPTICAL-SP',
  [`${S}1.Components.AudioOutput.2.SCARTs`]: '',
  [`${S}1.Components.VideoOutput.1.Name`]: 'HDMI video',
  [`${S}1.Components.VideoOutput.1.Status`]: 'Enabled',
  [`${S}1.Components.VideoOutput.1.HDCP`]: 'true',
  [`${S}1.Components.VideoOutput.1.SCARTs`]: '',
  [`${S}1.Components.CA.1.Name`]: 'Simulated CA',
  [`${S}1.Components.CA.1.Status`]: 'Enabled',
  [`${S}1.Components.CA.1.SmartCardReader`]: '',
  [`${S}1.Components.DRM.1.Name`]: 'Simulated DRM',
  [`${S}1.Components.DRM.1.Status`]: 'Enabled',
};

const PVR_CYCLE = ['Play', 'Play', 'Paused', 'Play', 'FastForward', 'Play', 'Stopped'];

/** The same tables on every simulated box. */
const TABLES: Readonly<Record<string, readonly number[]>> = {
  [S]: [1],
  [`${S}1.Components.AudioDecoder.`]: [1, 2],
  [`${S}1.Components.VideoDecoder.`]: [1],
  [`${S}1.Components.HDMI.`]: [1],
  [`${S}1.AVStreams.AVStream.`]: [1, 2],
  [`${S}1.AVPlayers.AVPlayer.`]: [1],
  [`${S}1.Components.FrontEnd.`]: [1],
  [`${S}1.Components.PVR.Storage.`]: [1],
  [`${S}1.Components.AudioOutput.`]: [1, 2],
  [`${S}1.Components.VideoOutput.`]: [1],
  [`${S}1.Components.CA.`]: [1],
  [`${S}1.Components.DRM.`]: [1],
};

/** The simulated STB's rows: fixed, so known without building its provider. */
export function stbInstances(tablePath: string): number[] | undefined {
  const rows = TABLES[tablePath];
  return rows ? [...rows] : undefined;
}

export function simulatedStbProvider(seed: string, upSeconds: () => number): Provider {
  const h = seedDigest(`stb:${seed}`);
  const pvrState = (n: number): string => PVR_CYCLE[Math.floor((upSeconds() + n * 97 + h[1]!) / 45) % PVR_CYCLE.length]!;
  const streamActive = (n: number): number => (n === 1 || pvrState(n) !== 'Stopped' ? 1 : 0);
  // What moves or differs per box, computed on read (no per-device table of getters).
  const dynamic = (path: string): string | undefined => {
    if (path === `${S}1.Components.VideoDecoder.1.ContentAspectRatio`) return h[0]! % 4 === 0 ? '4:3' : '16:9';
    if (path === `${S}1.AVStreams.ActiveAVStreams`) return String(streamActive(1) + streamActive(2));
    const m = /^Device\.Services\.STBService\.1\.AVStreams\.AVStream\.([12])\.(\w+)$/.exec(path);
    if (!m) return undefined;
    const n = Number(m[1]);
    switch (m[2]) {
      case 'Name':
        return `Stream ${n}`;
      case 'PVRState':
        return pvrState(n);
      case 'Status':
        return streamActive(n) ? 'Enabled' : 'Disabled';
      case 'AudioDecoder':
        return `${S}1.Components.AudioDecoder.${n}`;
      case 'VideoDecoder':
        return n === 1 ? `${S}1.Components.VideoDecoder.1` : '';
      default:
        return undefined;
    }
  };
  return {
    objects: STB_OBJECTS,
    instances: stbInstances,
    get: (path) => STATIC[path] ?? dynamic(path),
    // Like many boxes, this one rebuilds its video pipeline for a new output format only at boot.
    set: (path) => (/^Device\.Services\.STBService\.1\.Components\.VideoOutput\.\d+\.VideoFormat$/.test(path) ? 'reboot' : undefined),
  };
}
