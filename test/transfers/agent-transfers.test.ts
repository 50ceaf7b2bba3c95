/**
 * Download, Upload, ScheduleDownload and CancelTransfer end to end, in process: the real agent,
 * the test ACS and a real HTTP file server on loopback. Firmware goes through the simulated
 * device's A/B banks and an (in-process) reboot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { informEvents, parameterValues, readCpeMessage, textAt, type CpeMessageSummary } from '../../src/acs/acs-messages.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { buildFirmwareImage } from '../../src/providers/firmware-image.js';
import { sendRpcs, startHarness, sessionsCompleted, type Harness } from '../helpers/agent-harness.js';
import { FileServer } from '../helpers/file-server.js';
import { FIRMWARE, downloadRequest } from '../helpers/download-request.js';

const download = downloadRequest;

async function transferCompletes(h: Harness, count = 1, timeoutMs = 15_000): Promise<CpeMessageSummary[]> {
  await h.acs.waitFor(() => h.acs.acknowledged('TransferComplete', h.serial).length >= count, timeoutMs);
  return h.acs.acknowledged('TransferComplete', h.serial);
}

/** The session that carried a TransferComplete, and its Inform. */
function sessionWith(h: Harness, method: string): { events: string[]; inform: CpeMessageSummary } {
  const s = h.acs.sessions.find((x) => x.serial === h.serial && x.messages.some((m) => m.method === method));
  assert.ok(s, `a session with ${method}`);
  return { events: s.events.map((e) => (e.commandKey ? `${e.code}:${e.commandKey}` : e.code)), inform: readCpeMessage(s.messages[0]!.body) };
}

const faultCode = (m: CpeMessageSummary): number => Number(textAt(m.body, 'FaultStruct', 'FaultCode'));
const faultString = (m: CpeMessageSummary): string => textAt(m.body, 'FaultStruct', 'FaultString') ?? '';

test('firmware upgrade: Download, install into the other bank, reboot, then 1 BOOT + 7 TRANSFER COMPLETE + M Download', { timeout: 30_000 }, async () => {
  const files = new FileServer({ auth: { scheme: 'digest', username: 'fw', password: 'pw' } });
  await files.listen();
  const image = buildFirmwareImage({ version: '2.0.0', payload: randomBytes(300_000) });
  files.files.set('fw-2.0.0.bin', { body: image });
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(h.agent.model.read('Device.DeviceInfo.SoftwareVersion'), '1.0.0');
    await sendRpcs(h, download(files.url('fw-2.0.0.bin'), 'upgrade-1', { username: 'fw', password: 'pw', fileSize: image.length }));
    const answer = h.acs.responses(h.serial).find((m) => m.method === 'DownloadResponse')!;
    assert.equal(textAt(answer.body, 'Status'), '1', 'deferred: reported by TransferComplete');
    const [tc] = await transferCompletes(h);
    assert.equal(faultCode(tc!), 0);
    assert.equal(textAt(tc!.body, 'CommandKey'), 'upgrade-1');
    const start = Date.parse(textAt(tc!.body, 'StartTime')!);
    const complete = Date.parse(textAt(tc!.body, 'CompleteTime')!);
    assert.ok(start > Date.UTC(2020, 0) && complete >= start, 'StartTime and CompleteTime are real times');
    const { events, inform } = sessionWith(h, 'TransferComplete');
    for (const e of ['1 BOOT', '7 TRANSFER COMPLETE', 'M Download:upgrade-1']) assert.ok(events.includes(e), `${e} in ${events.join(', ')}`);
    assert.ok(!events.includes('M Reboot:'), 'a firmware reboot is not an M Reboot');
    assert.equal(parameterValues(inform)['Device.DeviceInfo.SoftwareVersion']?.value, '2.0.0', 'the Inform after the reboot carries the new version');
    assert.equal(h.device.reboots, 1);
    assert.equal(h.agent.model.read('Device.DeviceInfo.ActiveFirmwareImage'), 'Device.DeviceInfo.FirmwareImage.2');
    assert.equal(h.agent.model.read('Device.DeviceInfo.FirmwareImage.2.Status'), 'Active');
    assert.equal(h.agent.model.read('Device.DeviceInfo.FirmwareImage.1.Version'), '1.0.0', 'the old image stays for rollback');
    assert.equal(h.agent.model.read('Device.DeviceInfo.FirmwareImage.1.Status'), 'Available');
    assert.deepEqual(h.agent.transferQueue(), []);
  } finally {
    await h.close();
    await files.close();
  }
});

