/**
 * The simulated TR-104 voice service over CWMP: its rows and registrations as the ACS reads
 * them, call counters that move with time, registration that follows what the ACS writes, and
 * writes the model or the service refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textAt } from '../../src/acs/acs-messages.js';
import type { ParameterValueInput } from '../../src/cwmp/messages.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { getValues, sendRpcs, startHarness, sessionsCompleted, type Harness } from '../helpers/agent-harness.js';

const V = 'Device.Services.VoiceService.1.';
const LINE = `${V}CallControl.Line.1.`;
const CLIENT = `${V}SIP.Client.1.`;
const NET = `${V}SIP.Network.1.`;

const spv = async (h: Harness, ...list: ParameterValueInput[]) =>
  (await sendRpcs(h, { method: 'SetParameterValues', parameterList: list, parameterKey: 'voice' }))!;
const str = (name: string, value: string): ParameterValueInput => ({ name, value, type: 'string' });

test('voice: two lines registered on their SIP clients; counters move as calls come and go', { timeout: 30_000 }, async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const v = await getValues(h, 'Device.Services.');
    assert.equal(v['Device.Services.VoiceServiceNumberOfEntries'], '1');
    assert.equal(v[`${V}POTS.FXSNumberOfEntries`], '2');
    assert.equal(v[`${V}SIP.ClientNumberOfEntries`], '2');
    assert.equal(v[`${V}CallControl.LineNumberOfEntries`], '2');
    assert.match(v[`${LINE}DirectoryNumber`]!, /^\+1555\d{7}$/);
    assert.equal(v[`${CLIENT}RegisterURI`], `sip:${v[`${LINE}DirectoryNumber`]}@example.net`);
    assert.deepEqual([v[`${NET}Status`], v[`${CLIENT}Status`], v[`${LINE}Status`]], ['Up', 'Up', 'Up']);
    assert.equal(v[`${CLIENT}AuthPassword`], '', 'a password reads empty');
    const attempted = Number(v[`${LINE}Stats.OutgoingCalls.CallsAttempted`]);
    const packets = Number(v[`${LINE}Stats.RTP.PacketsSent`]);
    clock.advance(3_600_000);
    const later = await getValues(h, `${LINE}Stats.`, `${LINE}CallStatus`);
    assert.ok(Number(later[`${LINE}Stats.OutgoingCalls.CallsAttempted`]) > attempted, 'an hour brings calls');
    assert.ok(Number(later[`${LINE}Stats.IncomingCalls.CallsReceived`]) > 0);
    assert.ok(Number(later[`${LINE}Stats.RTP.PacketsSent`]) > packets);
    assert.ok(Number(later[`${LINE}Stats.RTP.BytesSent`]) === Number(later[`${LINE}Stats.RTP.PacketsSent`]) * 172);
    assert.ok(['Idle', 'Connected'].includes(later[`${LINE}CallStatus`]!));
  } finally {
    await h.close();
  }
});

test('voice: registration follows what the ACS writes, and a write that does not fit is refused', { timeout: 30_000 }, async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await spv(h, str(`${CLIENT}RegisterURI`, 'sip:alice@voice.example.org'), str(`${CLIENT}AuthUserName`, 'alice'));
    assert.equal((await getValues(h, `${CLIENT}Status`))[`${CLIENT}Status`], 'Registering');
    clock.advance(2000);
    const up = await getValues(h, CLIENT);
    assert.equal(up[`${CLIENT}Status`], 'Up');
    assert.equal(up[`${CLIENT}RegisterURI`], 'sip:alice@voice.example.org');

    // A registrar that does not resolve: the network says so, the clients and lines follow.
    await spv(h, str(`${NET}RegistrarServer`, 'sip.example.invalid'), str(`${NET}ProxyServer`, ''));
    clock.advance(2000);
    const down = await getValues(h, `${NET}Status`, `${CLIENT}Status`, `${LINE}Status`, `${LINE}CallStatus`);
    assert.deepEqual(
      [down[`${NET}Status`], down[`${CLIENT}Status`], down[`${LINE}Status`], down[`${LINE}CallStatus`]],
      ['Error_DNS', 'Error_Network', 'Error', 'Idle'],
    );
    await spv(h, { name: `${NET}Enable`, value: 'false', type: 'boolean' });
    assert.equal((await getValues(h, `${NET}Status`))[`${NET}Status`], 'Disabled');

    // Refused: a reference to no such row, a URI that is not SIP, a value outside the enumeration.
    for (const [name, value, code] of [
      [`${CLIENT}Network`, `${V}SIP.Network.9`, '9007'],
      [`${LINE}Provider`, 'Device.IP.Interface.1', '9007'],
      [`${CLIENT}RegisterURI`, 'http://example.org/', '9007'],
      [`${NET}ProxyServerTransport`, 'QUIC', '9007'],
      [`${LINE}Status`, 'Up', '9008'],
    ] as const) {
      const r = await spv(h, str(name, value));
      assert.equal(r.method, 'Fault', `${name}=${value} refused`);
      const entry = r.body!.children.find((c) => c.local === 'detail')!.children[0]!.children.find((c) => c.local === 'SetParameterValuesFault')!;
      assert.equal(textAt(entry, 'FaultCode'), code, `${name}=${value}`);
    }
  } finally {
    await h.close();
  }
});
