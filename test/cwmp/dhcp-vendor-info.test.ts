/** DHCP option 125 (RFC 3925) with TR-111's sub-options: encoding, decoding, dhclient's lease format. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BBF_ENTERPRISE_NUMBER, decodeVendorInfo, encodeVendorInfo, lastVivsoInLeases, VendorInfoError } from '../../src/cwmp/dhcp-vendor-info.js';

test('a device and a gateway identity round-trip; other enterprises are skipped', () => {
  const device = { oui: '00D09E', serialNumber: 'SN-1', productClass: 'STB' };
  const gateway = { oui: '0014BF', serialNumber: 'GW 77', productClass: 'HomeGateway' };
  const other = Buffer.from([0, 0, 0x0d, 0xe8, 3, 1, 1, 0x41]); // enterprise 3560, one sub-option
  const both = Buffer.concat([other, encodeVendorInfo('device', device), encodeVendorInfo('gateway', gateway)]);
  assert.deepEqual(decodeVendorInfo(both), { device, gateway });
  const encoded = encodeVendorInfo('gateway', gateway);
  assert.equal(encoded.readUInt32BE(0), BBF_ENTERPRISE_NUMBER);
  assert.deepEqual([...encoded.subarray(5, 7)], [4, 6], 'sub-option 4 (GatewayManufacturerOUI), 6 bytes');
});

test('any identity round-trips (property)', () => {
  const text = fc.string({ maxLength: 64 });
  fc.assert(
    fc.property(fc.record({ oui: text, serialNumber: text, productClass: text }), fc.constantFrom('device' as const, 'gateway' as const), (id, role) => {
      if (Buffer.byteLength(id.oui) + Buffer.byteLength(id.serialNumber) + Buffer.byteLength(id.productClass) + 6 > 255) return;
      assert.deepEqual(decodeVendorInfo(encodeVendorInfo(role, id))[role], { ...id });
    }),
  );
});

test('malformed options are refused with a reason', () => {
  const good = encodeVendorInfo('device', { oui: '00D09E', serialNumber: 'S', productClass: 'P' });
  assert.throws(() => decodeVendorInfo(good.subarray(0, 3)), VendorInfoError);
  assert.throws(() => decodeVendorInfo(good.subarray(0, good.length - 1)), /runs past/);
  const badSub = Buffer.from(good);
  badSub[6] = 200; // sub-option 1 claims 200 bytes
  assert.throws(() => decodeVendorInfo(badSub), /sub-option 1 runs past/);
  assert.throws(() => encodeVendorInfo('device', { oui: 'x'.repeat(256), serialNumber: '', productClass: '' }), VendorInfoError);
});

test('dhclient leases: the last option vivso, in hex or quoted form', () => {
  const hex = [...encodeVendorInfo('gateway', { oui: '0014BF', serialNumber: 'A1', productClass: 'GW' })].map((b) => b.toString(16)).join(':');
  const leases = `lease {\n  interface "eth0";\n  option vivso 0:0:d:e9:3:4:1:41;\n}\nlease {\n  interface "eth0";\n  fixed-address 192.168.1.100;\n  option vivso ${hex};\n  renew 3 2026/11/25 10:00:00;\n}\n`;
  assert.deepEqual(decodeVendorInfo(lastVivsoInLeases(leases)!).gateway, { oui: '0014BF', serialNumber: 'A1', productClass: 'GW' });
  assert.equal(lastVivsoInLeases('lease {\n  interface "eth0";\n}\n'), undefined);
  const quoted = 'lease {\n  option vivso "\\000\\000\\015\\351\\003\\004\\001A";\n}\n';
  assert.deepEqual(decodeVendorInfo(lastVivsoInLeases(quoted)!).gateway, { oui: 'A', serialNumber: '', productClass: '' });
});