test('a file that is not a firmware image, or fails to boot, leaves the old firmware running and reports why', { timeout: 30_000 }, async () => {
  const files = new FileServer();
  await files.listen();
  files.files.set('index.html', { body: Buffer.from('<html>not firmware</html>'), contentType: 'text/html' });
  files.files.set('bad-boot.bin', { body: buildFirmwareImage({ version: '3.0.0', payload: Buffer.from('x'), bootFails: true }) });
  files.files.set('other-product.bin', { body: buildFirmwareImage({ version: '4.0.0', payload: Buffer.from('x'), productClass: 'SomeoneElsesBox' }) });
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(h, download(files.url('index.html'), 'wrong-type'));
    let [tc] = await transferCompletes(h, 1);
    assert.equal(faultCode(tc!), 9018);
    assert.match(faultString(tc!), /not a firmware image/);
    assert.equal(h.device.reboots, 0, 'no reboot for a rejected image');

    await sendRpcs(h, download(files.url('other-product.bin'), 'wrong-product'));
    tc = (await transferCompletes(h, 2))[1];
    assert.equal(faultCode(tc!), 9018);
    assert.match(faultString(tc!), /SomeoneElsesBox/);

    await sendRpcs(h, download(files.url('bad-boot.bin'), 'bad-boot'));
    tc = (await transferCompletes(h, 3))[2];
    assert.equal(faultCode(tc!), 9010);
    assert.match(faultString(tc!), /did not boot.*back on 1\.0\.0/);
    assert.equal(h.device.reboots, 1);
    assert.equal(h.agent.model.read('Device.DeviceInfo.SoftwareVersion'), '1.0.0');
    assert.equal(h.agent.model.read('Device.DeviceInfo.FirmwareImage.2.Status'), 'ActivationFailed');
    assert.match(h.agent.model.read('Device.DeviceInfo.FirmwareImage.2.BootFailureLog'), /boot check/);
  } finally {
    await h.close();
    await files.close();
  }
});

test('signed firmware: with a public key configured, unsigned images get 9019 and signed ones install', { timeout: 30_000 }, async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const files = new FileServer();
  await files.listen();
  files.files.set('unsigned.bin', { body: buildFirmwareImage({ version: '2.1.0', payload: Buffer.from('u') }) });
  files.files.set('signed.bin', { body: buildFirmwareImage({ version: '2.2.0', payload: Buffer.from('s'), signingKey: privateKey }) });
  const h = await startHarness({ device: { firmwarePublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(h, download(files.url('unsigned.bin'), 'unsigned'));
    const [bad] = await transferCompletes(h, 1);
    assert.equal(faultCode(bad!), 9019);
    await sendRpcs(h, download(files.url('signed.bin'), 'signed'));
    const good = (await transferCompletes(h, 2))[1];
    assert.equal(faultCode(good!), 0);
    assert.equal(h.agent.model.read('Device.DeviceInfo.SoftwareVersion'), '2.2.0');
  } finally {
    await h.close();
    await files.close();
  }
});

test('bad Download arguments are faults in the session: 9013 for ftp, 9003 for an unknown FileType', async () => {
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(h, download('ftp://127.0.0.1/fw.bin', 'ftp'), {
      ...(download('http://127.0.0.1/x', 'type') as object),
      fileType: '9 Unknown Type',
    } as AcsRequest);
    const faults = h.acs.responses(h.serial).filter((m) => m.method === 'Fault');
    assert.deepEqual(
      faults.map((f) => textAt(f.body, 'detail', 'Fault', 'FaultCode')),
      ['9013', '9003'],
    );
    assert.deepEqual(h.agent.transferQueue(), []);
  } finally {
    await h.close();
  }
});

