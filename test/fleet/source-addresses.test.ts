/** Source-address pools (each device its own, from its index) and the port budget's arithmetic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { addressesNotOnHost, missingAddressesMessage, SourceAddresses } from '../../src/fleet/source-addresses.js';
import { ephemeralPorts, neededConnectionsPerSecond, portBudget, portBudgetWarning, tcpSockets } from '../../src/fleet/port-budget.js';

test('an IPv4 block hands out its hosts, not its network or broadcast address; /31 and /32 all of theirs', () => {
  const p = SourceAddresses.parse(['10.20.0.0/30']);
  assert.equal(p.size, 2n);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => p.addressFor(i)),
    ['10.20.0.1', '10.20.0.2', '10.20.0.1', '10.20.0.2'],
  );
  assert.deepEqual(
    [0, 1].map((i) => SourceAddresses.parse(['10.20.0.6/31']).addressFor(i)),
    ['10.20.0.6', '10.20.0.7'],
  );
  assert.equal(SourceAddresses.parse(['192.0.2.9/32']).addressFor(5), '192.0.2.9');
  // Host bits given are ignored: the block is what the prefix says.
  assert.equal(SourceAddresses.parse(['10.20.0.77/24']).addressFor(0), '10.20.0.1');
});

test('IPv6 prefixes, as big as a /56, hand out canonical addresses from ::1', () => {
  const p = SourceAddresses.parse(['2001:db8:0:100::/56']);
  assert.equal(p.size, (1n << 72n) - 1n);
  assert.equal(p.addressFor(0), '2001:db8:0:100::1');
  assert.equal(p.addressFor(65535), '2001:db8:0:100::1:0');
  assert.equal(p.addressFor(99_999), '2001:db8:0:100::1:86a0');
  assert.equal(SourceAddresses.parse(['fd00::ffff:0:0/126']).addressFor(2), 'fd00::ffff:0:3');
});

test('several blocks are counted through in order; a device keeps its address whatever the shard', () => {
  const p = SourceAddresses.parse(['10.0.0.1/32,10.0.0.2/32', ' fd00::/127 ']);
  assert.equal(p.size, 4n);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => p.addressFor(i)),
    ['10.0.0.1', '10.0.0.2', 'fd00::', 'fd00::1', '10.0.0.1'],
  );
  assert.deepEqual([...p.families].sort(), [4, 6]);
  assert.equal(p.distinctFor(0, 3), 3);
  assert.equal(p.distinctFor(10, 100), 4);
  fc.assert(
    fc.property(fc.nat(10_000_000), (i) => {
      const a = SourceAddresses.parse(['10.64.0.0/12', '2001:db8::/64']);
      const b = SourceAddresses.parse(['10.64.0.0/12', '2001:db8::/64']);
      return a.addressFor(i) === b.addressFor(i);
    }),
  );
});

test('what is no CIDR block is refused, naming it', () => {
  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', 'host.example/24', '10.0.0.300/24', '', ' , ']) {
    assert.throws(() => SourceAddresses.parse([bad]), /source address/, bad);
  }
});

test('addresses the host does not have are found and named, with how to add them', async () => {
  // Documentation addresses (RFC 5737), unless this host uses them (some test machines do).
  const hostHas = new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)));
  const absent = ['203.0.113.1', '203.0.113.2', '198.51.100.1', '198.51.100.2'].filter((a) => !hostHas.has(a)).slice(0, 2);
  assert.equal(absent.length, 2, 'two documentation addresses this host does not have');
  const missing = await addressesNotOnHost(['127.0.0.1', absent[0]!, absent[1]!, '127.0.0.1']);
  assert.deepEqual(missing, absent);
  const text = missingAddressesMessage(missing, SourceAddresses.parse(['203.0.113.0/24']));
  assert.ok(text.includes(`does not have 2 of the fleet's source addresses (${absent[0]}, ${absent[1]})`), text);
  assert.ok(text.includes(`ip addr add ${absent[0]}/32 dev`), text);
  assert.match(text, /ip route add local 203\.0\.113\.0\/24 dev lo/);
  assert.match(
    missingAddressesMessage(['2001:db8::1'], SourceAddresses.parse(['2001:db8::/64'])),
    /ip -6 route add local 2001:db8::\/64 dev lo.*ip_nonlocal_bind=1/,
  );
});

test('the port budget: addresses × ephemeral ports ÷ 60 s, and a warning only past it', () => {
  const one = portBudget(1, 28_232);
  assert.equal(one.sustainablePerSecond, 470);
  assert.equal(portBudget(4, 28_232).sustainablePerSecond, 1882);
  // 100,000 devices booting within 60 s need 1,667 a second: one address cannot, four can.
  const needed = neededConnectionsPerSecond({ scenario: 'boot-storm', devices: 100_000, bootWindowSeconds: 60, intervalSeconds: 3600 });
  assert.equal(Math.ceil(needed), 1667);
  const warning = portBudgetWarning(one, needed);
  assert.match(warning ?? '', /1667 new connections a second; 1 source address × 28232 ephemeral ports ÷ 60 s .* sustain 470.*at least 4 addresses/);
  assert.equal(portBudgetWarning(portBudget(4, 28_232), needed), undefined);
  // A steady rate, and a rollout's three connections per device.
  assert.equal(neededConnectionsPerSecond({ scenario: 'steady', devices: 1000, bootWindowSeconds: 600, rate: 900, intervalSeconds: 1 }), 1000);
  assert.equal(neededConnectionsPerSecond({ scenario: 'firmware-rollout', devices: 3600, bootWindowSeconds: 3600, rate: 100, intervalSeconds: 3600 }), 301);
});

test('the ephemeral range and the socket counts are read from /proc (or their stand-ins)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ports-'));
  try {
    fs.writeFileSync(path.join(dir, 'range'), '40000\t40099\n');
    assert.equal(ephemeralPorts(path.join(dir, 'range')), 100);
    assert.equal(ephemeralPorts(path.join(dir, 'absent')), 28_232);
    fs.writeFileSync(path.join(dir, 'sockstat'), 'sockets: used 8\nTCP: inuse 12 orphan 0 tw 345 alloc 13 mem 2\nUDP: inuse 0 mem 0\n');
    fs.writeFileSync(path.join(dir, 'sockstat6'), 'TCP6: inuse 3\nUDP6: inuse 1\n');
    assert.deepEqual(tcpSockets(dir), { inUse: 15, timeWait: 345 });
    assert.equal(tcpSockets(path.join(dir, 'none')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
