/** The pure parts of file transfers: argument checks, time windows, TransferComplete faults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CwmpFault } from '../../src/cwmp/faults.js';
import {
  acceptDownload,
  absoluteWindows,
  MAX_QUEUED_TRANSFERS,
  queuedTransfers,
  transferCompleteFault,
  transfersToCancel,
  type TransferRecord,
} from '../../src/cwmp/transfer-record.js';
import { startDecision } from '../../src/cwmp/time-windows.js';
import { downloadKind, uploadTarget } from '../../src/cwmp/file-types.js';
import type { AcsRequestOf } from '../../src/cwmp/messages.js';

const req: AcsRequestOf<'Download'> = {
  method: 'Download',
  commandKey: 'k',
  fileType: '1 Firmware Upgrade Image',
  url: 'http://h/f',
  username: '',
  password: '',
  fileSize: 0,
  targetFileName: '',
  delaySeconds: 5,
  successURL: '',
  failureURL: '',
};
const code = (f: () => unknown): number => {
  try {
    f();
  } catch (err) {
    if (err instanceof CwmpFault) return err.faultCode;
    throw err;
  }
  return 0;
};

test('Download arguments: scheme 9013, credentials in the URL 9003, full queue 9004, DelaySeconds sets the start', () => {
  assert.equal(
    code(() => acceptDownload({ ...req, url: 'tftp://h/f' }, [], 0, 'a')),
    9013,
  );
  assert.equal(
    code(() => acceptDownload({ ...req, url: 'http://u:p@h/f' }, [], 0, 'a')),
    9003,
  );
  assert.equal(
    code(() => acceptDownload({ ...req, url: 'not a url' }, [], 0, 'a')),
    9003,
  );
  assert.equal(
    code(() => acceptDownload({ ...req, commandKey: 'x'.repeat(33) }, [], 0, 'a')),
    9003,
  );
  const one = acceptDownload(req, [], 1000, 'a');
  assert.equal(one.notBefore, 6000);
  assert.equal(
    code(() =>
      acceptDownload(
        req,
        Array.from({ length: MAX_QUEUED_TRANSFERS }, () => one),
        0,
        'b',
      ),
    ),
    9004,
  );
});

test('file types: the five download types and vendor ones; upload types with numbered instances', () => {
  assert.equal(downloadKind('1 Firmware Upgrade Image'), 'firmware');
  assert.equal(downloadKind('X 00D09E Bootloader'), 'vendor');
  assert.equal(downloadKind('6 Something'), undefined);
  assert.deepEqual(uploadTarget('3 Vendor Configuration File 2'), { kind: 'vendorConfig', instance: 2 });
  assert.deepEqual(uploadTarget('4 Vendor Log File 1'), { kind: 'vendorLog', instance: 1 });
  assert.equal(uploadTarget('3 Vendor Log File 1'), undefined);
  assert.equal(uploadTarget('4 Vendor Log File 0'), undefined);
});

test('time windows: wait for the first, start inside it, move to the next after it, expire after the last', () => {
  const windows = absoluteWindows(
    [
      { windowStart: 10, windowEnd: 20, windowMode: '1 At Any Time', userMessage: '', maxRetries: 0 },
      { windowStart: 100, windowEnd: 200, windowMode: '2 Immediately', userMessage: '', maxRetries: 1 },
    ],
    0,
  );
  const t = { notBefore: windows[0]!.start, windows };
  assert.deepEqual(startDecision(t, 0), { action: 'wait', until: 10_000 });
  assert.equal(startDecision(t, 15_000).action, 'start');
  assert.deepEqual(startDecision(t, 30_000), { action: 'wait', until: 100_000 });
  assert.deepEqual(startDecision({ ...t, notBefore: 20_000 }, 20_000), { action: 'wait', until: 100_000 }, 'a stop at the end of a window moves on');
  assert.deepEqual(startDecision(t, 200_000), { action: 'expired' });
  assert.equal(
    code(() => absoluteWindows([], 0)),
    9003,
  );
});

test('property: a start decision always lies inside a window, and nothing starts before notBefore', () => {
  fc.assert(
    fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(3000), fc.nat(3000), (a, la, gap, lb, now, nb) => {
      const windows = absoluteWindows(
        [
          { windowStart: a, windowEnd: a + la, windowMode: '1 At Any Time', userMessage: '', maxRetries: 0 },
          { windowStart: a + la + gap, windowEnd: a + la + gap + lb, windowMode: '1 At Any Time', userMessage: '', maxRetries: 0 },
        ],
        0,
      );
      const d = startDecision({ notBefore: nb * 1000, windows }, now * 1000);
      if (d.action === 'start') {
        assert.ok(d.window && now * 1000 >= d.window.start && now * 1000 < d.window.end && now * 1000 >= nb * 1000);
      } else if (d.action === 'wait') {
        assert.ok(d.until > now * 1000);
      } else {
        assert.ok(windows.every((w) => w.end <= Math.max(now, nb) * 1000));
      }
    }),
  );
});

test('TransferComplete faults stay within the schema: 9013 and 9003 become 9010/9011, long reasons are cut to 256', () => {
  assert.deepEqual(transferCompleteFault(9013, 'ftp', true), { faultCode: 9010, faultString: 'ftp' });
  assert.equal(transferCompleteFault(9003, 'bad name', false).faultCode, 9011);
  assert.equal(transferCompleteFault(9018, 'x'.repeat(400), true).faultString.length, 256);
  assert.deepEqual(transferCompleteFault(0, 'ignored', true), { faultCode: 0, faultString: '' });
  assert.equal(transferCompleteFault(9850, 'vendor', true).faultCode, 9850);
});

test('queue states and cancel rules: installing cannot be cancelled (9021)', () => {
  const base = acceptDownload(req, [], 0, 'a');
  const list: TransferRecord[] = [base, { ...base, id: 'b', commandKey: 'i', phase: 'installing' }, { ...base, id: 'c', commandKey: 'r', phase: 'rebooting' }];
  assert.deepEqual(
    queuedTransfers(list).map((q) => q.state),
    [1, 2, 3],
  );
  assert.equal(transfersToCancel(list, 'k').length, 1);
  assert.equal(
    code(() => transfersToCancel(list, 'i')),
    9021,
  );
  assert.equal(
    code(() => transfersToCancel(list, 'r')),
    9021,
  );
  assert.equal(
    code(() => transfersToCancel(list, 'none')),
    9003,
  );
});