test('queue listings and CancelTransfer: a queued transfer is listed then cancelled; an unknown key is 9003', async () => {
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(
      h,
      download('http://127.0.0.1:9/fw.bin', 'later', { delaySeconds: 3600, fileSize: 1234, targetFileName: 'fw.bin' }),
      { method: 'GetAllQueuedTransfers' },
      { method: 'GetQueuedTransfers' },
    );
    const all = h.acs.responses(h.serial).find((m) => m.method === 'GetAllQueuedTransfersResponse')!;
    const entry = textAt(all.body, 'TransferList', 'AllQueuedTransferStruct', 'CommandKey');
    assert.equal(entry, 'later');
    assert.equal(textAt(all.body, 'TransferList', 'AllQueuedTransferStruct', 'State'), '1');
    assert.equal(textAt(all.body, 'TransferList', 'AllQueuedTransferStruct', 'FileSize'), '1234');
    assert.equal(
      textAt(h.acs.responses(h.serial).find((m) => m.method === 'GetQueuedTransfersResponse')!.body, 'TransferList', 'QueuedTransferStruct', 'CommandKey'),
      'later',
    );
    await sendRpcs(h, { method: 'CancelTransfer', commandKey: 'later' }, { method: 'CancelTransfer', commandKey: 'no-such' });
    const methods = h.acs.responses(h.serial).slice(-2);
    assert.equal(methods[0]!.method, 'CancelTransferResponse');
    assert.equal(textAt(methods[1]!.body, 'detail', 'Fault', 'FaultCode'), '9003');
    assert.deepEqual(h.agent.transferQueue(), []);
  } finally {
    await h.close();
  }
});

test('CancelTransfer of a running download stops it: no TransferComplete, no partial file left', { timeout: 30_000 }, async () => {
  const files = new FileServer();
  await files.listen();
  files.files.set('slow.bin', { body: Buffer.alloc(2_000_000), rateBytesPerSecond: 100_000 });
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(h, download(files.url('slow.bin'), 'slow', { fileType: '2 Web Content' }));
    await h.acs.waitFor(() => files.requests.some((r) => r.path === 'slow.bin'));
    await sendRpcs(h, { method: 'GetAllQueuedTransfers' }, { method: 'CancelTransfer', commandKey: 'slow' });
    const listed = h.acs.responses(h.serial).find((m) => m.method === 'GetAllQueuedTransfersResponse')!;
    assert.equal(textAt(listed.body, 'TransferList', 'AllQueuedTransferStruct', 'State'), '2', 'in progress');
    assert.ok(h.acs.responses(h.serial).some((m) => m.method === 'CancelTransferResponse'));
    // The canceled download's partial file goes, and no TransferComplete is ever owed for it.
    await h.acs.waitFor(() => !fs.readdirSync(h.stateDir).some((f) => f.endsWith('.part')), 10_000);
    // One more whole session: a TransferComplete owed would go in it.
    await sendRpcs(h, { method: 'GetAllQueuedTransfers' });
    assert.equal(h.acs.responses(h.serial).filter((m) => m.method === 'TransferComplete').length, 0);
    assert.deepEqual(h.agent.transferQueue(), []);
  } finally {
    await h.close();
    await files.close();
  }
});

test('ScheduleDownload waits for its window (injected clock); a window that closes mid-download ends in 9020', { timeout: 30_000 }, async () => {
  const files = new FileServer();
  await files.listen();
  files.files.set('tone.wav', { body: Buffer.from('RIFF....WAVE') });
  files.files.set('slow.bin', { body: Buffer.alloc(1_000_000), rateBytesPerSecond: 50_000 });
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(h, {
      method: 'ScheduleDownload',
      commandKey: 'night',
      fileType: '4 Tone File',
      url: files.url('tone.wav'),
      username: '',
      password: '',
      fileSize: 12,
      targetFileName: 'ring.wav',
      timeWindowList: [{ windowStart: 3600, windowEnd: 7200, windowMode: '1 At Any Time', userMessage: '', maxRetries: -1 }],
    });
    clock.advance(3_599_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(files.requests.length, 0, 'nothing before the window opens');
    clock.advance(2_000);
    const [tc] = await transferCompletes(h, 1);
    assert.equal(faultCode(tc!), 0);
    assert.ok(sessionWith(h, 'TransferComplete').events.includes('M ScheduleDownload:night'));

    await sendRpcs(h, {
      method: 'ScheduleDownload',
      commandKey: 'short',
      fileType: '2 Web Content',
      url: files.url('slow.bin'),
      username: '',
      password: '',
      fileSize: 0,
      targetFileName: '',
      timeWindowList: [{ windowStart: 10, windowEnd: 20, windowMode: '2 Immediately', userMessage: '', maxRetries: 0 }],
    });
    clock.advance(11_000);
    await h.acs.waitFor(() => files.requests.some((r) => r.path === 'slow.bin'));
    clock.advance(10_000);
    const late = (await transferCompletes(h, 2))[1];
    assert.equal(faultCode(late!), 9020);
  } finally {
    await h.close();
    await files.close();
  }
});

