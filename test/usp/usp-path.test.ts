/** USP path names: segments, instances, wildcards and search expressions; what does not parse is 7008. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UspError } from '../../src/usp/usp-errors.js';
import { parseUspPath, satisfies } from '../../src/usp/usp-path.js';

test('paths parse into names, instances, wildcards and searches (dots and quotes inside brackets kept)', () => {
  const p = parseUspPath('Device.IP.Interface.[Type=="Normal"&&Stats.BytesSent>=1000].IPv4Address.*.IPAddress');
  assert.equal(p.isObject, false);
  assert.deepEqual(p.segments, [
    { kind: 'name', name: 'Device' },
    { kind: 'name', name: 'IP' },
    { kind: 'name', name: 'Interface' },
    {
      kind: 'search',
      conditions: [
        { param: 'Type', op: '==', value: 'Normal' },
        { param: 'Stats.BytesSent', op: '>=', value: '1000' },
      ],
    },
    { kind: 'name', name: 'IPv4Address' },
    { kind: 'wildcard' },
    { kind: 'name', name: 'IPAddress' },
  ]);
  assert.deepEqual(parseUspPath('Device.LocalAgent.Controller.2.').segments.at(-1), { kind: 'instance', id: 2 });
  assert.deepEqual(parseUspPath('Device.X.[Name=="a.b]c"].').segments.at(-1), { kind: 'search', conditions: [{ param: 'Name', op: '==', value: 'a.b]c' }] });
  assert.deepEqual(parseUspPath('Device.Reboot()').segments.at(-1), { kind: 'name', name: 'Reboot()' });
});

test('what is not a path is 7008 (a path outside Device. is 7026)', () => {
  for (const bad of [
    'Device.X.[Enable=true].',
    'Device.X.[Enable==true',
    'Device..X',
    'Device.X.[A=="open].',
    'Device.X.[A==1||B==2].',
    'Device.X.[A==b c].',
    '',
  ]) {
    assert.throws(
      () => parseUspPath(bad),
      (e: unknown) => e instanceof UspError && e.code === 7008,
      JSON.stringify(bad),
    );
  }
  assert.throws(
    () => parseUspPath('InternetGatewayDevice.X.'),
    (e: unknown) => e instanceof UspError && e.code === 7026,
  );
});

test('conditions compare numbers as numbers and text as text', () => {
  assert.equal(satisfies('1000', { param: 'x', op: '>', value: '200' }), true);
  assert.equal(satisfies('abc', { param: 'x', op: '>', value: '200' }), false);
  assert.equal(satisfies('true', { param: 'x', op: '==', value: 'true' }), true);
  assert.equal(satisfies('1.0', { param: 'x', op: '==', value: '1' }), true);
  assert.equal(satisfies('Up', { param: 'x', op: '!=', value: 'Down' }), true);
});
