import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addEvent, eventsAfterFailedSession, eventsAfterInformResponse, eventsAfterReboot, eventsForInform, isValidEventCode } from '../../src/cwmp/events.js';

test('single events merge; multiple events keep one entry per CommandKey', () => {
  let q = addEvent([], { code: '2 PERIODIC', commandKey: '' });
  q = addEvent(q, { code: '2 PERIODIC', commandKey: '' });
  q = addEvent(q, { code: 'M Reboot', commandKey: 'a' });
  q = addEvent(q, { code: 'M Reboot', commandKey: 'b' });
  q = addEvent(q, { code: 'M Reboot', commandKey: 'a' });
  assert.deepEqual(
    q.map((e) => `${e.code}/${e.commandKey}`),
    ['2 PERIODIC/', 'M Reboot/a', 'M Reboot/b'],
  );
});

test('a failed session drops CONNECTION REQUEST and keeps the rest', () => {
  const q = [
    { code: '0 BOOTSTRAP', commandKey: '' },
    { code: '6 CONNECTION REQUEST', commandKey: '' },
    { code: '14 HEARTBEAT', commandKey: '' },
    { code: 'M ScheduleInform', commandKey: 'k' },
  ];
  assert.deepEqual(
    eventsAfterFailedSession(q).map((e) => e.code),
    ['0 BOOTSTRAP', 'M ScheduleInform'],
  );
});

test('a reboot keeps BOOTSTRAP and M events, drops BOOT, CONNECTION REQUEST and DIAGNOSTICS COMPLETE', () => {
  const q = ['0 BOOTSTRAP', '1 BOOT', '6 CONNECTION REQUEST', '8 DIAGNOSTICS COMPLETE', 'M Reboot'].map((code) => ({ code, commandKey: '' }));
  assert.deepEqual(
    eventsAfterReboot(q).map((e) => e.code),
    ['0 BOOTSTRAP', 'M Reboot'],
  );
});

test('an InformResponse removes exactly the delivered events', () => {
  const q = [
    { code: '1 BOOT', commandKey: '' },
    { code: '2 PERIODIC', commandKey: '' },
  ];
  assert.deepEqual(eventsAfterInformResponse(q, [{ code: '1 BOOT', commandKey: '' }]), [{ code: '2 PERIODIC', commandKey: '' }]);
});

test('Inform order: BOOTSTRAP first, numbered events, then M events; at most 64', () => {
  const q = [
    { code: 'M Reboot', commandKey: 'x' },
    { code: '1 BOOT', commandKey: '' },
    { code: '0 BOOTSTRAP', commandKey: '' },
  ];
  assert.deepEqual(
    eventsForInform(q).map((e) => e.code),
    ['0 BOOTSTRAP', '1 BOOT', 'M Reboot'],
  );
  const many = Array.from({ length: 100 }, (_, i) => ({ code: 'M Reboot', commandKey: String(i) }));
  assert.equal(eventsForInform(many).length, 64);
  assert.ok(isValidEventCode('X 00D09E MyEvent') && isValidEventCode('M Download') && !isValidEventCode('bogus'));
});

test('events derived from unacknowledged CPE requests: 7 with the M event of the RPC that asked, 9, 10; no duplicates', async () => {
  const { derivedEvents } = await import('../../src/cwmp/events.js');
  const tc = (commandKey: string, causedBy?: 'Download' | 'ScheduleDownload' | 'Upload') => ({
    method: 'TransferComplete' as const,
    commandKey,
    causedBy,
    fault: { faultCode: 0, faultString: '' },
    startTime: null,
    completeTime: null,
  });
  const events = derivedEvents([
    tc('a', 'Download'),
    tc('b', 'Upload'),
    tc('c', 'ScheduleDownload'),
    tc('d'),
    { method: 'RequestDownload', fileType: '1 Firmware Upgrade Image', fileTypeArgs: [] },
    {
      method: 'AutonomousTransferComplete',
      announceURL: '',
      transferURL: 'http://x/f',
      isDownload: true,
      fileType: '2 Web Content',
      fileSize: 1,
      targetFileName: '',
      fault: { faultCode: 0, faultString: '' },
      startTime: null,
      completeTime: null,
    },
    { method: 'RequestDownload', fileType: '3 Vendor Configuration File', fileTypeArgs: [] },
  ]);
  assert.deepEqual(
    events.map((e) => (e.commandKey ? `${e.code}:${e.commandKey}` : e.code)),
    ['7 TRANSFER COMPLETE', 'M Download:a', 'M Upload:b', 'M ScheduleDownload:c', 'M Download:d', '9 REQUEST DOWNLOAD', '10 AUTONOMOUS TRANSFER COMPLETE'],
  );
});