test('ScheduleDownload arguments: overlapping windows and bad modes are 9003', async () => {
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const sd = (windows: { windowStart: number; windowEnd: number; windowMode: string }[]): AcsRequest => ({
      method: 'ScheduleDownload',
      commandKey: 'k',
      fileType: FIRMWARE,
      url: 'http://127.0.0.1/f',
      username: '',
      password: '',
      fileSize: 0,
      targetFileName: '',
      timeWindowList: windows.map((w) => ({ ...w, userMessage: '', maxRetries: 0 })),
    });
    await sendRpcs(
      h,
      sd([
        { windowStart: 0, windowEnd: 100, windowMode: '1 At Any Time' },
        { windowStart: 50, windowEnd: 200, windowMode: '1 At Any Time' },
      ]),
      sd([{ windowStart: 0, windowEnd: 10, windowMode: '9 Whenever' }]),
      sd([{ windowStart: 20, windowEnd: 10, windowMode: '1 At Any Time' }]),
    );
    const codes = h.acs
      .responses(h.serial)
      .filter((m) => m.method === 'Fault')
      .map((f) => textAt(f.body, 'detail', 'Fault', 'FaultCode'));
    assert.deepEqual(codes, ['9003', '9003', '9003']);
  } finally {
    await h.close();
  }
});

test('Upload the configuration, change a value, Download the file back: the value is restored (M Upload, M Download)', { timeout: 30_000 }, async () => {
  const files = new FileServer();
  await files.listen();
  const h = await startHarness({
    agent: { transfers: { vendorLog: { name: 'cwmp-agent.log', maximumSize: 1024, contents: () => Buffer.from('line one\nline two\n') } } },
  });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(h, {
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '1234', type: 'unsignedInt' }],
      parameterKey: 'k1',
    });
    const upload = (fileType: string, name: string): AcsRequest => ({
      method: 'Upload',
      commandKey: name,
      fileType,
      url: files.url(`up/${name}`),
      username: '',
      password: '',
      delaySeconds: 0,
    });
    await sendRpcs(h, upload('1 Vendor Configuration File', 'config'), upload('2 Vendor Log File', 'log'), upload('4 Vendor Log File 7', 'nolog'));
    const tcs = await transferCompletes(h, 3);
    const byKey = Object.fromEntries(tcs.map((t) => [textAt(t.body, 'CommandKey'), t]));
    assert.equal(faultCode(byKey['config']!), 0);
    assert.equal(faultCode(byKey['log']!), 0);
    assert.equal(faultCode(byKey['nolog']!), 9011);
    assert.ok(sessionWith(h, 'TransferComplete').events.some((e) => e.startsWith('M Upload:')));
    const config = files.uploads.find((u) => u.path === 'up/config')!;
    assert.equal(config.method, 'PUT');
    const doc = JSON.parse(config.body.toString()) as { parameters: Record<string, string> };
    assert.equal(doc.parameters['Device.ManagementServer.PeriodicInformInterval'], '1234');
    assert.equal(doc.parameters['Device.ManagementServer.ConnectionRequestPassword'], undefined, 'no secrets in the backup');
    assert.equal(files.uploads.find((u) => u.path === 'up/log')!.body.toString(), 'line one\nline two\n');

    await sendRpcs(h, {
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '999', type: 'unsignedInt' }],
      parameterKey: 'k2',
    });
    files.files.set('backup.json', { body: config.body });
    await sendRpcs(h, download(files.url('backup.json'), 'restore', { fileType: '3 Vendor Configuration File', targetFileName: 'backup.json' }));
    const restore = (await transferCompletes(h, 4))[3];
    assert.equal(faultCode(restore!), 0);
    assert.equal(h.agent.model.read('Device.ManagementServer.PeriodicInformInterval'), '1234');
    assert.equal(h.agent.model.read('Device.ManagementServer.ParameterKey'), 'k2', 'a restore is not a SetParameterValues');
    assert.equal(h.agent.model.read('Device.DeviceInfo.VendorConfigFile.2.Name'), 'backup.json');
  } finally {
    await h.close();
    await files.close();
  }
});

