/** UDP Lightweight Notification messages (TR-069 Annex M): building, splitting, signing, reading, XSD. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  frameLightweightNotification,
  lightweightNotificationDatagrams,
  LightweightNotificationError,
  parseLightweightNotificationDatagram,
  verifyLightweightSignature,
  writeLightweightNotification,
} from '../../src/cwmp/lightweight-notification.js';
import type { ParameterValue } from '../../src/cwmp/messages.js';
import { validateLightweightNotifications, xsdSkipReason } from '../helpers/xsd.js';

const SENDER = { ts: 1_795_000_000, username: 'cpe-user', oui: '00D09E', productClass: 'STB & Co', serialNumber: 'SN<1>' };
const counter = (): (() => string) => {
  let i = 0;
  return () => `cnonce${++i}`;
};

test('a notification reads back as written, and its signature holds only under the right password', () => {
  const params: ParameterValue[] = [
    { name: 'Device.Time.LocalTimeZone', value: 'CET-1CEST,M3.5.0,M10.5.0/3', type: 'string' },
    { name: 'Device.DeviceInfo.UpTime', value: '42', type: 'unsignedInt' },
    { name: 'Device.X_Test.Text', value: 'a<b & "c"\r\nd', type: 'string' },
  ];
  const [datagram, ...rest] = lightweightNotificationDatagrams(SENDER, params, counter(), { host: 'acs.example', password: 's3cret' });
  assert.equal(rest.length, 0);
  const received = parseLightweightNotificationDatagram(datagram!);
  assert.equal(received.headers['host'], 'acs.example');
  assert.match(received.headers['content-type']!, /^text\/xml/);
  assert.deepEqual(received.notification, { ...SENDER, cnonce: 'cnonce1', params });
  assert.equal(verifyLightweightSignature(received, 's3cret'), true);
  assert.equal(verifyLightweightSignature(received, 'wrong'), false);
  // A body changed on the way no longer matches its signature.
  const tampered = Buffer.from(datagram!.toString('utf8').replace('<TS>1795000000</TS>', '<TS>1795000001</TS>'));
  assert.equal(verifyLightweightSignature(parseLightweightNotificationDatagram(tampered), 's3cret'), false);
});

test('a long list is split over datagrams that each fit, every one complete and signed with its own cnonce', () => {
  const params: ParameterValue[] = Array.from({ length: 80 }, (_, i) => ({
    name: `Device.Hosts.Host.${i + 1}.HostName`,
    value: `host-${i}-${'x'.repeat(20)}`,
    type: 'string',
  }));
  const datagrams = lightweightNotificationDatagrams(SENDER, params, counter(), { host: 'h', password: 'p', maxBytes: 1200 });
  assert.ok(datagrams.length > 3, `${datagrams.length} datagrams`);
  const read = datagrams.map((d) => {
    assert.ok(d.length <= 1200, `${d.length} bytes`);
    const r = parseLightweightNotificationDatagram(d);
    assert.ok(verifyLightweightSignature(r, 'p'));
    return r.notification;
  });
  assert.deepEqual(
    read.flatMap((n) => n.params),
    params,
    'every value once, in order',
  );
  assert.equal(new Set(read.map((n) => n.cnonce)).size, read.length);
  // One value longer than a datagram still goes, alone.
  const big: ParameterValue = { name: 'Device.X.Big', value: 'y'.repeat(3000), type: 'string' };
  const withBig = lightweightNotificationDatagrams(SENDER, [params[0]!, big, params[1]!], counter(), { host: 'h', password: 'p', maxBytes: 1200 });
  assert.deepEqual(
    withBig.map((d) => parseLightweightNotificationDatagram(d).notification.params.map((p) => p.name)),
    [[params[0]!.name], [big.name], [params[1]!.name]],
  );
});

test('any value round-trips through a notification (property)', () => {
  // XML 1.0 cannot carry most C0 controls; everything else must come back exactly.
  const xmlText = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s));
  fc.assert(
    fc.property(
      fc.array(fc.record({ name: xmlText.filter((s) => s.length > 0), value: xmlText }), { minLength: 1, maxLength: 5 }),
      xmlText,
      (list, password) => {
        const params = list.map((p) => ({ ...p, type: 'string' as const }));
        const datagrams = lightweightNotificationDatagrams(SENDER, params, counter(), { host: 'h', password });
        const read = datagrams.map((d) => parseLightweightNotificationDatagram(d));
        assert.ok(read.every((r) => verifyLightweightSignature(r, password)));
        assert.deepEqual(
          read.flatMap((r) => r.notification.params),
          params,
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('malformed datagrams are refused with a reason, never a crash', () => {
  const body = writeLightweightNotification({ ...SENDER, cnonce: 'c', params: [{ name: 'A', value: '1' }] });
  const good = frameLightweightNotification(body, { host: 'h', password: 'p' }).toString('utf8');
  const cases: [string, string | Buffer][] = [
    ['no end of headers', 'POST / HTTP/1.1\r\nHost: h'],
    ['not a POST request line', good.replace('POST / HTTP/1.1', 'GET / HTTP/1.1')],
    ['Content-Length does not match the body', `${good} `],
    ['no Signature header', good.replace(/Signature: \w+\r\n/, '')],
    ['body is not XML', good.replace(body, '<Notification').replace(/Content-Length: \d+/, 'Content-Length: 13')],
    ['not an lwnotif-1-0 Notification', frameLightweightNotification('<Notification><TS>1</TS></Notification>', { host: 'h', password: 'p' })],
    ['no Param', frameLightweightNotification(writeLightweightNotification({ ...SENDER, cnonce: 'c', params: [] }), { host: 'h', password: 'p' })],
    ['datagram too long', Buffer.alloc(70_000, 0x41)],
  ];
  for (const [reason, datagram] of cases) {
    assert.throws(
      () => parseLightweightNotificationDatagram(Buffer.isBuffer(datagram) ? datagram : Buffer.from(datagram)),
      (err: unknown) => err instanceof LightweightNotificationError && err.message.includes(reason),
      reason,
    );
  }
  // A document type (and so any entity) is refused by the reader.
  const doctype = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>${body.slice(body.indexOf('<Notification'))}`;
  assert.throws(() => parseLightweightNotificationDatagram(frameLightweightNotification(doctype, { host: 'h', password: 'p' })), LightweightNotificationError);
});

test('notifications validate against cwmp-UDPLightweightNotification-1-0.xsd', (t) => {
  const skip = xsdSkipReason();
  if (skip) return t.skip(skip);
  const types: ParameterValue['type'][] = ['string', 'int', 'unsignedInt', 'long', 'unsignedLong', 'boolean', 'dateTime', 'base64', 'hexBinary'];
  const values: Record<ParameterValue['type'], string> = {
    string: 'x & <y>',
    int: '-1',
    unsignedInt: '7',
    long: '-9',
    unsignedLong: '9',
    boolean: 'true',
    dateTime: '2026-11-25T10:00:00Z',
    base64: 'AAEC',
    hexBinary: '0A0B',
  };
  const params = types.map((type, i) => ({ name: `Device.P${i}`, value: values[type], type }));
  const bodies = lightweightNotificationDatagrams(SENDER, params, counter(), { host: 'h', password: 'p', maxBytes: 600 }).map(
    (d) => parseLightweightNotificationDatagram(d).body,
  );
  assert.ok(bodies.length > 1);
  const result = validateLightweightNotifications(bodies);
  assert.ok(result.ok, result.output);
  // And the check can fail: a notification without its serial number is not valid.
  const broken = validateLightweightNotifications([bodies[0]!.replace(/<SerialNumber>.*<\/SerialNumber>/, '')]);
  assert.equal(broken.ok, false);
});
