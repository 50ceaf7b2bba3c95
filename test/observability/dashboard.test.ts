/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) while a fleet
 * runs: the device table shows the fleet (paged, searched), the header figures are the fleet's,
 * the charts move as points stream in, and a device's page shows its identity, sessions and data
 * model; a USP fleet's devices show their USP connection. Skips with the reason where chromium or
 * playwright-core is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TestAcs } from '../../src/acs/test-acs.js';
import { ControlServer } from '../../src/observability/control-server.js';
import { fleetTarget } from '../../src/observability/control-target.js';
import { tempDir } from '../helpers/agent-harness.js';
import { testFleet } from '../helpers/fleet.js';
import { loadProfile } from '../../src/fleet/profile.js';
import { withLocalAgent } from '../../src/models/local-agent.js';
import { UspTestController } from '../../src/usp-controller/usp-test-controller.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

async function playwright(): Promise<typeof import('playwright-core') | string> {
  if (!fs.existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (Debian package chromium)`;
  try {
    return await import('playwright-core');
  } catch {
    return 'playwright-core is not installed';
  }
}

test('the dashboard in chromium shows the running fleet, a chart that moves, and a device with its data model', { timeout: 90_000 }, async (t) => {
  const pw = await playwright();
  if (typeof pw === 'string') return t.skip(pw);
  const acs = new TestAcs();
  const url = await acs.listen();
  const fleet = testFleet(url, 60, { profileName: 'gateway', periodicInformInterval: 2, bootWindowSeconds: 2 });
  // The bundled ACS is the fleet's ACS: the page edits values and instances through it.
  const control = new ControlServer({ target: fleetTarget(fleet, 'gateway', undefined, acs), port: 0, address: '127.0.0.1' });
  const port = await control.listen();
  await fleet.start();
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    // Expressions evaluated in the page (as strings: this project compiles without DOM types).
    const until = (expression: string, timeout = 15_000) => page.waitForFunction(expression, undefined, { timeout });
    await until(`document.querySelectorAll('#rows tr.device').length === 50`, 20_000);
    assert.equal(await page.textContent('#total'), '(60)', 'the table knows the whole fleet, shows a page of it');
    await until(`document.getElementById('f-online').textContent === '60'`, 20_000);
    // The chart moves: points arrive every second, and sessions show up in them.
    const first = (await page.evaluate('window.__dashboard.points')) as number;
    await until(`window.__dashboard.points >= ${first + 3}`);
    await until(`window.__dashboard.series.some((p) => p.sessionsPerSecond > 0)`);
    assert.ok((await page.$$('#chart-rate canvas')).length > 0, 'uPlot drew the chart');

    const serial = fleet.members[41]!.serial;
    await page.fill('#search', serial);
    await until(`document.querySelectorAll('#rows tr.device').length === 1`);
    await page.click('#rows tr.device');
    await until(`document.getElementById('d-serial').textContent === '${serial}'`);
    await until(`document.querySelectorAll('#d-params tr').length > 10`);
    assert.match((await page.textContent('#d-identity')) ?? '', /manufacturer/);
    await page.fill('#d-search', 'SoftwareVersion');
    await until(`[...document.querySelectorAll('#d-params tr')].some((r) => r.textContent.includes('DeviceInfo.SoftwareVersion'))`);

    // Per-device counters and the RPCs of each session: the ACS asks something in a session the page starts.
    acs.queue(serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] });
    await page.click('button[data-action="inform"]');
    await until(`document.querySelector('#d-counters .rpc-counts').textContent.includes('GetParameterValues 1')`, 20_000);
    await until(`[...document.querySelectorAll('#d-sessions td.rpcs')].some((td) => td.textContent === 'GetParameterValues')`);
    // The live RPC log shows what the ACS asked, device by device.
    await until(
      `[...document.querySelectorAll('#rpc-log tr')].some((r) => r.textContent.includes('${serial}') && r.textContent.includes('GetParameterValues'))`,
    );

    // A writable value edited through the ACS: SetParameterValues queued, a connection request, the session carries it.
    const agent = fleet.members[41]!.agent!;
    await page.fill('#d-search', 'ProvisioningCode');
    await until(`document.querySelector('#d-params tr[data-name="Device.DeviceInfo.ProvisioningCode"] button.edit') !== null`);
    await page.click('#d-params tr[data-name="Device.DeviceInfo.ProvisioningCode"] button.edit');
    await page.fill('#d-params input.edit-value', 'DASH-42');
    await page.click('#d-params button.edit-save');
    await until(`document.getElementById('d-result').textContent === 'SetParameterValues queued; connection request 200'`);
    await acs.waitFor(() => agent.model.read('Device.DeviceInfo.ProvisioningCode') === 'DASH-42', 20_000);
    await until(`document.querySelector('#d-params tr[data-name="Device.DeviceInfo.ProvisioningCode"] td.value').textContent === 'DASH-42'`);
    // An instance added, then deleted, through the ACS.
    const users = (): string[] => [
      ...new Set(
        agent.model
          .getParameterValues(['Device.Users.'])
          .map((v) => /^Device\.Users\.User\.(\d+)\./.exec(v.name)?.[1])
          .filter((n): n is string => !!n),
      ),
    ];
    const before = users();
    await page.fill('#d-object', 'Device.Users.User.');
    await page.click('#d-add');
    await acs.waitFor(() => users().length === before.length + 1, 20_000);
    const added = users().find((n) => !before.includes(n))!;
    await page.fill('#d-object', `Device.Users.User.${added}.`);
    await page.click('#d-delete');
    await acs.waitFor(() => !users().includes(added), 20_000);
    await until(`document.querySelector('#d-counters .rpc-counts').textContent.includes('DeleteObject 1')`);

    // Recent sessions say what each Inform carried; the data model pages through all parameters.
    await until(`document.getElementById('d-sessions').textContent.includes('BOOTSTRAP')`);
    await page.fill('#d-search', '');
    await until(`/^1–200 of \\d+ parameters$/.test(document.getElementById('d-ptotal').textContent)`);
    const total = Number(/of (\d+)/.exec((await page.textContent('#d-ptotal')) ?? '')![1]);
    assert.ok(total > 200, `${total} parameters, more than one page`);
    const firstName = await page.textContent('#d-params tr td');
    await page.click('#d-pnext');
    await until(`document.getElementById('d-ptotal').textContent.startsWith('201–')`);
    assert.notEqual(await page.textContent('#d-params tr td'), firstName, 'the next page holds other parameters');

    // The device has a link of its own: opened from it, its panel is on screen at once.
    assert.equal(new URL(page.url()).hash, `#device=${serial}`);
    const linked = await browser.newPage({ viewport: { width: 800, height: 700 } });
    await linked.goto(page.url());
    await linked.waitForFunction(`document.getElementById('d-serial').textContent === '${serial}'`, undefined, { timeout: 15_000 });
    await linked.waitForFunction(
      `(() => { const r = document.getElementById('device').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()`,
      undefined,
      {
        timeout: 15_000,
      },
    );
    // 800 px wide: nothing wider than the window.
    await linked.waitForFunction(`document.querySelectorAll('#d-params tr').length > 10`, undefined, { timeout: 15_000 });
    assert.ok(((await linked.evaluate('document.documentElement.scrollWidth')) as number) <= 800, 'no horizontal overflow at 800 px');
    assert.ok(await linked.$('link[rel="icon"]'), 'a favicon');
    await linked.close();

    const shots = tempDir('dashboard-');
    await page.click('#d-close');
    await page.fill('#search', '');
    await until(`document.querySelectorAll('#rows tr.device').length === 50`);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: false });
    assert.ok(fs.statSync(path.join(shots, 'dashboard.png')).size > 10_000);
    if (process.env['DASHBOARD_SCREENSHOT']) fs.copyFileSync(path.join(shots, 'dashboard.png'), process.env['DASHBOARD_SCREENSHOT']);
    fs.rmSync(shots, { recursive: true, force: true });
  } finally {
    await browser.close();
    await control.close();
    await fleet.stop();
    await acs.close();
  }
});