test('RequestDownload and an autonomous download reach the ACS with 9 REQUEST DOWNLOAD and 10 AUTONOMOUS TRANSFER COMPLETE', { timeout: 30_000 }, async () => {
  const files = new FileServer();
  await files.listen();
  files.files.set('web.tgz', { body: Buffer.from('web') });
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    h.agent.requestDownload(FIRMWARE, [{ name: 'Version', value: '2.0.0' }]);
    await h.acs.waitFor(() => h.acs.acknowledged('RequestDownload', h.serial).length === 1);
    const rd = h.acs.acknowledged('RequestDownload', h.serial)[0]!;
    assert.equal(textAt(rd.body, 'FileType'), FIRMWARE);
    assert.ok(sessionWith(h, 'RequestDownload').events.includes('9 REQUEST DOWNLOAD'));
    // AutonomousTransferCompletePolicy is off by default: the ACS hears nothing of this one.
    h.agent.autonomousDownload({ url: files.url('web.tgz'), fileType: '2 Web Content', fileSize: 3 });
    await h.acs.waitFor(() => files.requests.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.acs.acknowledged('AutonomousTransferComplete', h.serial).length, 0);
    assert.deepEqual(h.agent.transferQueue(), []);
    const P = 'Device.ManagementServer.AutonomousTransferCompletePolicy.';
    await sendRpcs(h, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${P}Enable`, value: 'true' },
        { name: `${P}TransferTypeFilter`, value: 'Download' },
        { name: `${P}FileTypeFilter`, value: '2 Web Content' },
      ],
      parameterKey: 'atc',
    });
    h.agent.autonomousDownload({ url: files.url('web.tgz'), fileType: '2 Web Content', fileSize: 3 });
    await h.acs.waitFor(() => h.acs.acknowledged('AutonomousTransferComplete', h.serial).length === 1);
    const atc = h.acs.acknowledged('AutonomousTransferComplete', h.serial)[0]!;
    assert.equal(textAt(atc.body, 'TransferURL'), files.url('web.tgz'));
    assert.equal(textAt(atc.body, 'IsDownload'), 'true');
    assert.equal(faultCode(atc), 0);
    assert.ok(sessionWith(h, 'AutonomousTransferComplete').events.includes('10 AUTONOMOUS TRANSFER COMPLETE'));
    assert.ok(informEvents(readCpeMessage(h.acs.completedSessions(h.serial).at(-1)!.messages[0]!.body)).length > 0);
  } finally {
    await h.close();
    await files.close();
  }
});

test('a small Download due now is done within the session: Status 0 with its times, or the fault itself; no TransferComplete', {
  timeout: 30_000,
}, async () => {
  const files = new FileServer();
  await files.listen();
  files.files.set('ring.wav', { body: Buffer.from('RIFF0000WAVE') });
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await sendRpcs(
      h,
      download(files.url('ring.wav'), 'now', { fileType: '5 Ringer File', fileSize: 12, targetFileName: 'ring.wav' }),
      download(files.url('gone.wav'), 'missing', { fileType: '5 Ringer File', fileSize: 12 }),
    );
    const [ok, fault] = h.acs.responses(h.serial).slice(-2);
    assert.equal(ok!.method, 'DownloadResponse');
    assert.equal(textAt(ok!.body, 'Status'), '0');
    assert.ok(Date.parse(textAt(ok!.body, 'CompleteTime')!) >= Date.parse(textAt(ok!.body, 'StartTime')!));
    assert.ok(Date.parse(textAt(ok!.body, 'StartTime')!) > Date.UTC(2020, 0));
    assert.equal(fault!.method, 'Fault');
    assert.equal(textAt(fault!.body, 'detail', 'Fault', 'FaultCode'), '9016');
    assert.ok(fs.existsSync(path.join(h.stateDir, 'device', 'files', 'ringer', 'ring.wav')), 'the device keeps the file');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.acs.responses(h.serial).filter((m) => m.method === 'TransferComplete').length, 0);
    assert.deepEqual(h.agent.transferQueue(), []);
  } finally {
    await h.close();
    await files.close();
  }
});
