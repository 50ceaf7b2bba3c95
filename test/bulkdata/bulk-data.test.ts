/**
 * Bulk Data collection end to end: the ACS configures profiles over CWMP (AddObject,
 * SetParameterValues) and the agent's reports reach the collector beside the bundled test ACS,
 * in every encoding, with retries, retained reports and the TimeReference grid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AcsRequest, ParameterValueInput } from '../../src/cwmp/messages.js';
import { LazyBulkData, MAX_REPORT_VALUES } from '../../src/bulkdata/bulk-data-collector.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { sendRpcs, startHarness, sessionsCompleted, type Harness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';

/** Runs the manual clock to its next timer (a report due, a retry), as time would. */
function toNextTimer(h: Harness): void {
  const clock = h.clock as ManualClock;
  const next = clock.nextTimerIn();
  assert.ok(next !== undefined, 'a timer is armed');
  clock.advance(next);
}

const BD = 'Device.BulkData.';
const P = `${BD}Profile.1.`;

/** A session sending `rpcs`, none of which may fault. */
async function configure(h: Harness, ...rpcs: AcsRequest[]): Promise<void> {
  await sendRpcs(h, ...rpcs);
  const faults = h.acs.responses(h.serial).filter((r) => r.method === 'Fault');
  assert.equal(faults.length, 0, 'no RPC faulted');
}

const str = (name: string, value: string): ParameterValueInput => ({ name, value, type: 'string' });
const set = (h: Harness, ...list: ParameterValueInput[]) => configure(h, { method: 'SetParameterValues', parameterList: list, parameterKey: 'bd' });
const add = (objectName: string): AcsRequest => ({ method: 'AddObject', objectName, parameterKey: 'bd' });

/** A profile reporting every `interval` s to the collector, with the references given (name, reference, exclude). */
async function profile(h: Harness, interval: number, refs: [string, string, boolean?][], extra: ParameterValueInput[] = []): Promise<void> {
  await configure(h, add(`${BD}Profile.`), ...refs.map(() => add(`${P}Parameter.`)), add(`${P}HTTP.RequestURIParameter.`));
  await set(
    h,
    ...refs.flatMap(([name, reference, exclude], i) => [
      str(`${P}Parameter.${i + 1}.Name`, name),
      str(`${P}Parameter.${i + 1}.Reference`, reference),
      { name: `${P}Parameter.${i + 1}.Exclude`, value: String(exclude ?? false), type: 'boolean' },
    ]),
    str(`${P}HTTP.RequestURIParameter.1.Name`, 'sn'),
    str(`${P}HTTP.RequestURIParameter.1.Reference`, 'Device.DeviceInfo.SerialNumber'),
    str(`${P}HTTP.URL`, h.acs.bulkDataUrl('p1')),
    { name: `${P}ReportingInterval`, value: String(interval), type: 'unsignedInt' },
    ...extra,
    { name: `${P}Enable`, value: 'true', type: 'boolean' },
    { name: `${BD}Enable`, value: 'true', type: 'boolean' },
  );
}

async function withHarness(fn: (h: Harness) => Promise<void>, o: { manualClock?: boolean } = {}): Promise<void> {
  const h = await startHarness(o);
  const bulk = new LazyBulkData(h.agent);
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await fn(h);
  } finally {
    bulk.stop();
    await h.close();
  }
}

const REFS: [string, string, boolean?][] = [
  ['', 'Device.DeviceInfo.UpTime'],
  ['Mem', 'Device.DeviceInfo.MemoryStatus.'],
  ['', 'Device.DeviceInfo.MemoryStatus.Free', true],
  ['IfStatus', 'Device.IP.Interface.*.Status'],
  ['', 'Device.No.Such.Thing'],
];

