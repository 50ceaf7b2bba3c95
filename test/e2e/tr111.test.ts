/**
 * TR-111 Part 1 through real sessions: the gateway's ManageableDevice list (with Host pointing at
 * the LAN host), active notification of ManageableDeviceNumberOfEntries paced by
 * ManageableDeviceNotificationLimit, and the GatewayInfo a device behind a gateway reports, from
 * its seed or from a dhclient lease with option 125, with 4 VALUE CHANGE when it changes between boots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { encodeVendorInfo } from '../../src/cwmp/dhcp-vendor-info.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';
import { DataModel } from '../../src/datamodel/data-model.js';
import { builtInFor } from '../../src/models/built-in.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { LinuxHostDevice } from '../../src/providers/linux-host.js';
import { manageableDeviceProvider, type ManageableDeviceEntry } from '../../src/providers/tr111-providers.js';
import { sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';

const R = 'InternetGatewayDevice.';
const MD = `${R}ManagementServer.ManageableDevice.`;

test('the simulated gateway lists the set-top box behind it, Host naming its LAN host entry', async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  try {
    h.acs.queue(h.serial, { method: 'GetParameterValues', parameterNames: [`${R}ManagementServer.ManageableDeviceNumberOfEntries`, MD] });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const answer = h.acs.completedSessions(h.serial)[0]!.messages.find((m) => m.method === 'GetParameterValuesResponse')!;
    const v = Object.fromEntries(Object.entries(parameterValues(readCpeMessage(answer.body))).map(([k, x]) => [k, x.value]));
    assert.equal(v[`${R}ManagementServer.ManageableDeviceNumberOfEntries`], '1');
    assert.equal(v[`${MD}1.ManufacturerOUI`], '00D09E');
    assert.equal(v[`${MD}1.ProductClass`], 'SimulatedSTB');
    const host = v[`${MD}1.Host`]!;
    assert.match(host, /^InternetGatewayDevice\.LANDevice\.1\.Hosts\.Host\.\d+$/);
    assert.equal(h.agent.model.read(`${host}.MACAddress`).replace(/:/g, '').slice(2, 12), v[`${MD}1.SerialNumber`]!.slice(3), 'the entry is the host it names');
  } finally {
    await h.close();
  }
});

test('ManageableDeviceNumberOfEntries with active notification: a new device opens a session, the next waits for ManageableDeviceNotificationLimit', async () => {
  const entries: ManageableDeviceEntry[] = [];
  const h = await startHarness({ manualClock: true, agent: { schema: IGD_SCHEMA, notificationPollSeconds: 5 } });
  const clock = h.clock as ManualClock;
  try {
    // The gateway's own DHCP records, as an integrator would hand them over.
    h.agent.model.addProvider(manageableDeviceProvider(R, () => entries, `${R}LANDevice.1.Hosts.Host.`));
    h.acs.queue(
      h.serial,
      {
        method: 'SetParameterAttributes',
        parameterList: [
          { name: `${R}ManagementServer.ManageableDeviceNumberOfEntries`, notificationChange: true, notification: 2, accessListChange: false, accessList: [] },
        ],
      },
      { method: 'SetParameterValues', parameterList: [{ name: `${R}ManagementServer.ManageableDeviceNotificationLimit`, value: '60' }], parameterKey: 'lim' },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    await new Promise((r) => setTimeout(r, 100));
    entries.push({ oui: '00D09E', serialNumber: 'STB-1', productClass: 'STB' });
    clock.advance(5_000);
    await sessionsCompleted(h, 2);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );
    assert.equal(
      parameterValues(readCpeMessage(h.acs.completedSessions(h.serial)[1]!.messages[0]!.body))[`${R}ManagementServer.ManageableDeviceNumberOfEntries`]?.value,
      '1',
    );
    await new Promise((r) => setTimeout(r, 100));
    entries.push({ oui: '00D09E', serialNumber: 'STB-2', productClass: 'STB' });
    clock.advance(5_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.acs.completedSessions(h.serial).length, 2, 'within the limit: the change waits');
    clock.advance(55_000);
    await sessionsCompleted(h, 3);
    assert.equal(
      parameterValues(readCpeMessage(h.acs.completedSessions(h.serial)[2]!.messages[0]!.body))[`${R}ManagementServer.ManageableDeviceNumberOfEntries`]?.value,
      '2',
    );
  } finally {
    await h.close();
  }
});

test('GatewayInfo: the simulated device names its gateway; a Linux host reads it from its dhclient lease', () => {
  // Simulated: from the seed, through the data model.
  return (async () => {
    const h = await startHarness();
    try {
      assert.match(h.agent.model.read('Device.GatewayInfo.SerialNumber'), /^SIMGW[0-9A-F]{10}$/);
      assert.equal(h.agent.model.read('Device.GatewayInfo.ProductClass'), 'SimulatedGateway');
    } finally {
      await h.close();
    }
    const dir = tempDir('leases-');
    try {
      const hex = [...encodeVendorInfo('gateway', { oui: '0014BF', serialNumber: 'GW-42', productClass: 'HomeGW' })].map((b) => b.toString(16)).join(':');
      fs.writeFileSync(path.join(dir, 'dhclient.eth0.leases'), `lease {\n  interface "eth0";\n  option vivso ${hex};\n}\n`);
      const host = new LinuxHostDevice({ roots: { dhcpLeases: [dir] } });
      const model = new DataModel(builtInFor('Device.').schema, new MemoryModelStore(), host.providers);
      assert.deepEqual(
        ['ManufacturerOUI', 'SerialNumber', 'ProductClass'].map((n) => model.read(`Device.GatewayInfo.${n}`)),
        ['0014BF', 'GW-42', 'HomeGW'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  })();
});

test('a GatewayInfo that changed between boots is reported with 4 VALUE CHANGE in the boot session', async () => {
  let serial = 'GW-1';
  const h = await startHarness();
  try {
    h.agent.model.addProvider({ objects: ['Device.GatewayInfo.'], get: (p) => (p === 'Device.GatewayInfo.SerialNumber' ? serial : undefined) });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.ok(!h.acs.completedSessions(h.serial)[0]!.events.some((e) => e.code === '4 VALUE CHANGE'), 'the first boot only records it');
    serial = 'GW-2';
    await h.restart((again) =>
      again.model.addProvider({ objects: ['Device.GatewayInfo.'], get: (p) => (p === 'Device.GatewayInfo.SerialNumber' ? serial : undefined) }),
    );
    await sessionsCompleted(h, 2);
    const boot = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(boot.events.map((e) => e.code).sort(), ['1 BOOT', '4 VALUE CHANGE']);
    assert.equal(parameterValues(readCpeMessage(boot.messages[0]!.body))['Device.GatewayInfo.SerialNumber']?.value, 'GW-2');
  } finally {
    await h.close();
  }
});
