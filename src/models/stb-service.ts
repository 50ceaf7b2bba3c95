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
const ro = (name: string, type: ParameterDefinition['type'], extra: Partial<ParameterDefinition> = {}): ParameterDefinition => ({
  name,
  type,
  writable: false,
  default: type === 'boolean' ? 'false' : type === 'string' ? '' : '0',
  ...extra,
});
const rw = (name: string, type: ParameterDefinition['type'], extra: Partial<ParameterDefinition> = {}): ParameterDefinition => ({
  ...ro(name, type, extra),
  writable: true,
});
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

/**
 * TR-135 ServiceMonitoring: sample sets per main stream (RTP, video and audio decoder
 * statistics). TR-135 gives SampleInterval and ReportSamples no default, only a minimum of 1:
 * an hour and a day's worth here.
 */
export const SERVICE_MONITORING_TABLES: readonly TableDefinition[] = [{ name: `${STB}ServiceMonitoring.MainStream.{i}.`, writable: false }];

export const SERVICE_MONITORING_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${STB}Capabilities.ServiceMonitoring.ServiceTypes`, type: 'string', writable: false, default: 'IPTV' },
  { name: `${STB}Capabilities.ServiceMonitoring.MaxActiveMainStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.ServiceMonitoring.MinSampleInterval`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.ServiceMonitoring.MaxReportSamples`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}ServiceMonitoring.SampleEnable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}ServiceMonitoring.SampleState`, type: 'string', writable: false, default: 'Disabled', enumeration: ['Disabled', 'Enabled', 'Trigger'] },
  { name: `${STB}ServiceMonitoring.SampleInterval`, type: 'unsignedInt', writable: true, default: '3600', min: 1 },
  { name: `${STB}ServiceMonitoring.ReportSamples`, type: 'unsignedInt', writable: true, default: '24', min: 1 },
  { name: `${STB}ServiceMonitoring.FetchSamples`, type: 'unsignedInt', writable: true, default: '0' },
  { name: `${STB}ServiceMonitoring.TimeReference`, type: 'dateTime', writable: true, default: '0001-01-01T00:00:00Z' },
  { name: `${STB}ServiceMonitoring.ForceSample`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}ServiceMonitoring.ReportStartTime`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z' },
  { name: `${STB}ServiceMonitoring.ReportEndTime`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z' },
  {
    name: `${STB}ServiceMonitoring.MainStreamNumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.ServiceMonitoring.MainStream.{i}.',
  },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Enable`, type: 'boolean', writable: true, default: 'false' },
  {
    name: `${STB}ServiceMonitoring.MainStream.{i}.Status`,
    type: 'string',
    writable: false,
    default: 'Disabled',
    enumeration: ['Disabled', 'Enabled', 'Error'],
  },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.ServiceType`, type: 'string', writable: true, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.AVStream`, type: 'string', writable: false, default: '', maxLength: 256 },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.TotalSeconds`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.Reset`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.ResetTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.RTPStats.TotalSeconds`, type: 'unsignedInt', writable: false, default: '0' },
  {
    name: `${STB}ServiceMonitoring.MainStream.{i}.Total.RTPStats.PacketsExpected`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    activeNotify: 'canDeny',
  },
  {
    name: `${STB}ServiceMonitoring.MainStream.{i}.Total.RTPStats.PacketsReceived`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    activeNotify: 'canDeny',
  },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.RTPStats.PacketsLost`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.RTPStats.LossEvents`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.VideoDecoderStats.TotalSeconds`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.VideoDecoderStats.FrameRate`, type: 'unsignedInt', writable: false, default: '0' },
  {
    name: `${STB}ServiceMonitoring.MainStream.{i}.Total.VideoDecoderStats.DecodedFrames`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    activeNotify: 'canDeny',
  },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.VideoDecoderStats.LostFrames`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.VideoDecoderStats.ConcealedFrames`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.AudioDecoderStats.TotalSeconds`, type: 'unsignedInt', writable: false, default: '0' },
  {
    name: `${STB}ServiceMonitoring.MainStream.{i}.Total.AudioDecoderStats.DecodedFrames`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    activeNotify: 'canDeny',
  },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Total.AudioDecoderStats.DecodingErrors`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.SampleSeconds`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.SignificantChanges`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.RTPStats.SampleSeconds`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.RTPStats.PacketsExpected`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.RTPStats.PacketsReceived`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.RTPStats.PacketsLost`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.RTPStats.LossEvents`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.VideoDecoderStats.SampleSeconds`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.VideoDecoderStats.FrameRate`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.VideoDecoderStats.DecodedFrames`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.VideoDecoderStats.LostFrames`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.VideoDecoderStats.ConcealedFrames`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.AudioDecoderStats.SampleSeconds`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.AudioDecoderStats.DecodedFrames`, type: 'string', writable: false, default: '' },
  { name: `${STB}ServiceMonitoring.MainStream.{i}.Sample.AudioDecoderStats.DecodingErrors`, type: 'string', writable: false, default: '' },
];

/** TR-135 components and capabilities beyond the decoders: front end, PVR storage, audio and video outputs, CA and DRM. */
export const STB_COMPONENT_TABLES: readonly TableDefinition[] = [
  { name: `${STB}Components.FrontEnd.{i}.`, writable: false },
  { name: `${STB}Components.PVR.Storage.{i}.`, writable: false },
  { name: `${STB}Components.AudioOutput.{i}.`, writable: false },
  { name: `${STB}Components.VideoOutput.{i}.`, writable: false },
  { name: `${STB}Components.CA.{i}.`, writable: false },
  { name: `${STB}Components.DRM.{i}.`, writable: false },
];

export const STB_COMPONENT_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${STB}Capabilities.FrontEnd.IP.MaxActiveIPStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.FrontEnd.IP.MaxActiveInboundIPStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.FrontEnd.IP.MaxActiveOutboundIPStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.FrontEnd.IP.StreamingControlProtocols`, type: 'string', writable: false, default: 'RTSP' },
  { name: `${STB}Capabilities.FrontEnd.IP.StreamingTransportProtocols`, type: 'string', writable: false, default: 'UDP' },
  { name: `${STB}Capabilities.FrontEnd.IP.StreamingTransportControlProtocols`, type: 'string', writable: false, default: 'RTCP' },
  { name: `${STB}Capabilities.FrontEnd.IP.DownloadTransportProtocols`, type: 'string', writable: false, default: 'HTTP' },
  { name: `${STB}Capabilities.FrontEnd.IP.MultiplexTypes`, type: 'string', writable: false, default: 'None' },
  { name: `${STB}Capabilities.FrontEnd.IP.MaxDejitteringBufferSize`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.PVR.MaxIOStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.PVR.MaxRecordingStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.PVR.MaxPlaybackStreams`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.PVR.MaxTimeDelay`, type: 'int', writable: false, default: '0', min: -1 },
  { name: `${STB}Capabilities.AudioOutput.AudioFormats`, type: 'string', writable: false, default: 'ANALOG-MONO' },
  { name: `${STB}Capabilities.VideoOutput.CompositeVideoStandards`, type: 'string', writable: false, default: 'NTSC-J' },
  { name: `${STB}Capabilities.VideoOutput.VideoFormats`, type: 'string', writable: false, default: 'CVBS' },
  { name: `${STB}Capabilities.VideoOutput.Macrovision`, type: 'string', writable: false, default: '', maxLength: 32 },
  { name: `${STB}Capabilities.VideoOutput.HDCP`, type: 'string', writable: false, default: '', maxLength: 32 },
  { name: `${STB}Capabilities.VideoOutput.DisplayFormats`, type: 'string', writable: false, default: '' },
  { name: `${STB}Capabilities.CA.CASystems`, type: 'string', writable: false, default: '', maxLength: 1024 },
  { name: `${STB}Capabilities.DRM.DRMSystems`, type: 'string', writable: false, default: '', maxLength: 1024 },
  {
    name: `${STB}Components.FrontEndNumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.Components.FrontEnd.{i}.',
  },
  {
    name: `${STB}Components.AudioOutputNumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.Components.AudioOutput.{i}.',
  },
  {
    name: `${STB}Components.VideoOutputNumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.Components.VideoOutput.{i}.',
  },
  {
    name: `${STB}Components.CANumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.Components.CA.{i}.',
  },
  {
    name: `${STB}Components.DRMNumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.Components.DRM.{i}.',
  },
  { name: `${STB}Components.FrontEnd.{i}.Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}Components.FrontEnd.{i}.Status`, type: 'string', writable: false, default: 'Disabled', enumeration: ['Disabled', 'Enabled', 'Error'] },
  { name: `${STB}Components.FrontEnd.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}Components.FrontEnd.{i}.Name`, type: 'string', writable: false, default: '', maxLength: 256 },
  {
    name: `${STB}Components.PVR.StorageNumberOfEntries`,
    type: 'unsignedInt',
    writable: false,
    default: '0',
    countOf: 'Device.Services.STBService.{i}.Components.PVR.Storage.{i}.',
  },
  { name: `${STB}Components.PVR.Storage.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}Components.PVR.Storage.{i}.Reference`, type: 'string', writable: false, default: '', maxLength: 256 },
  { name: `${STB}Components.AudioOutput.{i}.Enable`, type: 'boolean', writable: true, default: 'false' },
  {
    name: `${STB}Components.AudioOutput.{i}.Status`,
    type: 'string',
    writable: false,
    default: 'Disabled',
    enumeration: ['Disabled', 'Enabled', 'Muted', 'Error'],
  },
  { name: `${STB}Components.AudioOutput.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}Components.AudioOutput.{i}.Name`, type: 'string', writable: false, default: '', maxLength: 256 },
  { name: `${STB}Components.AudioOutput.{i}.AudioFormat`, type: 'string', writable: false, default: '' },
  { name: `${STB}Components.AudioOutput.{i}.AudioLevel`, type: 'unsignedInt', writable: true, default: '0', min: 0, max: 100 },
  { name: `${STB}Components.AudioOutput.{i}.CancelMute`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}Components.AudioOutput.{i}.SCARTs`, type: 'string', writable: false, default: '', maxLength: 1024 },
  { name: `${STB}Components.VideoOutput.{i}.Enable`, type: 'boolean', writable: true, default: 'false' },
  {
    name: `${STB}Components.VideoOutput.{i}.Status`,
    type: 'string',
    writable: false,
    default: 'Disabled',
    enumeration: ['Disabled', 'Enabled', 'ColorbarEnabled', 'Error'],
  },
  { name: `${STB}Components.VideoOutput.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}Components.VideoOutput.{i}.Name`, type: 'string', writable: false, default: '', maxLength: 256 },
  { name: `${STB}Components.VideoOutput.{i}.CompositeVideoStandard`, type: 'string', writable: false, default: '' },
  { name: `${STB}Components.VideoOutput.{i}.VideoFormat`, type: 'string', writable: true, default: '' },
  {
    name: `${STB}Components.VideoOutput.{i}.AspectRatioBehaviour`,
    type: 'string',
    writable: false,
    default: 'None',
    enumeration: [
      'None',
      'Letterbox',
      '16:9 Letterbox',
      '14:9 Letterbox',
      'CenterCutOut',
      'Combined',
      'Combined 16:9 Letterbox and CenterCutOut',
      'Combined 14:9 Letterbox and CenterCutOut',
    ],
  },
  { name: `${STB}Components.VideoOutput.{i}.DisplayFormat`, type: 'string', writable: true, default: '' },
  { name: `${STB}Components.VideoOutput.{i}.Macrovision`, type: 'boolean', writable: false, default: 'false' },
  { name: `${STB}Components.VideoOutput.{i}.HDCP`, type: 'boolean', writable: false, default: 'false' },
  { name: `${STB}Components.VideoOutput.{i}.SCARTs`, type: 'string', writable: false, default: '', maxLength: 1024 },
  { name: `${STB}Components.CA.{i}.Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}Components.CA.{i}.Status`, type: 'string', writable: false, default: 'Disabled', enumeration: ['Disabled', 'Enabled', 'Error'] },
  { name: `${STB}Components.CA.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}Components.CA.{i}.Name`, type: 'string', writable: false, default: '', maxLength: 256 },
  { name: `${STB}Components.CA.{i}.SmartCardReader`, type: 'string', writable: false, default: '', maxLength: 256 },
  { name: `${STB}Components.DRM.{i}.Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${STB}Components.DRM.{i}.Status`, type: 'string', writable: false, default: 'Disabled', enumeration: ['Disabled', 'Enabled', 'Error'] },
  { name: `${STB}Components.DRM.{i}.Alias`, type: 'string', writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${STB}Components.DRM.{i}.Name`, type: 'string', writable: false, default: '', maxLength: 256 },
];
