/**
 * TR-135 ServiceMonitoring for the simulated STB: sample sets computed, not stored. Sample n of
 * a main stream covers [start + n·SampleInterval, start + (n+1)·SampleInterval) and its values
 * follow from the device's seed and n, so a read at any moment gives the last ReportSamples
 * complete samples (plus a partial one after ForceSample), totals since the last reset, and the
 * report window. With a clock, SampleState passes through Trigger every FetchSamples intervals,
 * which the agent reports as a value change.
 */
import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { formatDateTime } from '../cwmp/xml-text.js';
import type { Provider } from '../datamodel/provider.js';

export const SERVICE_MONITORING_OBJECTS: readonly string[] = [
  'Device.Services.STBService.{i}.ServiceMonitoring.',
  'Device.Services.STBService.{i}.Capabilities.ServiceMonitoring.',
];

const SM = 'Device.Services.STBService.1.ServiceMonitoring.';
const UNKNOWN_TIME = '0001-01-01T00:00:00Z';
const STREAMS = [1, 2];

interface SampleValues {
  seconds: number;
  rtpExpected: number;
  rtpReceived: number;
  rtpLost: number;
  lossEvents: number;
  videoDecoded: number;
  videoLost: number;
  videoConcealed: number;
  audioDecoded: number;
  audioErrors: number;
}

/** One sample's statistics: about 350 RTP packets and 25 video frames a second, with occasional loss. */
function sample(seed: Buffer, stream: number, n: number, seconds: number): SampleValues {
  const h = createHash('sha256').update(seed).update(`${stream}:${n}`).digest();
  const expected = Math.round(seconds * (340 + (h[0]! % 20)));
  const lost = h[1]! < 40 ? h[2]! % Math.max(1, Math.round(seconds)) : 0;
  return {
    seconds,
    rtpExpected: expected,
    rtpReceived: expected - lost,
    rtpLost: lost,
    lossEvents: lost > 0 ? 1 + (h[3]! % 2) : 0,
    videoDecoded: Math.max(0, Math.round(seconds * 25) - lost),
    videoLost: Math.min(lost, 3),
    videoConcealed: lost,
    audioDecoded: Math.round(seconds * 46.875),
    audioErrors: lost > 2 ? 1 : 0,
  };
}

const SAMPLE_FIELDS: Record<string, keyof SampleValues> = {
  'Sample.SampleSeconds': 'seconds',
  'Sample.RTPStats.SampleSeconds': 'seconds',
  'Sample.RTPStats.PacketsExpected': 'rtpExpected',
  'Sample.RTPStats.PacketsReceived': 'rtpReceived',
  'Sample.RTPStats.PacketsLost': 'rtpLost',
  'Sample.RTPStats.LossEvents': 'lossEvents',
  'Sample.VideoDecoderStats.SampleSeconds': 'seconds',
  'Sample.VideoDecoderStats.DecodedFrames': 'videoDecoded',
  'Sample.VideoDecoderStats.LostFrames': 'videoLost',
  'Sample.VideoDecoderStats.ConcealedFrames': 'videoConcealed',
  'Sample.AudioDecoderStats.SampleSeconds': 'seconds',
  'Sample.AudioDecoderStats.DecodedFrames': 'audioDecoded',
  'Sample.AudioDecoderStats.DecodingErrors': 'audioErrors',
};

const TOTAL_FIELDS: Record<string, keyof SampleValues> = {
  'Total.TotalSeconds': 'seconds',
  'Total.RTPStats.TotalSeconds': 'seconds',
  'Total.RTPStats.PacketsExpected': 'rtpExpected',
  'Total.RTPStats.PacketsReceived': 'rtpReceived',
  'Total.RTPStats.PacketsLost': 'rtpLost',
  'Total.RTPStats.LossEvents': 'lossEvents',
  'Total.VideoDecoderStats.TotalSeconds': 'seconds',
  'Total.VideoDecoderStats.DecodedFrames': 'videoDecoded',
  'Total.VideoDecoderStats.LostFrames': 'videoLost',
  'Total.VideoDecoderStats.ConcealedFrames': 'videoConcealed',
  'Total.AudioDecoderStats.TotalSeconds': 'seconds',
  'Total.AudioDecoderStats.DecodedFrames': 'audioDecoded',
  'Total.AudioDecoderStats.DecodingErrors': 'audioErrors',
};

