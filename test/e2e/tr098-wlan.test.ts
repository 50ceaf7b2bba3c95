/**
 * TR-098 Wi-Fi on the simulated gateway (LANDevice.1.WLANConfiguration.{i}, WiFiLAN:1) through
 * real sessions with the test ACS: the factory SSID and hidden keys, associated stations that
 * are also Hosts, the ACS changing SSID and passphrase (kept across a restart, back to the
 * factory ones after FactoryReset), and every malformed setting refused at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';

const LAN = 'InternetGatewayDevice.LANDevice.1.';
const W1 = `${LAN}WLANConfiguration.1.`;
const W2 = `${LAN}WLANConfiguration.2.`;

/** Runs one session with these requests; returns the CPE's answers to them, in order. */
async function session(h: Harness, ...rpcs: AcsRequest[]): Promise<{ method: string; body: string }[]> {
  const before = h.acs.completedSessions(h.serial).length;
  h.acs.queue(h.serial, ...rpcs);
  if (before === 0) h.agent.start();
  else h.agent.trigger('6 CONNECTION REQUEST');
  await sessionsCompleted(h, before + 1);
  return h.acs.completedSessions(h.serial)[before]!.messages.filter((m) => m.from === 'cpe' && m.method !== '' && m.method !== 'Inform');
}

const values = (body: string): Record<string, string> =>
  Object.fromEntries(Object.entries(parameterValues(readCpeMessage(body))).map(([k, v]) => [k, v.value]));

