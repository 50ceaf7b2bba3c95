/**
 * The CPE's LAN pages on the connection-request port. Kicked (TR-069 A.4.2.1, web identity
 * management): a browser goes to the KickURL, the agent opens a session with 5 KICKED and calls
 * Kicked, and the browser is redirected to the NextURL the test ACS answers (without an ACS, to
 * its own next). DownloadProgressURL: how far the transfers have come.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startHttpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

/** A browser's GET: status and Location, redirects not followed. */
function browse(url: string, referer?: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: referer ? { Referer: referer } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      })
      .on('error', reject);
  });
}

test("a kick from the LAN: 5 KICKED, Kicked with the browser's command, arg, next and Referer, redirect to the ACS's NextURL", async () => {
  // The ACS sends logins to its portal, and anything else where the browser said.
  const h = await startHarness({
    acs: { kickedNextUrl: (k) => (k.command === 'login' ? `https://portal.example/welcome?user=${encodeURIComponent(k.arg)}` : k.next) },
  });
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const kickUrl = h.agent.model.read('Device.ManagementServer.KickURL');
    assert.match(kickUrl, /^http:\/\/127\.0\.0\.1:\d+\/kick$/);
    const r = await browse(
      `${kickUrl}?command=login&arg=alice&next=${encodeURIComponent('http://192.168.1.1/done')}`,
      'http://192.168.1.1/setup-page-with-a-very-long-address-that-goes-on-and-on/index.html',
    );
    assert.equal(r.status, 302);
    assert.equal(r.location, 'https://portal.example/welcome?user=alice');
    assert.deepEqual(
      h.acs.kicked.map(({ command, arg, next }) => ({ command, arg, next })),
      [{ command: 'login', arg: 'alice', next: 'http://192.168.1.1/done' }],
    );
    assert.equal(h.acs.kicked[0]!.referer.length, 64, 'the Referer, cut to what the schema allows');
    // The browser is answered as soon as the KickedResponse is in; the session then ends.
    await sessionsCompleted(h, 2);
    const s = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(
      s.events.map((e) => e.code),
      ['5 KICKED'],
    );
    assert.ok(s.messages.some((m) => m.from === 'cpe' && m.method === 'Kicked'));
    assert.equal(h.agent.pendingEvents.length, 0);

    // Bad requests are refused before any session; a destination that is not http(s) is not followed.
    assert.equal((await browse(`${kickUrl}?arg=x`)).status, 400, 'no command');
    assert.equal((await browse(`${kickUrl}?command=${'c'.repeat(33)}`)).status, 400, 'command too long');
    assert.equal((await browse(`${kickUrl}?command=go&next=${encodeURIComponent('javascript:alert(1)')}`)).status, 502);
  } finally {
    await server.close();
    await h.close();
  }
});

test('a kick while the ACS cannot be reached: the browser goes to its own next', async () => {
  const h = await startHarness({ acsUrl: 'http://127.0.0.1:1/acs' });
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    h.agent.start();
    const kickUrl = h.agent.model.read('Device.ManagementServer.KickURL');
    const r = await browse(`${kickUrl}?command=login&next=${encodeURIComponent('http://192.168.1.1/offline')}`);
    assert.equal(r.status, 302);
    assert.equal(r.location, 'http://192.168.1.1/offline');
    assert.ok(!h.agent.pendingEvents.some((e) => e.code === 'M Kicked'), 'nothing of the kick is owed to the ACS later');
  } finally {
    await server.close();
    await h.close();
  }
});