export function serviceMonitoringProvider(seed: string, now: () => number, clock?: Clock): Provider {
  const seedBytes = createHash('sha256').update(`sm:${seed}`).digest();
  let read: (path: string) => string = () => '';
  let push: ((paths: string[]) => void) | undefined;
  /** When sampling was (last) enabled, and each stream's Total.Reset. */
  let enabledAt: number | undefined;
  let forcedAt: number | undefined;
  const totalsFrom = new Map<number, number>();
  let trigger: TimerHandle | undefined;

  const setting = (name: string): string => read(`${SM}${name}`);
  const intervalMs = (): number => Math.max(1, Number(setting('SampleInterval')) || 0) * 1000;
  const enabled = (): boolean => setting('SampleEnable') === 'true';
  const streamEnabled = (s: number): boolean => read(`${SM}MainStream.${s}.Enable`) === 'true';
  /** Samples start at the first TimeReference boundary after enabling (or at enabling). */
  const start = (): number => {
    const at = enabledAt ?? now();
    const ref = Date.parse(setting('TimeReference'));
    if (setting('TimeReference') === UNKNOWN_TIME || !Number.isFinite(ref)) return at;
    const i = intervalMs();
    return ref + Math.ceil((at - ref) / i) * i;
  };
  const completed = (): number => Math.max(0, Math.floor((now() - start()) / intervalMs()));
  const reported = (): { first: number; last: number } => {
    const keep = Math.max(1, Number(setting('ReportSamples')) || 1);
    const last = completed();
    return { first: Math.max(0, last - keep), last };
  };
  const samplesOf = (s: number): SampleValues[] => {
    if (!enabled() || !streamEnabled(s)) return [];
    const { first, last } = reported();
    const out: SampleValues[] = [];
    for (let n = first; n < last; n++) out.push(sample(seedBytes, s, n, intervalMs() / 1000));
    // ForceSample: the interval in progress is reported as a partial sample.
    const partialStart = start() + last * intervalMs();
    if (forcedAt !== undefined && forcedAt > partialStart) out.push(sample(seedBytes, s, last, Math.round((forcedAt - partialStart) / 1000)));
    return out;
  };
  const totalOf = (s: number, field: keyof SampleValues): number => {
    if (!enabled() || !streamEnabled(s)) return 0;
    const from = totalsFrom.get(s) ?? start();
    const i = intervalMs();
    let sum = 0;
    for (let n = Math.max(0, Math.floor((from - start()) / i)); n < completed(); n++) sum += sample(seedBytes, s, n, i / 1000)[field];
    return sum;
  };
  const armTrigger = (): void => {
    trigger?.cancel();
    trigger = undefined;
    const fetch = Number(setting('FetchSamples')) || 0;
    const keep = Number(setting('ReportSamples')) || 0;
    if (!clock || !enabled() || fetch < 1 || fetch > keep) return;
    const every = fetch * intervalMs();
    const due = start() + (Math.floor((now() - start()) / every) + 1) * every;
    trigger = clock.setTimer(Math.max(0, due - now()), () => {
      push?.([`${SM}SampleState`]);
      armTrigger();
    });
  };

  return {
    objects: SERVICE_MONITORING_OBJECTS,
    instances: (t) => (t === `${SM}MainStream.` ? STREAMS : undefined),
    attach(reader) {
      read = reader;
      if (enabled()) enabledAt = now();
      armTrigger();
    },
    subscribe(changed) {
      push = changed;
      return () => {
        push = undefined;
        trigger?.cancel();
      };
    },
    set(path, value) {
      if (path === `${SM}SampleEnable`) {
        enabledAt = value === 'true' ? now() : undefined;
        forcedAt = undefined;
        totalsFrom.clear();
      } else if (path === `${SM}ForceSample` && value === 'true') {
        forcedAt = now();
      } else {
        const reset = /^Device\.Services\.STBService\.1\.ServiceMonitoring\.MainStream\.(\d+)\.Total\.Reset$/.exec(path);
        if (reset && value === 'true') totalsFrom.set(Number(reset[1]), start() + completed() * intervalMs());
      }
      // Settings apply once stored; the trigger timer follows them.
      queueMicrotask(armTrigger);
    },
    get(path) {
      if (path.startsWith('Device.Services.STBService.1.Capabilities.ServiceMonitoring.')) {
        return ({ ServiceTypes: 'IPTV', MaxActiveMainStreams: '2', MinSampleInterval: '1', MaxReportSamples: '96' } as Record<string, string>)[
          path.slice(path.lastIndexOf('.') + 1)
        ];
      }
      if (!path.startsWith(SM)) return undefined;
      const rest = path.slice(SM.length);
      switch (rest) {
        case 'SampleState':
          return enabled() ? 'Enabled' : 'Disabled';
        case 'ForceSample':
          return 'false';
        case 'ReportStartTime':
        case 'ReportEndTime': {
          if (!enabled() || completed() === 0) return UNKNOWN_TIME;
          const { first, last } = reported();
          return formatDateTime(new Date(start() + (rest === 'ReportStartTime' ? first : last) * intervalMs()));
        }
      }
      const m = /^MainStream\.(\d+)\.(.+)$/.exec(rest);
      if (!m || !STREAMS.includes(Number(m[1]))) return undefined;
      const s = Number(m[1]);
      const field = m[2]!;
      if (field === 'Status') return streamEnabled(s) ? 'Enabled' : 'Disabled';
      if (field === 'AVStream') return `Device.Services.STBService.1.AVStreams.AVStream.${s}`;
      if (field === 'Total.Reset') return 'false';
      if (field === 'Total.ResetTime') return String(Math.max(0, Math.floor((now() - (totalsFrom.get(s) ?? start())) / 1000)));
      if (field === 'Sample.SignificantChanges')
        return samplesOf(s)
          .map(() => '0')
          .join(',');
      const sampleField = SAMPLE_FIELDS[field];
      if (sampleField)
        return samplesOf(s)
          .map((v) => String(v[sampleField]))
          .join(',');
      const totalField = TOTAL_FIELDS[field];
      if (totalField) return String(totalOf(s, totalField));
      return undefined;
    },
  };
}
