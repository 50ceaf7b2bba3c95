/**
 * A simulated set-top box for TR-135: one STBService with two audio decoders, a video decoder,
 * an HDMI output, two AV streams and a player. Streams move through PVR states with uptime, so
 * an ACS watching them sees plausible, changing values. Deterministic per seed.
 */
import { createHash } from 'node:crypto';
import type { Provider } from '../datamodel/provider.js';

const S = 'Device.Services.STBService.';
const PVR_CYCLE = ['Play', 'Play', 'Paused', 'Play', 'FastForward', 'Play', 'Stopped'];

export function simulatedStbProvider(seed: string, upSeconds: () => number): Provider {
  const h = createHash('sha256').update(`stb:${seed}`).digest();
  const tables: Record<string, number[]> = {
    [S]: [1],
    [`${S}1.Components.AudioDecoder.`]: [1, 2],
    [`${S}1.Components.VideoDecoder.`]: [1],
    [`${S}1.Components.HDMI.`]: [1],
    [`${S}1.AVStreams.AVStream.`]: [1, 2],
    [`${S}1.AVPlayers.AVPlayer.`]: [1],
  };
  const values: Record<string, () => string> = {
    [`${S}1.Capabilities.MaxActiveAVStreams`]: () => '2',
    [`${S}1.Capabilities.MaxActiveAVPlayers`]: () => '1',
    [`${S}1.Capabilities.AudioDecoder.AudioStandards`]: () => 'MPEG2-AAC-LC,MPEG4-AAC-LC,DOLBY-AC3',
    [`${S}1.Capabilities.VideoDecoder.VideoStandards`]: () => 'MPEG2-Part2,MPEG4-Part10',
    [`${S}1.Capabilities.HDMI.SupportedResolutions`]: () => '1280x720p/50Hz,1920x1080i/50Hz,1920x1080p/50Hz',
    [`${S}1.Capabilities.HDMI.CECSupport`]: () => 'true',
    [`${S}1.Components.AudioDecoder.1.Name`]: () => 'Main audio',
    [`${S}1.Components.AudioDecoder.1.AudioStandard`]: () => 'MPEG4-AAC-LC',
    [`${S}1.Components.AudioDecoder.2.Name`]: () => 'Secondary audio',
    [`${S}1.Components.AudioDecoder.2.AudioStandard`]: () => 'DOLBY-AC3',
    [`${S}1.Components.VideoDecoder.1.Name`]: () => 'Main video',
    [`${S}1.Components.VideoDecoder.1.ContentAspectRatio`]: () => (h[0]! % 4 === 0 ? '4:3' : '16:9'),
    [`${S}1.Components.HDMI.1.Name`]: () => 'HDMI',
    [`${S}1.AVStreams.ActiveAVStreams`]: () => String(streamActive(1) + streamActive(2)),
    [`${S}1.AVPlayers.ActiveAVPlayers`]: () => '1',
    [`${S}1.AVPlayers.AVPlayer.1.Name`]: () => 'Main player',
    [`${S}1.AVPlayers.AVPlayer.1.AudioLanguage`]: () => 'eng',
    [`${S}1.AVPlayers.AVPlayer.1.AudioOutputs`]: () => '',
    [`${S}1.AVPlayers.AVPlayer.1.MainStream`]: () => `${S}1.AVStreams.AVStream.1`,
  };
  const pvrState = (n: number): string => PVR_CYCLE[Math.floor((upSeconds() + n * 97 + h[1]!) / 45) % PVR_CYCLE.length]!;
  const streamActive = (n: number): number => (n === 1 || pvrState(n) !== 'Stopped' ? 1 : 0);
  for (const n of [1, 2]) {
    values[`${S}1.AVStreams.AVStream.${n}.Name`] = () => `Stream ${n}`;
    values[`${S}1.AVStreams.AVStream.${n}.PVRState`] = () => pvrState(n);
    values[`${S}1.AVStreams.AVStream.${n}.Status`] = () => (streamActive(n) ? 'Enabled' : 'Disabled');
    values[`${S}1.AVStreams.AVStream.${n}.AudioDecoder`] = () => `${S}1.Components.AudioDecoder.${n}`;
    values[`${S}1.AVStreams.AVStream.${n}.VideoDecoder`] = () => (n === 1 ? `${S}1.Components.VideoDecoder.1` : '');
  }
  return {
    objects: [S],
    instances: (tablePath) => tables[tablePath],
    get: (path) => values[path]?.(),
  };
}