test('DownloadProgressURL: a LAN page shows a transfer fetching, its bytes growing, and nothing once it is over', { timeout: 30_000 }, async () => {
  const { FileServer } = await import('../helpers/file-server.js');
  const files = new FileServer();
  await files.listen();
  files.files.set('big.bin', { body: Buffer.alloc(600_000, 0x61), rateBytesPerSecond: 300_000 });
  const h = await startHarness();
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  const progress = async (): Promise<{ transfers: { commandKey: string; phase: string; bytes: number | null; total: number | null }[] }> => {
    const r = await fetch(`${h.agent.model.read('Device.ManagementServer.DownloadProgressURL')}?format=json`);
    return (await r.json()) as { transfers: { commandKey: string; phase: string; bytes: number | null; total: number | null }[] };
  };
  try {
    h.acs.queue(h.serial, {
      method: 'Download',
      commandKey: 'cfg-7',
      fileType: '3 Vendor Configuration File',
      url: files.url('big.bin'),
      username: 'secret-user',
      password: 'secret-pass',
      fileSize: 600_000,
      targetFileName: '',
      delaySeconds: 1,
      successURL: '',
      failureURL: '',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    await h.acs.waitFor(() => h.agent.transferQueue()[0]?.phase === 'transferring', 10_000);
    await new Promise((r) => setTimeout(r, 600));
    const first = (await progress()).transfers;
    assert.equal(first.length, 1);
    assert.equal(first[0]!.commandKey, 'cfg-7');
    assert.equal(first[0]!.total, 600_000);
    assert.ok(first[0]!.bytes! > 0 && first[0]!.bytes! < 600_000, `part of the file so far: ${first[0]!.bytes}`);
    await new Promise((r) => setTimeout(r, 500));
    const later = (await progress()).transfers[0];
    assert.ok(!later || later.bytes === null || later.bytes > first[0]!.bytes!, 'it grows');
    const page = await (await fetch(h.agent.model.read('Device.ManagementServer.DownloadProgressURL'))).text();
    assert.ok(!page.includes('secret') && !page.includes(files.url('big.bin')), 'no URL or credential on the page');
    await h.acs.waitFor(() => h.agent.transferQueue().length === 0, 15_000);
    assert.deepEqual((await progress()).transfers, []);
  } finally {
    await server.close();
    await h.close();
    await files.close();
  }
});

test('DeviceInfo.SupportedDataModel: one entry whose URL (localhost: the connection-request host) serves the DT document with that UUID', async () => {
  const h = await startHarness();
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    h.acs.queue(h.serial, {
      method: 'GetParameterValues',
      parameterNames: ['Device.DeviceInfo.SupportedDataModel.', 'Device.DeviceInfo.SupportedDataModelNumberOfEntries'],
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const m = h.agent.model;
    assert.equal(m.read('Device.DeviceInfo.SupportedDataModelNumberOfEntries'), '1');
    const url = m.read('Device.DeviceInfo.SupportedDataModel.1.URL');
    const uuid = m.read('Device.DeviceInfo.SupportedDataModel.1.UUID');
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(m.read('Device.DeviceInfo.SupportedDataModel.1.URN'), 'urn:broadband-forum-org:tr-181-2-17-0-cwmp');
    const crHost = new URL(m.read('Device.ManagementServer.ConnectionRequestURL')).hostname;
    // As TR-181 says, the ACS puts the connection-request host in place of "localhost".
    const xml = await (await fetch(url.replace('//localhost', `//${crHost}`))).text();
    assert.match(xml, new RegExp(`<dt:document [^>]*uuid="${uuid}"`));
    assert.ok(xml.includes('<object ref="Device.DeviceInfo.SupportedDataModel.{i}." access="readOnly"'), 'the document lists the table itself');
    // The same model gives the same document, the same UUID, across restarts.
    const again = await h.restart();
    assert.equal(again.model.read('Device.DeviceInfo.SupportedDataModel.1.UUID'), uuid);
    assert.throws(
      () => again.model.addObject('Device.DeviceInfo.SupportedDataModel.', 'Device.ManagementServer.ParameterKey', 'k'),
      /9005|9001/,
      "the table is the device's",
    );
  } finally {
    await server.close();
    await h.close();
  }
});
