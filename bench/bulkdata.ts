/**
 * Bulk Data: what a report costs the device side. A fleet in this process, every device with a
 * JSON profile of a few live values, reports to the test ACS's collector in its own process at a
 * fixed rate; CPU per report is this process's CPU over the reports delivered. Baseline in the
 * same run: one bare HTTP POST of a report-sized body per fresh connection, at the same rate.
 */
import http from 'node:http';
import { startAcsProcess } from './acs-process.js';
import { benchFleet } from './fleet.js';

const DEVICES = Number(process.env['BENCH_BULK_DEVICES'] ?? 2000);
const INTERVAL = Number(process.env['BENCH_BULK_INTERVAL'] ?? 2);
const SECONDS = Number(process.env['BENCH_BULK_SECONDS'] ?? 10);

function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: '/bulkdata/baseline', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `rate` POSTs a second for SECONDS, each on a fresh connection: CPU per POST. */
async function baseline(url: URL, body: string, rate: number): Promise<{ perSecond: number; cpuMsPer: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  const pending: Promise<void>[] = [];
  while (performance.now() - t0 < SECONDS * 1000) {
    const due = t0 + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(post(url, body));
    n++;
  }
  await Promise.all(pending);
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: n / ((performance.now() - t0) / 1000), cpuMsPer: (cpu.user + cpu.system) / 1000 / n };
}

export async function runBulkDataBench(): Promise<void> {
  const acs = await startAcsProcess(['--max-sessions', '200']);
  const rate = DEVICES / INTERVAL;
  try {
    const url = new URL(acs.url);
    const sample = JSON.stringify({
      Report: [
        {
          CollectionTime: 1764547200,
          'Device.DeviceInfo.UpTime': 1234,
          'Device.DeviceInfo.MemoryStatus.Total': 524288,
          'Device.DeviceInfo.MemoryStatus.Free': 262144,
          'Device.IP.Interface.1.Status': 'Up',
          'Device.IP.Interface.2.Status': 'Up',
        },
      ],
    });
    console.log(`bulkdata: ${DEVICES} devices reporting every ${INTERVAL} s (${rate} reports/s) to the test ACS in its own process; ${SECONDS} s per figure`);
    const b = await baseline(url, sample, rate);
    console.log(`  baseline: a bare POST of a report-sized body per fresh connection: ${b.perSecond.toFixed(0)} /s   ${b.cpuMsPer.toFixed(3)} ms CPU each`);
    // No periodic Informs while measuring: the reports are the load.
    const fleet = benchFleet(acs.url, DEVICES, { periodicInformInterval: 86_400 });
    await fleet.start();
    await new Promise<void>((resolve) => {
      const check = (): void => (fleet.stats.bootstrapped.size >= DEVICES ? resolve() : void setTimeout(check, 200));
      check();
    });
    const P = 'Device.BulkData.Profile.1.';
    for (const m of fleet.members) {
      const model = m.agent!.model;
      const key = m.agent!.ms.parameterKey;
      model.addObject('Device.BulkData.Profile.', key, 'bench');
      model.addObject(`${P}Parameter.`, key, 'bench');
      model.addObject(`${P}Parameter.`, key, 'bench');
      model.addObject(`${P}Parameter.`, key, 'bench');
      const s = (name: string, value: string) => ({ name, value });
      model.setParameterValues(
        [
          s(`${P}Parameter.1.Reference`, 'Device.DeviceInfo.UpTime'),
          s(`${P}Parameter.2.Reference`, 'Device.DeviceInfo.MemoryStatus.'),
          s(`${P}Parameter.3.Reference`, 'Device.IP.Interface.*.Status'),
          s(`${P}HTTP.URL`, new URL('/bulkdata/fleet', acs.url).toString()),
          s(`${P}JSONEncoding.ReportFormat`, 'NameValuePair'),
          s(`${P}ReportingInterval`, String(INTERVAL)),
          s(`${P}Enable`, 'true'),
          s('Device.BulkData.Enable', 'true'),
        ],
        key,
        'bench',
      );
    }
    const sent = (): number => fleet.members.reduce((n, m) => n + (m.bulkData?.collector?.counts.sent ?? 0), 0);
    const failed = (): number => fleet.members.reduce((n, m) => n + (m.bulkData?.collector?.counts.failed ?? 0), 0);
    // One interval to settle, then measure.
    await new Promise((r) => setTimeout(r, INTERVAL * 1000 + 500));
    const n0 = sent();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const cpu = process.cpuUsage(cpu0);
    const n = sent() - n0;
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `  fleet: ${(n / secs).toFixed(0)} reports/s delivered (${failed()} failed)   ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms CPU each, collection and encoding included   (${(((cpu.user + cpu.system) / 1000 / 1000 / secs) * 100).toFixed(0)}% of one core)`,
    );
    await fleet.stop();
  } finally {
    acs.stop();
  }
}