test('TR-098 WLAN: factory settings, stations as Hosts, SSID and passphrase set, kept, and reset', async () => {
  // Seed chosen so the 2.4 GHz radio has stations.
  const h = await startHarness({ agent: { schema: IGD_SCHEMA }, seed: 'x' });
  try {
    const [first] = await session(h, { method: 'GetParameterValues', parameterNames: [LAN] });
    const v = values(first!.body);
    assert.match(v[`${W1}SSID`]!, /^cwmp-[0-9A-F]{4}$/);
    assert.match(v[`${W2}SSID`]!, /^cwmp-[0-9A-F]{4}-5G$/);
    assert.equal(v[`${W1}KeyPassphrase`], '', 'passphrases read back empty');
    assert.equal(v[`${LAN}LANWLANConfigurationNumberOfEntries`], '2');
    assert.equal(v[`${W1}Status`], 'Up');
    assert.equal(v[`${W1}PossibleChannels`], '1,2,3,4,5,6,7,8,9,10,11,12,13');
    const stations = Number(v[`${W1}TotalAssociations`]) + Number(v[`${W2}TotalAssociations`]);
    assert.ok(stations > 0, 'the seed gives the gateway some Wi-Fi stations');
    const stationMacs = Object.entries(v)
      .filter(([k]) => k.endsWith('.AssociatedDeviceMACAddress') && k.includes('.AssociatedDevice.'))
      .map(([, mac]) => mac);
    assert.equal(stationMacs.length, stations);
    const wifiHosts = Object.entries(v)
      .filter(([k, t]) => k.endsWith('.InterfaceType') && t === '802.11')
      .map(([k]) => v[k.replace('InterfaceType', 'MACAddress')]);
    assert.deepEqual(wifiHosts.sort(), stationMacs.sort(), 'each station is also a LAN Host on 802.11');

    const [set] = await session(h, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${W1}SSID`, value: 'HomeNet' },
        { name: `${W1}KeyPassphrase`, value: 'correct horse battery' },
        { name: `${W1}BeaconType`, value: 'WPAand11i' },
        { name: `${W1}Channel`, value: '11' },
        { name: `${W2}RadioEnabled`, value: 'false' },
      ],
      parameterKey: 'wifi-1',
    });
    assert.equal(set!.method, 'SetParameterValuesResponse');
    await h.restart();
    await sessionsCompleted(h, 3);
    const [after] = await session(h, { method: 'GetParameterValues', parameterNames: [W1, `${W2}Status`, `${W2}TotalAssociations`] });
    const a = values(after!.body);
    assert.equal(a[`${W1}SSID`], 'HomeNet');
    assert.equal(a[`${W1}BeaconType`], 'WPAand11i');
    assert.equal(a[`${W1}Channel`], '11');
    assert.equal(a[`${W2}Status`], 'Disabled', 'radio off: the access point is down');
    assert.equal(a[`${W2}TotalAssociations`], '0', 'and nobody is associated');
    assert.equal(h.agent.model.read(`${W1}KeyPassphrase`), 'correct horse battery', 'the device holds the passphrase');

    // Automatic channel selection: Channel is what it picked.
    await session(h, { method: 'SetParameterValues', parameterList: [{ name: `${W1}AutoChannelEnable`, value: 'true' }], parameterKey: 'auto' });
    assert.ok(['1', '6', '11'].includes(h.agent.model.read(`${W1}Channel`)));

    await session(h, { method: 'FactoryReset' });
    await sessionsCompleted(h, 7);
    assert.equal(h.agent.model.read(`${W1}SSID`), v[`${W1}SSID`], 'the factory SSID again');
    assert.equal(h.agent.model.read(`${W2}RadioEnabled`), 'true');
  } finally {
    await h.close();
  }
});

test('TR-098 WLAN: malformed settings are refused each with 9007, and nothing of the request applies', async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA }, seed: 'x' });
  try {
    const ssid = h.agent.model.read(`${W1}SSID`);
    const [answer] = await session(h, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${W1}SSID`, value: 'WouldBeNew' },
        { name: `${W1}Channel`, value: '14' },
        { name: `${W2}Channel`, value: '6' },
        { name: `${W1}KeyPassphrase`, value: 'short' },
        { name: `${W1}PreSharedKey.1.PreSharedKey`, value: 'not-hex' },
        { name: `${W1}WEPKey.1.WEPKey`, value: '12345' },
        { name: `${W1}MaxBitRate`, value: '7' },
        { name: `${W1}OperationalDataTransmitRates`, value: '1,2,600' },
        { name: `${W1}SSID.Extra`, value: 'x' },
      ],
      parameterKey: 'bad',
    });
    assert.equal(answer!.method, 'Fault');
    const faults = [...answer!.body.matchAll(/<ParameterName>([^<]+)<\/ParameterName>\s*<FaultCode>(\d+)<\/FaultCode>/g)].map(
      (m) => `${m[1]!.slice(LAN.length)}=${m[2]}`,
    );
    assert.deepEqual(faults.sort(), [
      'WLANConfiguration.1.Channel=9007',
      'WLANConfiguration.1.KeyPassphrase=9007',
      'WLANConfiguration.1.MaxBitRate=9007',
      'WLANConfiguration.1.OperationalDataTransmitRates=9007',
      'WLANConfiguration.1.PreSharedKey.1.PreSharedKey=9007',
      'WLANConfiguration.1.SSID.Extra=9005',
      'WLANConfiguration.1.WEPKey.1.WEPKey=9007',
      'WLANConfiguration.2.Channel=9007',
    ]);
    assert.equal(h.agent.model.read(`${W1}SSID`), ssid, 'atomic: the good SSID was not applied either');
    const [good] = await session(h, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${W1}PreSharedKey.1.PreSharedKey`, value: 'a'.repeat(64) },
        { name: `${W1}WEPKey.2.WEPKey`, value: '0123456789ABCDEF0123456789' },
        { name: `${W2}Channel`, value: '100' },
      ],
      parameterKey: 'good',
    });
    assert.equal(good!.method, 'SetParameterValuesResponse');
    const [cannotAdd] = await session(h, { method: 'AddObject', objectName: `${LAN}WLANConfiguration.`, parameterKey: 'add' });
    assert.equal(cannotAdd!.method, 'Fault', 'the radios are the hardware: no AddObject');
  } finally {
    await h.close();
  }
});