test('JSON reports: NameValuePair then ObjectHierarchy gzipped; names, exclusions, wildcards, query parameters and headers', { timeout: 30_000 }, async () => {
  await withHarness(async (h) => {
    await profile(h, 1, REFS, [str(`${P}JSONEncoding.ReportFormat`, 'NameValuePair')]);
    assert.equal(await h.agent.model.read(`${BD}Status`), 'Enabled');
    await h.acs.waitFor(() => h.acs.bulkData.reports.length >= 2, 5000);
    const r = h.acs.bulkData.reports[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/bulkdata/p1');
    assert.equal(r.query['sn'], h.serial);
    assert.equal(r.headers['bbf-report-format'], 'NameValuePair');
    assert.match(String(r.headers['content-type']), /^application\/json; charset=UTF-8/);
    assert.ok(r.headers['date'], 'Date header (UseDateHeader defaults to true)');
    const report = (JSON.parse(r.body) as { Report: Record<string, unknown>[] }).Report;
    assert.equal(report.length, 1);
    const entry = report[0]!;
    assert.equal(typeof entry['CollectionTime'], 'number');
    assert.ok(Math.abs((entry['CollectionTime'] as number) - Date.now() / 1000) < 10);
    assert.equal(typeof entry['Device.DeviceInfo.UpTime'], 'number', 'unsignedInt as a JSON number');
    assert.ok('Mem.Total' in entry, 'a partial path under its Name');
    assert.ok(!('Mem.Free' in entry), 'an excluded parameter is left out');
    assert.equal(entry['IfStatus.1'], 'Up', 'a wildcard under Name plus the instance number');
    assert.ok(!Object.keys(entry).some((k) => k.includes('No.Such')), 'an unknown reference is left out');

    await set(h, str(`${P}JSONEncoding.ReportFormat`, 'ObjectHierarchy'), str(`${P}HTTP.Compression`, 'GZIP'), str(`${P}HTTP.Method`, 'PUT'));
    const from = h.acs.bulkData.reports.length;
    await h.acs.waitFor(() => h.acs.bulkData.reports.slice(from).some((x) => x.headers['bbf-report-format'] === 'ObjectHierarchy'), 5000);
    const o = h.acs.bulkData.reports.slice(from).find((x) => x.headers['bbf-report-format'] === 'ObjectHierarchy')!;
    assert.equal(o.headers['content-encoding'], 'gzip');
    assert.equal(o.method, 'PUT');
    const tree = (JSON.parse(o.body) as { Report: { Device: { DeviceInfo: { UpTime: number } }; Mem: Record<string, unknown> }[] }).Report[0]!;
    assert.equal(typeof tree.Device.DeviceInfo.UpTime, 'number');
    assert.ok('Total' in tree.Mem && !('Free' in tree.Mem));
  });
});

test('CSV reports: ParameterPerRow and ParameterPerColumn, with the separators and timestamps the profile sets', { timeout: 30_000 }, async () => {
  await withHarness(async (h) => {
    await profile(h, 1, REFS.slice(0, 2), [
      str(`${P}EncodingType`, 'CSV'),
      str(`${P}CSVEncoding.ReportFormat`, 'ParameterPerRow'),
      str(`${P}CSVEncoding.RowTimestamp`, 'ISO-8601'),
    ]);
    await h.acs.waitFor(() => h.acs.bulkData.reports.length >= 1, 5000);
    const rows = h.acs.bulkData.reports[0]!.body.split('\r\n');
    assert.equal(h.acs.bulkData.reports[0]!.headers['bbf-report-format'], 'ParameterPerRow');
    assert.match(String(h.acs.bulkData.reports[0]!.headers['content-type']), /^text\/csv; charset=UTF-8; header=present/);
    assert.equal(rows[0], 'ReportTimestamp,ParameterName,ParameterValue,ParameterType');
    const upTime = rows.find((r) => r.includes(',Device.DeviceInfo.UpTime,'))!.split(',');
    assert.match(upTime[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(upTime[3], 'unsignedInt');
    assert.ok(rows.some((r) => r.split(',')[1] === 'Mem.Total'));

    await set(
      h,
      str(`${P}CSVEncoding.ReportFormat`, 'ParameterPerColumn'),
      str(`${P}CSVEncoding.FieldSeparator`, ';'),
      str(`${P}CSVEncoding.RowTimestamp`, 'None'),
    );
    const from = h.acs.bulkData.reports.length;
    await h.acs.waitFor(() => h.acs.bulkData.reports.slice(from).some((x) => x.headers['bbf-report-format'] === 'ParameterPerColumn'), 5000);
    const col = h.acs.bulkData.reports.slice(from).find((x) => x.headers['bbf-report-format'] === 'ParameterPerColumn')!;
    const [header, values] = col.body.split('\r\n');
    const names = header!.split(';');
    assert.equal(names[0], 'Device.DeviceInfo.UpTime', 'no timestamp column');
    assert.ok(names.includes('Mem.Total'));
    assert.equal(values!.split(';').length, names.length);
  });
});

test('a collector that fails: retries with back-off inside the interval, then the failed reports go with the next one', { timeout: 40_000 }, async () => {
  await withHarness(
    async (h) => {
      const clock = h.clock as ManualClock;
      const reports = h.acs.bulkData.reports;
      const reportsIn = (r: { body: string }) => (JSON.parse(r.body) as { Report: { CollectionTime: number }[] }).Report;
      h.acs.bulkData.status = 503;
      await profile(h, 4, REFS.slice(0, 1), [
        str(`${P}JSONEncoding.ReportFormat`, 'NameValuePair'),
        { name: `${P}HTTP.RetryEnable`, value: 'true', type: 'boolean' },
        { name: `${P}HTTP.RetryMinimumWaitInterval`, value: '1', type: 'unsignedInt' },
        { name: `${P}HTTP.RetryIntervalMultiplier`, value: '1000', type: 'unsignedInt' },
        { name: `${P}NumberOfRetainedFailedReports`, value: '3', type: 'int' },
      ]);
      // Each step runs the clock to the next timer (a retry or the next interval's report: each
      // sends one transmission) and waits for it, and, while refused, for the retry the device
      // arms after the 503 (1 s on: retries run within the 4 s interval).
      const step = async (): Promise<void> => {
        const count = reports.length;
        toNextTimer(h);
        await h.acs.waitFor(() => reports.length > count);
        if (h.acs.bulkData.status === 503) await until(() => ((clock.nextTimerIn() ?? Infinity) <= 1_000 ? true : undefined), 'the next try armed');
      };
      await step();
      await step();
      assert.deepEqual(
        reportsIn(reports[1]!).map((x) => x.CollectionTime),
        reportsIn(reports[0]!).map((x) => x.CollectionTime),
        'a retry sends the same report',
      );
      // On to the next interval's report: it carries the failed one before it (still refused).
      while (!reports.some((r) => reportsIn(r).length >= 2)) {
        assert.ok(reports.length < 20, 'the next interval came with its report and the retained one');
        await step();
      }
      h.acs.bulkData.status = 200;
      const before = reports.length;
      await step();
      const times = reportsIn(reports[before]!).map((x) => x.CollectionTime);
      assert.ok(times.length >= 2, `the delivered transmission holds the retained report too: ${times.join(',')}`);
      assert.ok(
        times.every((t, i) => i === 0 || t > times[i - 1]!),
        `oldest first: ${times.join(',')}`,
      );
    },
    { manualClock: true },
  );
});

test('TimeReference puts reports on its grid', { timeout: 30_000 }, async () => {
  await withHarness(
    async (h) => {
      await profile(h, 3, REFS.slice(0, 1), [
        str(`${P}JSONEncoding.ReportFormat`, 'NameValuePair'),
        { name: `${P}TimeReference`, value: '2026-01-01T00:00:01Z', type: 'dateTime' },
      ]);
      for (let n = 1; n <= 3; n++) {
        toNextTimer(h);
        await h.acs.waitFor(() => h.acs.bulkData.reports.length >= n);
      }
      const ref = Date.parse('2026-01-01T00:00:01Z') / 1000;
      const times = h.acs.bulkData.reports.map((r) => (JSON.parse(r.body) as { Report: { CollectionTime: number }[] }).Report[0]!.CollectionTime);
      for (const t of times) assert.equal((t - ref) % 3, 0, `CollectionTime ${t} on the 3 s grid from the reference`);
      assert.deepEqual(
        times.slice(1).map((t, i) => t - times[i]!),
        [3, 3],
        'one report per interval',
      );
    },
    { manualClock: true },
  );
});

test('PersistAcrossReboot: reports that failed before a restart go with the first report after it', { timeout: 40_000 }, async () => {
  const h = await startHarness();
  let bulk = new LazyBulkData(h.agent, { stateDir: h.stateDir });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    h.acs.bulkData.status = 503;
    await profile(h, 1, REFS.slice(0, 1), [
      str(`${P}JSONEncoding.ReportFormat`, 'NameValuePair'),
      { name: `${P}NumberOfRetainedFailedReports`, value: '-1', type: 'int' },
      { name: `${P}HTTP.PersistAcrossReboot`, value: 'true', type: 'boolean' },
    ]);
    const reportsIn = (r: { body: string }) => (JSON.parse(r.body) as { Report: { CollectionTime: number }[] }).Report;
    // Two intervals refused: the second transmission already carries the first report.
    await h.acs.waitFor(() => h.acs.bulkData.reports.some((r) => reportsIn(r).length >= 2), 10_000);
    const before = Math.max(...h.acs.bulkData.reports.map((r) => reportsIn(r).length));
    bulk.stop();
    const agent = await h.restart();
    h.acs.bulkData.status = 200;
    bulk = new LazyBulkData(agent, { stateDir: h.stateDir });
    const from = h.acs.bulkData.reports.length;
    await h.acs.waitFor(() => h.acs.bulkData.reports.length > from, 10_000);
    const delivered = reportsIn(h.acs.bulkData.reports[from]!);
    assert.ok(delivered.length >= before, `after the restart ${delivered.length} reports went, ${before} were kept before it`);
    const times = delivered.map((x) => x.CollectionTime);
    assert.ok(times[0]! < times.at(-1)!, `the kept ones first: ${times.join(',')}`);
  } finally {
    bulk.stop();
    await h.close();
  }
});

test('a profile at its accepted maximum (256 whole-tree references every second) costs one expansion per distinct reference and a bounded report', {
  timeout: 60_000,
}, async () => {
  await withHarness(async (h) => {
    const model = h.agent.model;
    const original = model.getParameterValues.bind(model);
    const expanded: string[] = [];
    model.getParameterValues = (names) => {
      expanded.push(...names);
      return original(names);
    };
    // 256 references: the whole tree, again and again, and a few other subtrees.
    const refs: [string, string][] = Array.from({ length: 256 }, (_v, i) => ['', i % 64 === 1 ? 'Device.DeviceInfo.' : 'Device.']);
    await profile(h, 1, refs, [str(`${P}JSONEncoding.ReportFormat`, 'NameValuePair')]);
    const from = expanded.length;
    await h.acs.waitFor(() => h.acs.bulkData.reports.length >= 2, 20_000);
    const report = (JSON.parse(h.acs.bulkData.reports[1]!.body) as { Report: Record<string, unknown>[] }).Report[0]!;
    const names = Object.keys(report).filter((k) => k !== 'CollectionTime');
    assert.ok(names.length > 100, `${names.length} values reported`);
    assert.ok(names.length <= MAX_REPORT_VALUES, `${names.length} values: at most ${MAX_REPORT_VALUES} a report`);
    // 2 distinct references: 2 expansions a collection (one more collection may be under way), not 256.
    const expansions = expanded.slice(from).filter((n) => n === 'Device.' || n === 'Device.DeviceInfo.').length;
    assert.ok(expansions <= 2 * (h.acs.bulkData.reports.length + 1), `${expansions} expansions for ${h.acs.bulkData.reports.length} reports`);
  });
});
