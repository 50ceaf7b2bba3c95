/**
 * TR-135 STBService:1.4 under TR-181's Device.Services: capabilities, the decoders and HDMI
 * outputs, the AV streams and players a set-top box has. Names, types and access follow
 * tr-135-1-4-1-cwmp-full.xml. The instances belong to the device (its provider), so the ACS
 * cannot add or delete them.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const STB = 'Device.Services.STBService.{i}.';
const CAP = `${STB}Capabilities.`;
const COMP = `${STB}Components.`;
const AD = `${COMP}AudioDecoder.{i}.`;
const VD = `${COMP}VideoDecoder.{i}.`;
const HDMI = `${COMP}HDMI.{i}.`;
const AVS = `${STB}AVStreams.AVStream.{i}.`;
const AVP = `${STB}AVPlayers.AVPlayer.{i}.`;

export const STB_TABLES: readonly TableDefinition[] = [STB, AD, VD, HDMI, AVS, AVP].map((name) => ({ name, writable: false }));

const STATUS = ['Disabled', 'Enabled', 'Error'] as const;
const ro = (name: string, type: ParameterDefinition['type'], extra: Partial<ParameterDefinition> = {}): ParameterDefinition => ({ name, type, writable: false, default: type === 'boolean' ? 'false' : type === 'string' ? '' : '0', ...extra });
const rw = (name: string, type: ParameterDefinition['type'], extra: Partial<ParameterDefinition> = {}): ParameterDefinition => ({ ...ro(name, type, extra), writable: true });
const component = (base: string): ParameterDefinition[] => [
  rw(`${base}Enable`, 'boolean', { default: 'true' }),
  ro(`${base}Status`, 'string', { enumeration: STATUS, default: 'Enabled' }),
  rw(`${base}Alias`, 'string', { maxLength: 64, activeNotify: 'canDeny' }),
  ro(`${base}Name`, 'string', { maxLength: 256 }),
];

export const STB_PARAMETERS: readonly ParameterDefinition[] = [
  ro('Device.Services.STBServiceNumberOfEntries', 'unsignedInt', { countOf: STB }),
  rw(`${STB}Enable`, 'boolean', { default: 'true' }),
  rw(`${STB}Alias`, 'string', { maxLength: 64, activeNotify: 'canDeny' }),
  ro(`${CAP}MaxActiveAVStreams`, 'int', { min: -1 }),
  ro(`${CAP}MaxActiveAVPlayers`, 'int', { min: -1 }),
  ro(`${CAP}AudioDecoder.AudioStandards`, 'string'),
  ro(`${CAP}VideoDecoder.VideoStandards`, 'string'),
  ro(`${CAP}HDMI.SupportedResolutions`, 'string'),
  ro(`${CAP}HDMI.CECSupport`, 'boolean'),
  ro(`${COMP}AudioDecoderNumberOfEntries`, 'unsignedInt', { countOf: AD }),
  ro(`${COMP}VideoDecoderNumberOfEntries`, 'unsignedInt', { countOf: VD }),
  ro(`${COMP}HDMINumberOfEntries`, 'unsignedInt', { countOf: HDMI }),
  ...component(AD),
  ro(`${AD}AudioStandard`, 'string'),
  ...component(VD),
  ro(`${VD}ContentAspectRatio`, 'string', { enumeration: ['4:3', '16:9'], default: '16:9' }),
  ...component(HDMI),
  rw(`${HDMI}ResolutionMode`, 'string', { enumeration: ['Auto', 'Manual'], default: 'Auto' }),
  rw(`${HDMI}ResolutionValue`, 'string'),
  ro(`${STB}AVStreams.ActiveAVStreams`, 'unsignedInt'),
  ro(`${STB}AVStreams.AVStreamNumberOfEntries`, 'unsignedInt', { countOf: AVS }),
  ro(`${AVS}Status`, 'string', { enumeration: ['Disabled', 'Enabled', 'Error_PVRWriteFailure', 'Error_PVRReadFailure', 'Error'], default: 'Enabled' }),
  rw(`${AVS}Alias`, 'string', { maxLength: 64, activeNotify: 'canDeny' }),
  ro(`${AVS}Name`, 'string', { maxLength: 256 }),
  ro(`${AVS}PVRState`, 'string', { enumeration: ['Disabled', 'Stopped', 'Play', 'Paused', 'FastForward', 'Rewind'], default: 'Disabled' }),
  ...['FrontEnd', 'Inbound', 'Outbound', 'AudioDecoder', 'VideoDecoder'].map((p) => ro(`${AVS}${p}`, 'string', { maxLength: 256 })),
  ro(`${STB}AVPlayers.ActiveAVPlayers`, 'unsignedInt'),
  ro(`${STB}AVPlayers.AVPlayerNumberOfEntries`, 'unsignedInt', { countOf: AVP }),
  rw(`${STB}AVPlayers.PreferredAudioLanguage`, 'string', { maxLength: 64 }),
  rw(`${STB}AVPlayers.PreferredSubtitlingLanguage`, 'string', { maxLength: 64 }),
  ...component(AVP),
  ro(`${AVP}AudioLanguage`, 'string', { maxLength: 64 }),
  ro(`${AVP}SubtitlingStatus`, 'string', { enumeration: STATUS, default: 'Disabled' }),
  ro(`${AVP}SubtitlingLanguage`, 'string', { maxLength: 64 }),
  ro(`${AVP}AudioOutputs`, 'string'),
  ro(`${AVP}MainStream`, 'string', { maxLength: 256 }),
  ro(`${AVP}PIPStreams`, 'string'),
];
