/** A library user assembles from a configuration what `cwmp-agent run` runs: stores, device, edges. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { assembleDevice, loadConfig } from '../../src/index.js';
import { TestAcs } from '../../src/acs/test-acs.js';
import { textAt } from '../../src/acs/acs-messages.js';
import { connectionRequestCredentials, tempDir } from '../helpers/agent-harness.js';

test('assembleDevice: the agent bootstraps, keeps its state in the state dir, and answers a connection request', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const config = loadConfig(undefined, { acsUrl: url, stateDir, crPort: 0 });
  const device = await assembleDevice(config, { logger: pino({ level: 'silent' }), connectionRequestAddress: '127.0.0.1' });
  const serial = device.device.identity.serialNumber;
  acs.queue(serial, connectionRequestCredentials('pw', 'cr'));
  try {
    device.agent.start();
    await acs.waitFor(() => acs.completedSessions(serial).length === 1);
    assert.ok(fs.existsSync(path.join(stateDir, 'data-model.json')));
    const crUrl = device.agent.model.read('Device.ManagementServer.ConnectionRequestURL');
    assert.match(crUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(await acs.connectionRequest(crUrl, 'acs', 'pw'), 200);
    await acs.waitFor(() => acs.completedSessions(serial).length === 2);
    assert.deepEqual(
      acs.completedSessions(serial)[1]!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
  } finally {
    await device.stop();
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('a single agent misbehaves as its configuration says: the ACS gets the chosen fault', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const configFile = path.join(stateDir, 'agent.yaml');
  fs.writeFileSync(configFile, JSON.stringify({ misbehaviour: [{ name: 'no-gpv', do: { rpcFault: { method: 'GetParameterValues', code: 9004 } } }] }));
  const device = await assembleDevice(loadConfig(configFile, { acsUrl: url, stateDir: path.join(stateDir, 'state'), crPort: 0 }), {
    logger: pino({ level: 'silent' }),
    connectionRequestAddress: '127.0.0.1',
  });
  const serial = device.device.identity.serialNumber;
  acs.queue(serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] }, { method: 'GetRPCMethods' });
  try {
    device.agent.start();
    await acs.waitFor(() => acs.completedSessions(serial).length === 1);
    const [gpv, rpc] = acs.responses(serial);
    assert.equal(gpv!.method, 'Fault');
    assert.equal(textAt(gpv!.body, 'detail', 'Fault', 'FaultCode'), '9004');
    assert.equal(rpc!.method, 'GetRPCMethodsResponse', 'the rest is answered');
  } finally {
    await device.stop();
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('connectionRequest.username and password are the factory credentials: a connection request with them gets through before the ACS sets any', {
  timeout: 30_000,
}, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const config = loadConfig(undefined, { acsUrl: url, stateDir, crPort: 0, crUsername: 'factory', crPassword: 'factory-pw' });
  const device = await assembleDevice(config, { logger: pino({ level: 'silent' }), connectionRequestAddress: '127.0.0.1' });
  const serial = device.device.identity.serialNumber;
  try {
    device.agent.start();
    await acs.waitFor(() => acs.completedSessions(serial).length === 1);
    const crUrl = device.agent.model.read('Device.ManagementServer.ConnectionRequestURL');
    assert.equal(await acs.connectionRequest(crUrl, 'factory', 'wrong'), 401);
    assert.equal(await acs.connectionRequest(crUrl, 'factory', 'factory-pw'), 200);
    await acs.waitFor(() => acs.completedSessions(serial).length === 2);
  } finally {
    await device.stop();
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
