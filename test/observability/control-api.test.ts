/**
 * The control API over a running fleet, over real HTTP: the OpenAPI document, the paged device
 * list, devices added at run time that bootstrap at the ACS, values changed as the device would
 * (VALUE CHANGE follows), Informs with chosen events, power and reboot, bad requests answered
 * with a reason, and the token beyond loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestAcs } from '../../src/acs/test-acs.js';
import { testFleet } from '../helpers/fleet.js';
import { ControlServer } from '../../src/observability/control-server.js';
import { fleetTarget } from '../../src/observability/control-target.js';

async function rig(count: number, token?: string) {
  const acs = new TestAcs();
  const url = await acs.listen();
  const fleet = testFleet(url, count);
  const control = new ControlServer({ target: fleetTarget(fleet, 'stb'), port: 0, address: '127.0.0.1', token });
  const port = await control.listen();
  await fleet.start();
  await acs.waitFor(() => fleet.stats.bootstrapped.size === count, 20_000);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
    const text = await res.text();
    return { status: res.status, json: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };
  return {
    acs,
    fleet,
    call,
    async close() {
      await control.close();
      await fleet.stop();
      await acs.close();
    },
  };
}

const events = (acs: TestAcs, serial: string): string[][] => acs.completedSessions(serial).map((s) => s.events.map((e) => e.code));

test('the control API steers a running fleet: list, add, inform, set values, power, reboot, remove', { timeout: 60_000 }, async () => {
  const r = await rig(12);
  try {
    const doc = await r.call('GET', '/openapi.json');
    assert.equal(doc.json.openapi, '3.1.0');
    assert.ok(doc.json.paths['/api/devices/{serial}/actions']);
    assert.deepEqual(doc.json.servers, [{ url: '/' }]);
    const operations = Object.values(doc.json.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((p) => Object.values(p));
    assert.ok(operations.length >= 11);
    assert.ok(
      operations.every((o) => typeof o.operationId === 'string'),
      'every operation has an operationId',
    );
    assert.equal(new Set(operations.map((o) => o.operationId)).size, operations.length, 'operationIds are unique');
    // The document and the validation are one: the limit the document states is the one refused past.
    const limit = doc.json.paths['/api/devices'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.equal(limit.schema.maximum, 500);

    const page = await r.call('GET', '/api/devices?limit=5&offset=5');
    assert.equal(page.json.total, 12);
    assert.equal(page.json.items.length, 5);
    assert.equal(page.json.items[0].serial, 'STB000000005');
    assert.equal((await r.call('GET', '/api/devices?search=000000011')).json.items[0].serial, 'STB000000011');

    const added = await r.call('POST', '/api/devices', { count: 3 });
    assert.equal(added.status, 201);
    assert.deepEqual(added.json.added, ['STB000000012', 'STB000000013', 'STB000000014']);
    await r.acs.waitFor(() => added.json.added.every((s: string) => events(r.acs, s).some((e) => e.includes('0 BOOTSTRAP'))), 15_000);

    const serial = 'STB000000003';
    // A connection request with the wrong password is counted for the device.
    const crUrl = r.fleet.member(serial)!.agent!.model.read('Device.ManagementServer.ConnectionRequestURL');
    assert.equal(await r.acs.connectionRequest(crUrl, serial, 'not-the-password'), 401);
    assert.equal((await r.call('GET', `/api/devices/${serial}`)).json.counters.connectionRequestAuthFailures, 1);
    assert.equal((await r.call('GET', '/api/devices/STB000000004')).json.counters.connectionRequestAuthFailures, 0);
    // A value the device changes, forced active: a 4 VALUE CHANGE session follows.
    const set = await r.call('PUT', `/api/devices/${serial}/values`, { values: { 'Device.DeviceInfo.ProvisioningCode': 'changed-on-the-device' } });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    await r.acs.waitFor(() => events(r.acs, serial).some((e) => e.includes('4 VALUE CHANGE')), 10_000);

    assert.equal((await r.call('POST', `/api/devices/${serial}/actions`, { action: 'inform', events: ['2 PERIODIC'] })).status, 202);
    await r.acs.waitFor(() => events(r.acs, serial).some((e) => e.includes('2 PERIODIC')), 10_000);

    const before = r.acs.completedSessions(serial).length;
    assert.equal((await r.call('POST', `/api/devices/${serial}/actions`, { action: 'reboot' })).status, 202);
    await r.acs.waitFor(
      () =>
        r.acs
          .completedSessions(serial)
          .slice(before)
          .some((s) => s.events.some((e) => e.code === '1 BOOT')),
      10_000,
    );

    assert.equal((await r.call('POST', `/api/devices/${serial}/actions`, { action: 'power-off' })).status, 202);
    assert.equal((await r.call('GET', `/api/devices/${serial}`)).json.online, false);
    assert.equal((await r.call('GET', '/api/devices?status=offline')).json.total, 1);
    assert.equal((await r.call('POST', `/api/devices/${serial}/actions`, { action: 'inform' })).status, 409);
    assert.equal((await r.call('POST', `/api/devices/${serial}/actions`, { action: 'power-on' })).status, 202);
    const detail = await r.call('GET', `/api/devices/${serial}`);
    assert.equal(detail.json.online, true);
    assert.equal(detail.json.identity.productClass, 'STB-UHD');
    assert.ok(detail.json.recentSessions.length > 0);

    const params = await r.call('GET', `/api/devices/${serial}/parameters?search=ProvisioningCode`);
    assert.equal(params.json.items[0].value, 'changed-on-the-device');
    assert.equal(params.json.items[0].notification, 2);

    assert.equal((await r.call('DELETE', `/api/devices/STB000000014`)).status, 200);
    assert.equal((await r.call('GET', '/api/summary')).json.devices, 14);

    // Bad requests: a reason, never a crash.
    for (const [method, path, body, status, reason] of [
      ['POST', `/api/devices/${serial}/actions`, { action: 'explode' }, 400, /action/],
      ['POST', `/api/devices/${serial}/actions`, { action: 'inform', events: ['nonsense'] }, 400, /events/],
      ['PUT', `/api/devices/${serial}/values`, { values: { 'Device.DeviceInfo.UpTime': 'abc' } }, 400, /UpTime/],
      ['PUT', `/api/devices/${serial}/values`, { values: { 'Device.Nope': '1' } }, 400, /no such parameter/],
      ['GET', '/api/devices/NOPE', undefined, 404, /NOPE/],
      ['POST', '/api/devices', { count: 0 }, 400, /count/],
      ['GET', '/api/devices?status=sleepy', undefined, 400, /status/],
      // Paging that cannot be honoured is refused, not clamped.
      ['GET', '/api/devices?limit=abc', undefined, 400, /limit/],
      ['GET', '/api/devices?limit=-1', undefined, 400, /limit/],
      ['GET', '/api/devices?limit=501', undefined, 400, /limit/],
      ['GET', '/api/devices?offset=-5', undefined, 400, /offset/],
      ['GET', `/api/devices/${serial}/parameters?limit=0`, undefined, 400, /limit/],
      ['GET', '/api/devices?colour=red', undefined, 400, /colour/],
      ['PATCH', '/api/devices', {}, 405, /GET, POST/],
    ] as const) {
      const res = await r.call(method, path, body);
      assert.equal(res.status, status, `${method} ${path}`);
      assert.match(res.json.error, reason);
    }
  } finally {
    await r.close();
  }
});

test('beyond loopback the control API needs a token; with it, requests pass', async () => {
  assert.throws(
    () =>
      new ControlServer({
        target: fleetTarget(testFleet('http://127.0.0.1:9/', 0, { bootWindowSeconds: 0 }), 'stb'),
        port: 0,
        address: '0.0.0.0',
      }),
    /token/,
  );
  const r = await rig(1, 'a-long-enough-secret-token');
  try {
    assert.equal((await r.call('GET', '/api/summary')).status, 401);
    assert.equal((await r.call('GET', '/api/summary', undefined, { authorization: 'Bearer a-long-enough-secret-token' })).status, 200);
    assert.equal((await r.call('GET', '/api/summary?token=a-long-enough-secret-token')).status, 200);
  } finally {
    await r.close();
  }
});

test('through the bundled ACS the control API sets a value and adds an instance on a device; elsewhere it says why it cannot', {
  timeout: 60_000,
}, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const fleet = testFleet(url, 2);
  const withAcs = new ControlServer({ target: fleetTarget(fleet, 'stb', undefined, acs), port: 0, address: '127.0.0.1' });
  const without = new ControlServer({ target: fleetTarget(fleet, 'stb'), port: 0, address: '127.0.0.1' });
  const [p1, p2] = [await withAcs.listen(), await without.listen()];
  await fleet.start();
  await acs.waitFor(() => fleet.stats.bootstrapped.size === 2, 20_000);
  const post = async (port: number, path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  try {
    const m = fleet.members[1]!;
    const set = await post(p1, `/api/devices/${m.serial}/acs-requests`, {
      request: { method: 'SetParameterValues', parameterList: [{ name: 'Device.DeviceInfo.ProvisioningCode', value: 'API-7', type: 'string' }] },
    });
    assert.equal(set.status, 202, JSON.stringify(set.json));
    assert.equal(set.json['connectionRequest'], 200, 'a real connection request reached the device');
    await acs.waitFor(() => m.agent?.model.read('Device.DeviceInfo.ProvisioningCode') === 'API-7', 20_000);
    const added = await post(p1, `/api/devices/${m.serial}/acs-requests`, { request: { method: 'AddObject', objectName: 'Device.Users.User.' } });
    assert.equal(added.status, 202);
    await acs.waitFor(() => acs.responses(m.serial).some((r) => r.method === 'AddObjectResponse'), 20_000);
    // What is not one of the four RPCs, or not a whole one, is refused; so is a device whose ACS is elsewhere.
    assert.equal((await post(p1, `/api/devices/${m.serial}/acs-requests`, { request: { method: 'Reboot' } })).status, 400);
    assert.equal((await post(p1, `/api/devices/${m.serial}/acs-requests`, { request: { method: 'SetParameterValues', parameterList: [] } })).status, 400);
    assert.equal((await post(p1, '/api/devices/NOPE/acs-requests', { request: { method: 'AddObject', objectName: 'Device.Users.User.' } })).status, 404);
    const elsewhere = await post(p2, `/api/devices/${m.serial}/acs-requests`, { request: { method: 'AddObject', objectName: 'Device.Users.User.' } });
    assert.equal(elsewhere.status, 409);
    assert.match(String(elsewhere.json['error']), /not the bundled test ACS/);
  } finally {
    await withAcs.close();
    await without.close();
    await fleet.stop();
    await acs.close();
  }
});