test('a USP fleet in the dashboard: USP figures in the header, each device connected or not, its EndpointID on its page', { timeout: 90_000 }, async (t) => {
  const pw = await playwright();
  if (typeof pw === 'string') return t.skip(pw);
  const controller = new UspTestController();
  const url = await controller.listen();
  const profile = loadProfile('gateway');
  const fleet = testFleet('', 12, {
    protocol: 'usp',
    profile: { ...profile, schema: withLocalAgent(profile.schema) },
    usp: { url, transport: 'WebSocket', controller: { endpointId: controller.endpointId, topic: url }, factorySubscriptions: 'boot' },
  });
  const control = new ControlServer({ target: fleetTarget(fleet, 'gateway'), port: 0, address: '127.0.0.1' });
  const port = await control.listen();
  await fleet.start();
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    const until = (expression: string, timeout = 20_000) => page.waitForFunction(expression, undefined, { timeout });
    await until(`document.getElementById('f-usp-announced').textContent === '12'`);
    assert.ok(await page.isVisible('#f-usp-connected'), 'the USP figures show for a USP fleet');
    assert.equal(await page.textContent('#f-usp-connected'), '12');
    // The controller asks one device something: the messages figure counts it in.
    const serial = fleet.members[5]!.serial;
    const endpointId = fleet.members[5]!.usp!.endpointId;
    await controller.request(endpointId, 'GET', { request: { get: { param_paths: ['Device.DeviceInfo.SoftwareVersion'] } } });
    await until(`/^[1-9]\\d* \\/ /.test(document.getElementById('f-usp-messages').textContent)`);
    await until(`[...document.querySelectorAll('#rows tr.device td.usp-only')].filter((td) => td.textContent === 'connected').length === 12`);
    // A device powered off leaves the USP count, and has no USP connection in its row.
    await fleet.takeOffline(fleet.members[0]!);
    await until(`document.getElementById('f-usp-connected').textContent === '11'`);
    await page.fill('#search', fleet.members[0]!.serial);
    await until(`document.querySelector('#rows tr.device td.usp-only')?.textContent === '—'`);
    await page.fill('#search', serial);
    await until(`document.querySelectorAll('#rows tr.device').length === 1`);
    await page.click('#rows tr.device');
    await until(`document.querySelector('#d-identity .usp-endpoint')?.textContent === '${endpointId}'`);
  } finally {
    await browser.close();
    await control.close();
    await fleet.stop();
    await controller.close();
  }
});

test('a CWMP fleet shows no USP figures', async () => {
  const fleet = testFleet('http://127.0.0.1:9/acs', 1);
  const control = new ControlServer({ target: fleetTarget(fleet, 'stb'), port: 0, address: '127.0.0.1' });
  try {
    assert.equal('usp' in control.summary(), false);
  } finally {
    await control.close();
  }
});
